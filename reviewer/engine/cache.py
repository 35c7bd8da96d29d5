"""Result cache, keyed by each file's content and the rule set.

A file's key is a hash of the ruleset fingerprint (rule metadata and the engine's code),
the selected rules, whether ruff ran, the path and the file's bytes: an edit, a rule
change or an engine upgrade makes a new key, so nothing is ever invalidated by hand.

An entry is a file's findings, its notes and its summaries for project rules. Entries live
in one SQLite database under the cache folder (``entries.sqlite3``, WAL mode, shared by
every tree and process using that folder), so a warm review of thousands of files is a
handful of batched reads and one write transaction, not thousands of small files. Entries
are ``marshal`` data (tuples, strings, numbers: loading them never runs code, unlike
pickle) of this interpreter's version, which is part of the key.

The cache is only ever a shortcut: an unreadable, damaged or locked database, or a
damaged entry, is a miss (a damaged database file is replaced), and a failed write only
means the next review is slower.

It is a per-machine cache: keep the folder on a local disk, never on a network
filesystem (SQLite's locking is not reliable there), and never share it between machines;
each worker machine warms its own. Each entry records the day it was last used; opening
the cache deletes, at most once a day, the entries not used for ``UNUSED_DAYS`` (those of
old rule sets, engine versions and file contents no tree has any more). SQLite reuses the
freed pages for new entries.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sqlite3
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import fields
from operator import attrgetter
from pathlib import Path
from typing import Any

from reviewer.engine.types import Issue, Note

#: A file's findings, its notes, and its summaries for project rules (by summary name).
CacheEntry = tuple[list[Issue], list[Note], dict[str, Any]]

_FORMAT = f"reviewdeck-cache-4 {sys.version_info[:2]}"
DATABASE = "entries.sqlite3"
_BATCH = 500  # keys per SELECT (SQLite's bound-parameter limit is 32766 since 3.32)
_TIMEOUT_SECONDS = 30.0
_issue_fields = attrgetter(*(f.name for f in fields(Issue)))  # Issue -> its values, in order
#: Entries not used for this many days are deleted (when the cache is next opened).
UNUSED_DAYS = 30


def today() -> int:
    """Days since the epoch (UTC): the unit entries record their last use in."""
    return int(time.time() // 86400)


def file_key(salt: str, root: Path, rel: str) -> str | None:
    """The cache key of ``rel`` or None when it cannot be read (a miss, reviewed normally)."""
    path = os.path.join(root, rel)
    try:
        if os.path.islink(path):
            return None
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    digest = hashlib.sha256(_FORMAT.encode() + b"\0" + salt.encode())
    digest.update(b"\0" + rel.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(data)
    return digest.hexdigest()


def _encode(entry: CacheEntry) -> bytes:
    issues, notes, summaries = entry
    return marshal.dumps(
        ([_issue_fields(i) for i in issues], [(n.path, n.message) for n in notes], summaries)
    )


def _decode(data: bytes) -> CacheEntry | None:
    try:
        issues_raw, notes_raw, summaries = marshal.loads(data)  # noqa: S302 - data only
        return (
            [Issue(*item) for item in issues_raw],
            [Note(*item) for item in notes_raw],
            dict(summaries),
        )
    except (ValueError, TypeError, EOFError):
        return None


def _connect(cache_dir: Path, day: int) -> sqlite3.Connection:
    cache_dir.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(cache_dir / DATABASE, timeout=_TIMEOUT_SECONDS)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS entry (key TEXT PRIMARY KEY, data BLOB NOT NULL,"
            " used INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID"
        )
        columns = {row[1] for row in connection.execute("PRAGMA table_info(entry)")}
        if "used" not in columns:  # written before entries recorded their last use
            connection.execute(
                f"ALTER TABLE entry ADD COLUMN used INTEGER NOT NULL DEFAULT {int(day)}"
            )
        connection.execute(
            "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)"
        )
    except sqlite3.Error:
        connection.close()
        raise
    return connection


def _prune_if_due(connection: sqlite3.Connection, day: int, unused_days: int) -> int:
    """Delete the entries not used for ``unused_days``, at most once a ``day``; returns
    how many were deleted."""
    row = connection.execute("SELECT value FROM meta WHERE name = 'pruned'").fetchone()
    if row is not None and row[0] >= day:
        return 0
    with connection:
        deleted = connection.execute(
            "DELETE FROM entry WHERE used < ?", (day - unused_days,)
        ).rowcount
        connection.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('pruned', ?)", (day,))
    return int(deleted)


class Cache:
    """The entries under ``cache_dir``; every method swallows storage errors. ``day``
    (days since the epoch, default today) is when entries are used and pruning is due."""

    def __init__(
        self, cache_dir: Path, *, day: int | None = None, unused_days: int = UNUSED_DAYS
    ) -> None:
        self.cache_dir = Path(cache_dir)
        self.day = today() if day is None else day
        self.unused_days = unused_days
        self.pruned = 0  # entries deleted when this cache was opened
        self._connection: sqlite3.Connection | None = None

    def _open(self) -> sqlite3.Connection | None:
        if self._connection is not None:
            return self._connection
        try:
            self._connection = _connect(self.cache_dir, self.day)
        except sqlite3.DatabaseError:
            # Not a database any more (a damaged file): start a fresh one.
            try:
                for suffix in ("", "-wal", "-shm"):
                    (self.cache_dir / (DATABASE + suffix)).unlink(missing_ok=True)
                self._connection = _connect(self.cache_dir, self.day)
            except (sqlite3.Error, OSError):
                return None
        except (sqlite3.Error, OSError):
            return None
        with contextlib.suppress(sqlite3.Error):  # busy or read-only: prune another time
            self.pruned = _prune_if_due(self._connection, self.day, self.unused_days)
        return self._connection

    def get_many(self, keys: Iterable[str]) -> dict[str, CacheEntry]:
        wanted = list(dict.fromkeys(keys))
        connection = self._open()
        found: dict[str, CacheEntry] = {}
        if connection is None:
            return found
        stale: list[str] = []  # hits whose last use is an earlier day
        try:
            for start in range(0, len(wanted), _BATCH):
                batch = wanted[start : start + _BATCH]
                marks = ",".join("?" * len(batch))
                rows = connection.execute(
                    f"SELECT key, data, used FROM entry WHERE key IN ({marks})",  # noqa: S608 - only ?s
                    batch,
                )
                for key, data, used in rows:
                    entry = _decode(data)
                    if entry is not None:
                        found[key] = entry
                        if used < self.day:
                            stale.append(key)
        except sqlite3.Error:
            return found
        self._touch(connection, stale)
        return found

    def _touch(self, connection: sqlite3.Connection, keys: list[str]) -> None:
        """Record that ``keys`` were used today (at most one write per entry per day)."""
        if not keys:
            return
        try:
            with connection:
                for start in range(0, len(keys), _BATCH):
                    batch = keys[start : start + _BATCH]
                    marks = ",".join("?" * len(batch))
                    connection.execute(
                        f"UPDATE entry SET used = ? WHERE key IN ({marks})",  # noqa: S608 - only ?s
                        [self.day, *batch],
                    )
        except sqlite3.Error:
            return  # only means the entry may be pruned a little early

    def put_many(self, entries: Mapping[str, CacheEntry]) -> None:
        connection = self._open()
        if connection is None or not entries:
            return
        try:
            with connection:
                connection.executemany(
                    "INSERT OR REPLACE INTO entry (key, data, used) VALUES (?, ?, ?)",
                    [(key, _encode(entry), self.day) for key, entry in entries.items()],
                )
        except sqlite3.Error:
            return  # a cache that cannot be written is only slower

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
