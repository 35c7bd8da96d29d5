"""Alembic operation rules: data loss, locking and missing defaults in revisions
(AL002-AL004, AL009)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from reviewer.engine.context import FileContext
from reviewer.engine.names import dotted_name
from reviewer.engine.registry import Hit, rule
from reviewer.engine.rules.alembic import _top_level_function, is_revision_file
from reviewer.engine.rules.helpers import calls_in, is_true, keyword, last_name


def _op_calls(ctx: FileContext, function: str, names: set[str]) -> Iterator[ast.Call]:
    if not is_revision_file(ctx):
        return
    func = _top_level_function(ctx.tree, function)
    if func is None:
        return
    for call in sorted(calls_in(func.body), key=lambda c: (c.lineno, c.col_offset)):
        if isinstance(call.func, ast.Attribute) and call.func.attr in names:
            receiver = dotted_name(call.func.value) or ""
            if receiver in {"op", "alembic.op", "batch_op"} or receiver.endswith("batch_op"):
                yield call


@rule(
    id="AL002",
    title="Column or table dropped in upgrade()",
    severity="important",
    confidence=75,
    category="alembic",
    explanation=(
        "Dropping a column or a table destroys its data the moment the migration runs, "
        "and the downgrade cannot bring it back. Make sure nothing still reads it (deploy "
        "the code change first), and copy or archive the data if it may be needed; say "
        "so in the revision."
    ),
    before="def upgrade():\n    op.drop_column('users', 'legacy_score')\n",
    after=(
        "def upgrade():\n"
        "    # legacy_score unused since 2.3; archived to users_legacy_score (rev a1b2)\n"
        "    op.drop_column('users', 'legacy_score')\n"
    ),
)
def check_drop(ctx: FileContext) -> Iterator[Hit]:
    for call in _op_calls(ctx, "upgrade", {"drop_column", "drop_table"}):
        yield Hit.at(call, f"{call.func.attr}() in upgrade(): the data is lost")  # type: ignore[attr-defined]


def _column_calls(node: ast.AST) -> Iterator[ast.Call]:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call) and last_name(inner.func) == "Column":
            yield inner


@rule(
    id="AL003",
    title="NOT NULL column added without a server default",
    severity="important",
    confidence=85,
    category="alembic",
    debt_kind="alembic",
    debt_minutes=20,
    explanation=(
        "Adding a `nullable=False` column to a table that already has rows fails: the "
        "existing rows have no value for it. Give the column a `server_default` (you can "
        "drop the default in a later revision), or add it nullable, backfill, then set "
        "NOT NULL."
    ),
    before="op.add_column('users', sa.Column('plan', sa.String(), nullable=False))\n",
    after=(
        "op.add_column(\n"
        "    'users', sa.Column('plan', sa.String(), nullable=False, server_default='free')\n"
        ")\n"
    ),
)
def check_not_null_without_default(ctx: FileContext) -> Iterator[Hit]:
    for call in _op_calls(ctx, "upgrade", {"add_column"}):
        for column in _column_calls(call):
            nullable = keyword(column, "nullable")
            if (
                nullable is not None
                and isinstance(nullable.value, ast.Constant)
                and nullable.value.value is False
                and keyword(column, "server_default") is None
                and not is_true(kw.value if (kw := keyword(column, "primary_key")) else None)
            ):
                yield Hit.at(column, "NOT NULL column added with no server_default")


def _created_tables(ctx: FileContext) -> set[str]:
    names = set()
    for call in _op_calls(ctx, "upgrade", {"create_table"}):
        if call.args and isinstance(call.args[0], ast.Constant):
            names.add(str(call.args[0].value))
    return names


@rule(
    id="AL004",
    title="Index created without CONCURRENTLY",
    severity="suggestion",
    confidence=60,
    category="alembic",
    explanation=(
        "`CREATE INDEX` on PostgreSQL blocks writes to the table until the index is "
        "built, which on a large table is minutes of downtime. Build it with "
        "`postgresql_concurrently=True` inside an autocommit block. Indexes on a table "
        "created in the same revision are fine."
    ),
    before="op.create_index('ix_orders_user_id', 'orders', ['user_id'])\n",
    after=(
        "with op.get_context().autocommit_block():\n"
        "    op.create_index(\n"
        "        'ix_orders_user_id', 'orders', ['user_id'], postgresql_concurrently=True\n"
        "    )\n"
    ),
)
def check_index_concurrently(ctx: FileContext) -> Iterator[Hit]:
    created = _created_tables(ctx)
    for call in _op_calls(ctx, "upgrade", {"create_index"}):
        table = keyword(call, "table_name")
        table_node = table.value if table else (call.args[1] if len(call.args) > 1 else None)
        if isinstance(table_node, ast.Constant) and table_node.value in created:
            continue
        if is_true(kw.value if (kw := keyword(call, "postgresql_concurrently")) else None):
            continue
        yield Hit.at(call, "create_index without postgresql_concurrently=True")


@rule(
    id="AL009",
    title="Foreign key created without ondelete",
    severity="suggestion",
    confidence=70,
    category="alembic",
    explanation=(
        "A foreign key created in a migration without `ondelete` leaves deleting a parent "
        "row to the application: the database refuses it while children exist. Decide "
        "the behaviour (CASCADE, SET NULL, RESTRICT) and write it in the constraint."
    ),
    before="op.create_foreign_key('fk_order_user', 'orders', 'users', ['user_id'], ['id'])\n",
    after=(
        "op.create_foreign_key(\n"
        "    'fk_order_user', 'orders', 'users', ['user_id'], ['id'], ondelete='CASCADE'\n"
        ")\n"
    ),
)
def check_fk_ondelete(ctx: FileContext) -> Iterator[Hit]:
    for call in _op_calls(ctx, "upgrade", {"create_foreign_key", "create_table", "add_column"}):
        if call.func.attr == "create_foreign_key":  # type: ignore[attr-defined]
            if keyword(call, "ondelete") is None:
                yield Hit.at(call, "create_foreign_key without ondelete")
            continue
        for inner in ast.walk(call):
            if (
                isinstance(inner, ast.Call)
                and last_name(inner.func) in {"ForeignKey", "ForeignKeyConstraint"}
                and keyword(inner, "ondelete") is None
            ):
                yield Hit.at(inner, f"{last_name(inner.func)} without ondelete")
