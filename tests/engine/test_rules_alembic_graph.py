"""AL005-AL008: data migrations, mixed revisions, the revision graph, enum types."""

from __future__ import annotations

from pathlib import Path

from reviewer.engine import review
from tests.engine.conftest import CheckRule, expected_lines, src


def _revision(root: Path, rel: str, revision: str, down: str, extra: str = "") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'"""{rel}"""\nrevision = {revision}\ndown_revision = {down}\n{extra}\n\n'
        "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
    )


def _al007(root: Path) -> list[tuple[str, int, str]]:
    result = review(root, rule_ids=["AL007"], jobs=1)
    return [(i.path, i.line, i.message) for i in result.issues]


def test_a_fork_without_merge_is_reported_on_the_later_file_by_path(tmp_path: Path) -> None:
    _revision(tmp_path, "alembic/versions/001_base.py", '"001"', "None")
    _revision(tmp_path, "alembic/versions/002_a.py", '"002"', '"001"')
    _revision(tmp_path, "alembic/versions/003_b.py", '"003"', '"001"')
    found = _al007(tmp_path)
    assert [(p, line) for p, line, _ in found] == [("alembic/versions/003_b.py", 3)]
    assert "'003'" in found[0][2] and "'002'" in found[0][2]


def test_annotated_ids_and_a_parent_in_another_versions_folder_are_understood(
    tmp_path: Path,
) -> None:
    _revision(tmp_path, "core/versions/a.py", '"a1"', "None")
    _revision(tmp_path, "plugins/versions/b.py", '"b1"', "None", "depends_on = None")
    path = tmp_path / "plugins/versions/c.py"
    path.write_text('revision: str = "c1"\ndown_revision: str | None = "a1"\n')
    _revision(tmp_path, "core/versions/d.py", '"d1"', '"c1"')
    assert _al007(tmp_path) == []


def test_an_unreadable_revision_file_turns_the_check_off(tmp_path: Path) -> None:
    _revision(tmp_path, "alembic/versions/001_base.py", '"001"', "None")
    _revision(tmp_path, "alembic/versions/002_a.py", '"002"', '"gone"')
    assert [p for p, _, _ in _al007(tmp_path)] == ["alembic/versions/002_a.py"]
    # A revision id computed at import time might be the missing parent: stay quiet.
    _revision(tmp_path, "alembic/versions/003_dyn.py", "make_id()", '"001"')
    assert _al007(tmp_path) == []


def test_a_broken_revision_file_turns_the_check_off(tmp_path: Path) -> None:
    _revision(tmp_path, "alembic/versions/001_base.py", '"001"', "None")
    _revision(tmp_path, "alembic/versions/002_a.py", '"002"', '"001"')
    _revision(tmp_path, "alembic/versions/003_b.py", '"003"', '"001"')
    (tmp_path / "alembic/versions/004_broken.py").write_text("revision = (\n")
    assert _al007(tmp_path) == []


AL005_WHILE_AND_LITERAL = src(
    """
    revision = "x"

    def upgrade():
        conn = op.get_bind()
        for row in conn.execute(sa.text("SELECT id FROM t")).all():
            conn.execute(sa.text("UPDATE t SET a = 1 WHERE id = :i"), {"i": row.id})  # HIT
        for value in ("a", "b"):
            op.execute(f"UPDATE t SET kind = '{value}' WHERE kind IS NULL")
        while conn.execute(sa.text("DELETE FROM t WHERE id IN (SELECT id FROM t LIMIT 9)")):
            pass
    """
)


def test_al005_flags_per_row_loops_only(check_rule: CheckRule) -> None:
    lines = check_rule("AL005", AL005_WHILE_AND_LITERAL, "db/versions/x.py")
    assert lines == expected_lines(AL005_WHILE_AND_LITERAL)
    assert check_rule("AL005", AL005_WHILE_AND_LITERAL, "db/scripts/x.py") == []


AL008_EMPTY_DOWNGRADE = src(
    """
    revision = "x"

    def upgrade():
        op.create_table("t", sa.Column("s", sa.Enum("a", name="t_state")))

    def downgrade():
        pass
    """
)


def test_al008_leaves_an_empty_downgrade_to_al001(check_rule: CheckRule) -> None:
    assert check_rule("AL008", AL008_EMPTY_DOWNGRADE, "db/versions/x.py") == []
    filled = AL008_EMPTY_DOWNGRADE.replace("    pass", '    op.drop_table("t")')
    assert check_rule("AL008", filled, "db/versions/x.py") == [4]


def test_al007_gives_the_same_answer_from_cached_summaries(tmp_path: Path) -> None:
    root, cache_dir = tmp_path / "repo", tmp_path / "cache"
    _revision(root, "alembic/versions/001_base.py", '"001"', "None")
    _revision(root, "alembic/versions/002_a.py", '"002"', '"001"')
    _revision(root, "alembic/versions/003_b.py", '"003"', '"001"')
    cold = review(root, rule_ids=["AL007"], jobs=1, cache_dir=cache_dir).issues
    (root / "alembic/versions/002_a.py").write_text(
        (root / "alembic/versions/002_a.py").read_text() + "\n# touched\n"
    )
    warm = review(root, rule_ids=["AL007"], jobs=1, cache_dir=cache_dir).issues
    assert [(i.path, i.line) for i in cold] == [(i.path, i.line) for i in warm]
    assert [(i.path, i.line) for i in warm] == [("alembic/versions/003_b.py", 3)]
