"""The embedded run's data folder is private: folder 0700, database and key files 0600.

It holds the SQLite database (session keys, password hashes), the secret key and the
filesystem broker's messages. Called from the settings when embedded; ``serve`` also
sets the umask so every file its processes write there (broker messages, clones) is
the owner's only. Django-free.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE_UMASK = 0o077
SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")


def private_dir(path: Path) -> None:
    """Create ``path`` (and parents) and make it 0700 if this user owns it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        if path.stat().st_uid == os.geteuid():
            path.chmod(0o700)


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if missing, else make it 0600 if ours.
    SQLite creates its journal and WAL files with the database file's mode."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with contextlib.suppress(OSError):
            if path.stat().st_uid == os.geteuid():
                path.chmod(0o600)
    else:
        os.close(fd)


def protect_sqlite(database: Path) -> None:
    private_file(database)
    for suffix in SQLITE_SIDE_FILES:
        side = database.with_name(database.name + suffix)
        if side.exists():
            private_file(side)


def write_private(path: Path, text: str) -> None:
    """Write a new file readable by its owner only (never briefly world-readable)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
