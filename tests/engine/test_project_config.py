"""Suppressions, [tool.reviewdeck], default skips and .gitignore."""

from __future__ import annotations

import marshal
import sqlite3
import subprocess
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from reviewer.engine import review

LEGACY = "def load(session, User):\n    return session.query(User).all()\n"


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def _found(root: Path) -> set[tuple[str, str, str]]:
    return {(i.rule_id, i.path, i.severity) for i in review(root, jobs=1).issues}


def test_noqa_suppresses_all_or_the_named_rules(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "a.py": "def f(session, U):\n    return session.query(U).all()  # noqa\n",
            "b.py": "def f(session, U):\n    return session.query(U).all()  # noqa: SA001\n",
            "c.py": "def f(session, U):\n    return session.query(U).all()  # noqa: PD001\n",
            "d.py": LEGACY,
        },
    )
    assert {(r, p) for r, p, _ in _found(tmp_path)} == {("SA001", "c.py"), ("SA001", "d.py")}


def test_tool_reviewdeck_disables_excludes_and_overrides(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "app/a.py": LEGACY,
            "legacy/old.py": LEGACY,
            "app/m.py": "from sqlalchemy import ForeignKey\nfk = ForeignKey('u.id')\n",
            "app/s.py": "from pydantic import BaseSettings\n",
        },
    )
    assert ("SA001", "legacy/old.py", "suggestion") in _found(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.reviewdeck]\n"
        'disable = ["PD"]\n'
        'exclude = ["legacy/*"]\n'
        'severity = { SA001 = "important" }\n'
    )
    found = _found(tmp_path)
    assert ("SA001", "app/a.py", "important") in found
    assert not {(r, p) for r, p, _ in found if r.startswith("PD") or p.startswith("legacy/")}


def test_generated_vendored_and_django_migrations_are_skipped(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "app/a.py": LEGACY,
            "app/api_pb2.py": LEGACY,
            "vendor/lib.py": LEGACY,
            "app/_vendor/x.py": LEGACY,
            "shop/migrations/0001_initial.py": LEGACY,
            "migrations/versions/abc_add.py": LEGACY,  # Alembic (Flask-Migrate layout)
        },
    )
    assert {p for _, p, _ in _found(tmp_path)} == {"app/a.py", "migrations/versions/abc_add.py"}


def test_gitignored_files_are_never_reviewed(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    _write(tmp_path, {".gitignore": "scratch/\n*_local.py\n", "app/a.py": LEGACY})
    _write(tmp_path, {"scratch/try.py": LEGACY, "app/dev_local.py": LEGACY})
    result = review(tmp_path, jobs=1)
    assert {i.path for i in result.issues} == {"app/a.py"}
    assert result.files_reviewed == 1


def test_a_broken_pyproject_is_a_note(tmp_path: Path) -> None:
    _write(tmp_path, {"pyproject.toml": "[tool.reviewdeck\n", "a.py": LEGACY})
    result = review(tmp_path, jobs=1)
    assert [i.rule_id for i in result.issues] == ["SA001"]
    assert any(n.path == "pyproject.toml" for n in result.notes)


def _entries(cache_dir: Path) -> dict[str, bytes]:
    with closing(sqlite3.connect(cache_dir / "entries.sqlite3")) as db:
        return dict(db.execute("SELECT key, data FROM entry"))


def _rewrite(cache_dir: Path, change: Callable[[bytes], bytes]) -> None:
    with closing(sqlite3.connect(cache_dir / "entries.sqlite3")) as db, db:
        for key, data in list(db.execute("SELECT key, data FROM entry")):
            db.execute("UPDATE entry SET data = ? WHERE key = ?", (change(data), key))


def _tamper(data: bytes) -> bytes:
    """The entry with "query" in its messages replaced (proves the entry is what is read)."""
    issues, notes, summaries = marshal.loads(data)
    issues = [(*i[:5], i[5].replace("query", "QUERY-FROM-CACHE"), *i[6:]) for i in issues]
    return marshal.dumps((issues, notes, summaries))


def test_the_cache_reuses_unchanged_files_and_sees_edits(tmp_path: Path) -> None:
    root, cache_dir = tmp_path / "repo", tmp_path / "cache"
    _write(root, {"a.py": LEGACY, "b.py": LEGACY, "c.py": "x = 1\n"})
    cold = review(root, jobs=1, cache_dir=cache_dir, ruff=True)
    assert len(_entries(cache_dir)) == 3  # one per file
    warm = review(root, jobs=1, cache_dir=cache_dir, ruff=True)
    assert warm.issues == cold.issues and warm.files_reviewed == 3
    _rewrite(cache_dir, _tamper)
    from_cache = review(root, jobs=1, cache_dir=cache_dir, ruff=True)
    assert any("QUERY-FROM-CACHE" in i.message for i in from_cache.issues)
    (root / "b.py").write_text("def f(session, U):\n    return 1\n")
    edited = review(root, jobs=1, cache_dir=cache_dir, ruff=True)
    assert {i.path for i in edited.issues if i.rule_id == "SA001"} == {"a.py"}
    assert len(_entries(cache_dir)) == 4
    # Another rule selection is another key, never a stale answer.
    only_pd = review(root, jobs=1, cache_dir=cache_dir, rule_ids=["PD"])
    assert only_pd.issues == []


def test_a_damaged_cache_entry_is_a_miss(tmp_path: Path) -> None:
    root, cache_dir = tmp_path / "repo", tmp_path / "cache"
    _write(root, {"a.py": LEGACY})
    first = review(root, jobs=1, cache_dir=cache_dir)
    _rewrite(cache_dir, lambda data: b"\xffnot marshal")
    assert review(root, jobs=1, cache_dir=cache_dir).issues == first.issues


def test_a_damaged_cache_database_is_replaced(tmp_path: Path) -> None:
    root, cache_dir = tmp_path / "repo", tmp_path / "cache"
    _write(root, {"a.py": LEGACY})
    first = review(root, jobs=1, cache_dir=cache_dir)
    (cache_dir / "entries.sqlite3").write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        (cache_dir / f"entries.sqlite3{suffix}").unlink(missing_ok=True)
    assert review(root, jobs=1, cache_dir=cache_dir).issues == first.issues
    assert len(_entries(cache_dir)) == 1  # a fresh database holds the new entry


def test_an_unwritable_cache_only_costs_time(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _write(root, {"a.py": LEGACY})
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    assert [i.rule_id for i in review(root, jobs=1, cache_dir=blocker).issues] == ["SA001"]
