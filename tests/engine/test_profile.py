"""Quality profiles: validation (never raises), rule choice, severities, exclusions, and
[tool.reviewdeck] on top; code context on every finding and the severity caps it brings."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from reviewer.engine import review
from reviewer.engine.profile import DEFAULT_PROFILE, EXTENDED_PROFILE, Profile, validate
from reviewer.engine.registry import REGISTRY, get_rule
from reviewer.engine.types import Issue

BLOCKING = textwrap.dedent(
    """\
    import time

    async def handler():
        time.sleep(1)
    """
)
LEGACY = textwrap.dedent(
    """\
    def rows(session, User):
        return session.query(User).all()
    """
)


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return root


def _found(issues: list[Issue]) -> set[tuple[str, str, str, str]]:
    return {(i.rule_id, i.path, i.severity, i.context) for i in issues}


def test_validate_keeps_the_good_entries_and_names_the_bad_ones() -> None:
    profile, errors = validate(
        disabled=["SA001", "PF", "XX9", "ruff:E722", "ruff:NOPE1"],
        enabled=["AS002", "ZZ1"],
        severity={
            "SA011": "important",
            "AS001": "huge",
            "QQ1": "critical",
            "ruff:E722": "critical",
        },
        exclude=["tests/**", "**/versions/sqlite/**", "/etc/*", "a/[b", "", "..\\x", "../up/*"],
    )
    assert profile.disabled == ("SA001", "PF", "ruff:E722")
    assert profile.enabled == ("AS002",)
    assert dict(profile.severity) == {"SA011": "important", "RUFF:E722": "critical"}
    assert profile.exclude == ("tests/**", "**/versions/sqlite/**")
    assert len(errors) == 10, errors
    text = "\n".join(errors)
    for bad in ("'XX9'", "'ruff:NOPE1'", "'ZZ1'", "'huge'", "'QQ1'", "'/etc/*'", "'a/[b'"):
        assert bad in text


def test_from_dict_round_trips_and_reports_bad_shapes() -> None:
    profile = Profile(
        extended=True,
        disabled=("PF003",),
        enabled=("AS002",),
        severity={"sa011": "important"},
        exclude=("legacy/*",),
        tests_suggestions_only=True,
    )
    again, errors = Profile.from_dict(profile.to_dict())
    assert again == profile and hash(again) == hash(profile) and errors == []
    assert Profile.from_dict(None) == (DEFAULT_PROFILE, [])
    assert Profile.from_dict("nonsense")[1] == ["a profile must be a mapping of settings"]
    broken, errors = Profile.from_dict(
        {"extended": "yes", "disabled": "SA001", "severity": [], "exclude": [3, "ok/*"], "x": 1}
    )
    assert broken == Profile(exclude=("ok/*",))
    assert len(errors) == 5, errors


def test_review_applies_the_profile(tmp_path: Path) -> None:
    root = _write(tmp_path, {"app/a.py": BLOCKING, "app/b.py": LEGACY, "legacy/c.py": LEGACY})
    assert _found(review(root, jobs=1).issues) == {
        ("AS001", "app/a.py", "critical", "production"),
        ("SA001", "app/b.py", "suggestion", "production"),
        ("SA001", "legacy/c.py", "suggestion", "production"),
    }
    profile = Profile(disabled=("AS",), severity={"SA001": "important"}, exclude=("legacy/**",))
    assert _found(review(root, jobs=1, profile=profile).issues) == {
        ("SA001", "app/b.py", "important", "production"),
    }


def test_pyproject_applies_on_top_and_bad_entries_are_notes(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "app/a.py": BLOCKING,
            "app/b.py": LEGACY,
            "pyproject.toml": textwrap.dedent(
                """\
                [tool.reviewdeck]
                disable = ["NOPE7"]
                exclude = ["/abs/*"]
                severity = { SA001 = "critical", AS001 = "bad", XX1 = "important" }
                """
            ),
        },
    )
    result = review(root, jobs=1, profile=Profile(severity={"SA001": "important"}))
    assert _found(result.issues) == {
        ("AS001", "app/a.py", "critical", "production"),
        ("SA001", "app/b.py", "critical", "production"),
    }
    notes = sorted(n.message for n in result.notes if n.path == "pyproject.toml")
    assert len(notes) == 4, notes
    assert any("disable: unknown rule id 'NOPE7'" in n for n in notes)
    assert any("'/abs/*'" in n for n in notes)


SETTINGS = "from pydantic import BaseSettings\n"  # PD005, Important


def test_test_code_is_at_most_a_suggestion_except_test_rules(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "tests/test_api.py": SETTINGS + BLOCKING + "\n\ndef test_nothing():\n    x = 1\n",
            "app/a.py": SETTINGS + BLOCKING,
        },
    )
    found = _found(review(root, jobs=1).issues)
    assert found == {
        ("PD005", "tests/test_api.py", "suggestion", "test"),
        # a blocking call in a test stalls only the test's own loop: not reported there
        ("PT001", "tests/test_api.py", "important", "test"),
        ("PD005", "app/a.py", "important", "production"),
        ("AS001", "app/a.py", "critical", "production"),
    }
    # An override is the rule's severity; the context still caps it.
    overridden = review(root, jobs=1, profile=Profile(severity={"PD005": "critical"}))
    assert ("PD005", "tests/test_api.py", "suggestion", "test") in _found(overridden.issues)
    assert ("PD005", "app/a.py", "critical", "production") in _found(overridden.issues)
    strict = review(root, jobs=1, profile=Profile(tests_suggestions_only=True))
    assert ("PT001", "tests/test_api.py", "suggestion", "test") in _found(strict.issues)
    assert ("AS001", "app/a.py", "critical", "production") in _found(strict.issues)


@pytest.mark.parametrize(
    ("path", "header", "context"),
    [
        ("app/service.py", "", "production"),
        ("tests/unit/helpers.py", "", "test"),
        ("test_service.py", "", "test"),
        ("scripts/backfill.py", "", "script"),
        ("docs/examples/demo.py", "", "script"),
        ("app/client_gen.py", "# Code generated by a tool. DO NOT EDIT.\n", "generated"),
    ],
)
def test_every_finding_carries_its_context(
    tmp_path: Path, path: str, header: str, context: str
) -> None:
    root = _write(tmp_path, {path: header + SETTINGS + BLOCKING})
    issues = review(root, jobs=1, rule_ids=["AS001", "PD005"]).issues
    found = {(i.rule_id, i.path, i.severity, i.context, i.dialects) for i in issues}
    as001 = {"production": "critical", "script": "important"}
    pd005 = {"production": "important", "script": "important"}
    expected = {("PD005", path, pd005.get(context, "suggestion"), context, "")}
    if context not in ("test", "script"):  # AS001 stays quiet there (code_context.py)
        expected.add(("AS001", path, as001.get(context, "suggestion"), context, ""))
    assert found == expected


def test_extended_rules_run_only_when_asked(tmp_path: Path) -> None:
    rule = get_rule("AS001")
    assert rule is not None
    REGISTRY.add(replace(rule, profile="extended"))
    try:
        root = _write(tmp_path, {"app/a.py": BLOCKING})
        assert [i.rule_id for i in review(root, jobs=1).issues] == []
        assert [i.rule_id for i in review(root, jobs=1, rule_ids=["AS001"]).issues] == ["AS001"]
        assert [i.rule_id for i in review(root, jobs=1, rule_ids=["AS"]).issues] == []
        extended = review(root, jobs=1, profile=Profile(extended=True)).issues
        assert [i.rule_id for i in extended] == ["AS001"]
        enabled = review(root, jobs=1, profile=Profile(enabled=("AS001",))).issues
        assert [i.rule_id for i in enabled] == ["AS001"]
    finally:
        REGISTRY.add(rule)


REVISION = textwrap.dedent(
    """\
    from alembic import op

    revision = "b2"
    down_revision = "a1"


    def upgrade():
        op.create_index("ix_orders_user", "orders", ["user_id"])


    def downgrade():
        op.drop_index("ix_orders_user", "orders")
    """
)
GUARDED = REVISION.replace(
    "def upgrade():\n",
    "def upgrade():\n    if op.get_bind().dialect.name == 'sqlite':\n        return\n",
)


def _al004(root: Path) -> set[tuple[str, str, str]]:
    issues = review(root, jobs=1, rule_ids=["AL004"]).issues
    return {(i.path, i.context, i.dialects) for i in issues}


def test_migration_dialects_decide_postgresql_only_rules(tmp_path: Path) -> None:
    # A chain of its own for SQLite: an index without CONCURRENTLY is fine there.
    sqlite_only = _write(tmp_path / "a", {"alembic/versions/sqlite/b2.py": REVISION})
    assert _al004(sqlite_only) == set()
    # Nothing says which database: reported, dialect unknown.
    unknown = _write(tmp_path / "b", {"alembic/versions/b2.py": REVISION})
    assert _al004(unknown) == {("alembic/versions/b2.py", "migration", "unknown")}
    # alembic.ini's URL names the database.
    ini = "[alembic]\nsqlalchemy.url = {}://u@h/db\n"
    on_sqlite = _write(
        tmp_path / "c",
        {"alembic/versions/b2.py": REVISION, "alembic.ini": ini.format("sqlite")},
    )
    assert _al004(on_sqlite) == set()
    on_pg = _write(
        tmp_path / "d",
        {"alembic/versions/b2.py": REVISION, "alembic.ini": ini.format("postgresql+asyncpg")},
    )
    assert _al004(on_pg) == {("alembic/versions/b2.py", "migration", "postgresql")}
    # A guard elsewhere in the chain shows it also runs on SQLite; the URL adds PostgreSQL.
    both = _write(
        tmp_path / "e",
        {
            "alembic/versions/b2.py": REVISION,
            "alembic/versions/c3.py": GUARDED.replace('"b2"', '"c3"').replace('"a1"', '"b2"'),
            "alembic/env.py": 'URL = "postgresql://db/app"\n',
        },
    )
    assert ("alembic/versions/b2.py", "migration", "postgresql,sqlite") in _al004(both)


def test_profile_exclusions_also_cover_files_project_rules_read(tmp_path: Path) -> None:
    root = _write(tmp_path, {"app/a.py": BLOCKING, "deploy/Dockerfile": "FROM python:3.12\n"})
    found = {(i.rule_id, i.path) for i in review(root, jobs=1, profile=EXTENDED_PROFILE).issues}
    assert ("PR005", "deploy/Dockerfile") in found
    quiet = Profile(extended=True, exclude=("deploy/**",))
    assert not [
        i for i in review(root, jobs=1, profile=quiet).issues if i.path.startswith("deploy/")
    ]
