"""A one-file rename when a component starts: a metadata call, not a copy."""

import shutil
from pathlib import Path


class SnapshotStore:
    def __init__(self, current: Path, previous_location: Path) -> None:
        self.current = current
        self.previous_location = previous_location

    async def restore(self) -> bytes:
        try:
            if self.previous_location.exists():
                shutil.move(self.previous_location, self.current)
        except OSError:
            pass
        return b""
