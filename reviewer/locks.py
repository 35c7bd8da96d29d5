"""One job of a project at a time, across every worker machine.

On PostgreSQL a project is held with a session-level advisory lock
(``pg_try_advisory_lock``): the database every machine shares decides, and a worker that
dies (its connection drops) lets go at once. The embedded SQLite run is one machine: a
``flock`` on a file under ``DATA_DIR/locks`` holds the project there, as before.

What holds it: a scan from its claim to its last write (the review included, not only
the fetch) and a history backfill from before its fetch to its last week. Claude runs
and patches do not: they read a tree of an exact commit and write rows of their own.
Per-machine file locks (``reviewer.git``) only guard a machine's cache of the repository.

Advisory locks belong to the database session: a connection pooler in transaction mode
(pgbouncer ``pool_mode=transaction``) would hand them to other clients; use session
pooling or direct connections for workers.
"""

from __future__ import annotations

import contextlib
import fcntl
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection

#: The first key of every project lock (``pg_try_advisory_lock(int, int)``): "RDK".
NAMESPACE = 0x52444B


@contextlib.contextmanager
def project_lock(project_id: int, *, wait: float = 0.0) -> Iterator[bool]:
    """Hold the project for the block; yields False (and holds nothing) when another job
    of the project kept it for ``wait`` seconds."""
    if connection.vendor == "postgresql":
        with _advisory(project_id, wait) as held:
            yield held
    else:
        with _file_lock(project_id, wait) as held:
            yield held


def _poll(attempt: Callable[[], bool], wait: float) -> bool:
    deadline = time.monotonic() + wait
    while True:
        if attempt():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(min(0.5, max(0.05, deadline - time.monotonic())))


@contextlib.contextmanager
def _advisory(project_id: int, wait: float) -> Iterator[bool]:
    def attempt() -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [NAMESPACE, project_id])
            row = cursor.fetchone()
        return bool(row and row[0])

    held = _poll(attempt, wait)
    try:
        yield held
    finally:
        if held and connection.connection is not None:
            with contextlib.suppress(Exception), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [NAMESPACE, project_id])


@contextlib.contextmanager
def _file_lock(project_id: int, wait: float) -> Iterator[bool]:
    folder = Path(settings.DATA_DIR) / "locks"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with (folder / f"project-{project_id}.lock").open("a+b") as handle:

        def attempt() -> bool:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        held = _poll(attempt, wait)
        try:
            yield held
        finally:
            if held:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
