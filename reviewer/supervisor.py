"""The child processes of ``manage.py serve``, kept running.

A child that exits (the worker killed by the OOM killer or ``kill -9``, beat crashing) is
started again after a back-off that doubles while it keeps failing (1 s, 2 s, 4 s ... up
to a minute) and resets once it has stayed up for a minute. The others are never stopped
for it: the web stays up while the worker comes back, and the scan the dead worker held
is declared dead by its missed heartbeats (``scanning.expire_stale_scans``).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

FIRST_DELAY = 1.0
MAX_DELAY = 60.0
#: A child up for this long is healthy again: its next failure waits FIRST_DELAY.
HEALTHY_AFTER = 60.0


@dataclass
class Child:
    name: str
    command: Sequence[str]
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    delay: float = FIRST_DELAY
    restart_at: float | None = None  # when a dead child is due to start again
    restarts: int = field(default=0)


class Supervisor:
    """Start ``commands`` (name -> argv) in ``cwd`` and keep them running."""

    def __init__(
        self,
        commands: Mapping[str, Sequence[str]],
        cwd: Path,
        say: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.children = [Child(name, list(cmd)) for name, cmd in commands.items()]
        self.cwd = cwd
        self.say = say
        self.clock = clock

    def start(self) -> None:
        for child in self.children:
            self._start(child)

    def _start(self, child: Child) -> None:
        child.proc = subprocess.Popen(child.command, cwd=self.cwd)
        child.started = self.clock()
        child.restart_at = None

    def tick(self) -> None:
        """Notice children that exited and start those whose back-off is over."""
        now = self.clock()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restarts += 1
                    self.say(f"Starting the {child.name} process again.")
                    self._start(child)
                continue
            if child.proc is None or child.proc.poll() is None:
                continue
            if now - child.started >= HEALTHY_AFTER:
                child.delay = FIRST_DELAY
            self.say(
                f"The {child.name} process exited ({child.proc.returncode}); "
                f"restarting it in {child.delay:.0f} s."
            )
            child.restart_at = now + child.delay
            child.delay = min(child.delay * 2, MAX_DELAY)

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM to every running child, SIGKILL to those still running after ``grace``."""
        running = [c.proc for c in self.children if c.proc is not None and c.proc.poll() is None]
        for proc in running:
            proc.terminate()
        deadline = self.clock() + grace
        for proc in running:
            try:
                proc.wait(max(0.1, deadline - self.clock()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def pid(self, name: str) -> int | None:
        for child in self.children:
            if child.name == name and child.proc is not None:
                return child.proc.pid
        return None
