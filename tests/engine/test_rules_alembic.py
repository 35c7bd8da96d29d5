"""AL001: irreversible Alembic revisions."""

from __future__ import annotations

import pytest

from tests.engine.conftest import CheckRule, expected_lines, src

REVISION_PATH = "migrations/versions/0002_add_isbn.py"

AL001_FIRES = {
    "downgrade_pass": src(
        """
        revision = "0002"
        down_revision = "0001"

        def upgrade() -> None:
            op.add_column("books", sa.Column("isbn", sa.String(13)))

        def downgrade() -> None:  # HIT
            pass
        """
    ),
    "downgrade_missing": src(
        """
        revision = "0002"
        down_revision = "0001"

        def upgrade() -> None:  # HIT
            op.add_column("books", sa.Column("isbn", sa.String(13)))
        """
    ),
    "downgrade_docstring_only_annotated_revision": src(
        '''
        revision: str = "0002"
        down_revision: str | None = "0001"

        def upgrade() -> None:
            op.create_index("ix_books_isbn", "books", ["isbn"])

        def downgrade() -> None:  # HIT
            """Nothing to undo."""
        '''
    ),
    "downgrade_ellipsis": src(
        """
        revision = "0002"

        def upgrade():
            op.drop_column("books", "legacy")

        def downgrade():  # HIT
            ...
        """
    ),
    "downgrade_only_raises": src(
        """
        revision = "0002"

        def upgrade():
            op.drop_table("audit")

        def downgrade():  # HIT
            # data is gone
            raise NotImplementedError("cannot restore the audit table")
        """
    ),
}

AL001_QUIET = {
    "real_downgrade": src(
        """
        revision = "0002"

        def upgrade():
            op.add_column("books", sa.Column("isbn", sa.String(13)))

        def downgrade():
            op.drop_column("books", "isbn")
        """
    ),
    "merge_revision_is_a_no_op_both_ways": src(
        '''
        """merge heads"""
        revision = "0003"
        down_revision = ("0002a", "0002b")

        def upgrade():
            pass

        def downgrade():
            pass
        '''
    ),
    "conditional_raise_then_real_work": src(
        """
        revision = "0002"

        def upgrade():
            op.add_column("books", sa.Column("isbn", sa.String(13)))

        def downgrade():
            if context.is_offline_mode():
                raise RuntimeError("online only")
            op.drop_column("books", "isbn")
        """
    ),
    "downgrade_mentioned_only_in_a_string": src(
        '''
        revision = "0002"

        def upgrade():
            op.execute("UPDATE books SET isbn = NULL")

        def downgrade():
            op.execute("UPDATE books SET isbn = isbn")

        TEMPLATE = """
        def downgrade():
            pass
        """
        '''
    ),
}


@pytest.mark.parametrize("source", AL001_FIRES.values(), ids=AL001_FIRES.keys())
def test_al001_fires_on_irreversible_revision(check_rule: CheckRule, source: str) -> None:
    assert check_rule("AL001", source, REVISION_PATH) == expected_lines(source) != []


@pytest.mark.parametrize("source", AL001_QUIET.values(), ids=AL001_QUIET.keys())
def test_al001_ignores_reversible_and_no_op_revisions(check_rule: CheckRule, source: str) -> None:
    assert check_rule("AL001", source, REVISION_PATH) == []


NOT_A_REVISION = src(
    """
    revision = "0002"

    def upgrade():
        op.add_column("books", sa.Column("isbn", sa.String(13)))

    def downgrade():
        pass
    """
)


def test_al001_ignores_files_outside_a_versions_folder(check_rule: CheckRule) -> None:
    assert check_rule("AL001", NOT_A_REVISION, "scripts/versions_tool.py") == []
    assert check_rule("AL001", NOT_A_REVISION, "app/migrate.py") == []


def test_al001_ignores_helper_modules_in_versions_without_revision(check_rule: CheckRule) -> None:
    helper = NOT_A_REVISION.replace('revision = "0002"', 'REVISION_TABLE = "alembic_version"')
    assert check_rule("AL001", helper, "migrations/versions/_helpers.py") == []
