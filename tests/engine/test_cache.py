"""The engine cache is pruned: entries not used for UNUSED_DAYS go when it is next
opened (at most once a day), a hit counts as a use, and a cache written before entries
recorded their use is upgraded in place with its entries kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from reviewer.engine.cache import DATABASE, UNUSED_DAYS, Cache, CacheEntry
from reviewer.engine.types import Issue, Note

DAY = 20_000


def entry(n: int) -> CacheEntry:
    issue = Issue(
        rule_id="AS001",
        path=f"m{n}.py",
        line=n,
        column=0,
        title="blocking call",
        message="time.sleep in async code",
        severity="important",
        confidence=90,
        category="asyncio",
        agent="reviewer",
        snippet="time.sleep(1)",
    )
    return [issue], [Note(f"m{n}.py", "a note")], {}


def keys_in(folder: Path) -> set[str]:
    with sqlite3.connect(folder / DATABASE) as connection:
        return {row[0] for row in connection.execute("SELECT key FROM entry")}


def test_entries_unused_for_the_limit_are_pruned_when_the_cache_is_next_opened(
    tmp_path: Path,
) -> None:
    first = Cache(tmp_path, day=DAY)
    first.put_many({"old": entry(1), "kept": entry(2)})
    first.close()

    # Used (a hit) just before the limit: the hit moves its day on.
    later = Cache(tmp_path, day=DAY + UNUSED_DAYS)
    assert set(later.get_many(["kept"])) == {"kept"} and later.pruned == 0
    later.close()

    pruning = Cache(tmp_path, day=DAY + UNUSED_DAYS + 1)
    assert set(pruning.get_many(["old", "kept"])) == {"kept"}
    assert pruning.pruned == 1
    pruning.put_many({"new": entry(3)})
    pruning.close()
    assert keys_in(tmp_path) == {"kept", "new"}

    # Pruning runs at most once a day: a second open the same day deletes nothing more.
    again = Cache(tmp_path, day=DAY + UNUSED_DAYS + 1, unused_days=0)
    again.get_many(["kept"])
    assert again.pruned == 0
    again.close()
    assert keys_in(tmp_path) == {"kept", "new"}


def test_a_cache_written_before_entries_recorded_their_use_is_upgraded_and_kept(
    tmp_path: Path,
) -> None:
    with sqlite3.connect(tmp_path / DATABASE) as connection:  # the previous layout
        connection.execute(
            "CREATE TABLE entry (key TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID"
        )
        connection.execute("INSERT INTO entry (key, data) VALUES ('legacy', x'00')")
    upgrading = Cache(tmp_path, day=DAY)  # the entry counts as used on the upgrade's day
    upgrading.put_many({"a": entry(1)})
    upgrading.close()
    assert keys_in(tmp_path) == {"a", "legacy"}
    kept = Cache(tmp_path, day=DAY + UNUSED_DAYS)
    assert set(kept.get_many(["a"])) == {"a"} and kept.pruned == 0
    kept.close()
    pruned = Cache(tmp_path, day=DAY + UNUSED_DAYS + 1)
    pruned.get_many(["a"])
    assert pruned.pruned == 1  # the legacy entry, never used since
    pruned.close()
    assert keys_in(tmp_path) == {"a"}
