"""Suppressions, [tool.reviewdeck], default skips and .gitignore."""

from __future__ import annotations

import subprocess
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
    assert ("SA001", "legacy/old.py", "important") in _found(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.reviewdeck]\n"
        'disable = ["PD"]\n'
        'exclude = ["legacy/*"]\n'
        'severity = { SA011 = "important" }\n'
    )
    assert _found(tmp_path) == {
        ("SA001", "app/a.py", "important"),
        ("SA011", "app/m.py", "important"),
    }


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


def test_the_cache_reuses_unchanged_files_and_sees_edits(tmp_path: Path) -> None:
    root, cache_dir = tmp_path / "repo", tmp_path / "cache"
    _write(root, {"a.py": LEGACY, "b.py": LEGACY, "c.py": "x = 1\n"})
    cold = review(root, jobs=1, cache_dir=cache_dir, ruff=True)
    # One entry per file and one for the project rules' findings on this tree.
    assert len(list(cache_dir.rglob("*.json"))) == 4
    warm = review(root, jobs=1, cache_dir=cache_dir, ruff=True)
    assert warm.issues == cold.issues and warm.files_reviewed == 3
    # A cached entry is what the warm run reports: tamper with them to prove they are read.
    for entry in cache_dir.rglob("*.json"):
        entry.write_text(entry.read_text().replace("query", "QUERY-FROM-CACHE"))
    from_cache = review(root, jobs=1, cache_dir=cache_dir, ruff=True)
    assert any("QUERY-FROM-CACHE" in i.message for i in from_cache.issues)
    (root / "b.py").write_text("def f(session, U):\n    return 1\n")
    edited = review(root, jobs=1, cache_dir=cache_dir, ruff=True)
    assert {i.path for i in edited.issues if i.rule_id == "SA001"} == {"a.py"}
    assert len(list(cache_dir.rglob("*.json"))) == 6
    # Another rule selection is another key, never a stale answer.
    only_pd = review(root, jobs=1, cache_dir=cache_dir, rule_ids=["PD"])
    assert only_pd.issues == []


def test_a_damaged_cache_entry_is_a_miss(tmp_path: Path) -> None:
    root, cache_dir = tmp_path / "repo", tmp_path / "cache"
    _write(root, {"a.py": LEGACY})
    first = review(root, jobs=1, cache_dir=cache_dir)
    for entry in cache_dir.rglob("*.json"):
        entry.write_text("{not json")
    assert review(root, jobs=1, cache_dir=cache_dir).issues == first.issues
