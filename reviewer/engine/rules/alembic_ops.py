"""Alembic operation rules: data loss, locking and missing defaults in revisions
(AL002-AL004, AL009)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from reviewer.engine.context import FileContext
from reviewer.engine.names import dotted_name
from reviewer.engine.registry import Hit, rule
from reviewer.engine.rules.alembic import _top_level_function, is_revision_file
from reviewer.engine.rules.helpers import calls_in, is_true, keyword, last_name, runs_on_dialect


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
    calls = list(_op_calls(ctx, "upgrade", {"drop_column", "drop_table", "add_column"}))
    readded = {
        (_text(c.args[0]), _text(col.args[0]))
        for c in calls
        if c.func.attr == "add_column" and c.args  # type: ignore[attr-defined]
        for col in _column_calls(c)
        if col.args
    }
    for call in calls:
        kind = call.func.attr  # type: ignore[attr-defined]
        if kind == "add_column":
            continue
        names = [_text(a) for a in call.args[:2]]
        if kind == "drop_column" and tuple(names) in readded:
            continue  # dropped and added again (e.g. as a computed column): a type change
        if _said_so(ctx, call) or _copied_before(ctx, call, names[-1]):
            continue
        yield Hit.at(call, f"{kind}() in upgrade(): the data is lost")


def _text(node: ast.expr) -> str:
    return str(node.value).lower() if isinstance(node, ast.Constant) else ast.unparse(node)


def _said_so(ctx: FileContext, call: ast.Call) -> bool:
    """A comment line right above the drop explains it."""
    return call.lineno > 1 and ctx.line(call.lineno - 1).lstrip().startswith("#")


def _copied_before(ctx: FileContext, call: ast.Call, name: str) -> bool:
    """SQL earlier in ``upgrade()`` reads the dropped column or table (an INSERT ... SELECT
    or UPDATE that moves the data first)."""
    if not name or not name.isidentifier():
        return False
    moves = ctx.memo("alembic_ops.upgrade_moves_data", lambda: _upgrade_moves_data(ctx))
    if not moves:
        return False
    word = re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE)
    return any(line < call.lineno and word.search(text) for line, text in moves)


def _upgrade_moves_data(ctx: FileContext) -> list[tuple[int, str]]:
    """(line, text) of the string literals in ``upgrade()`` that move data (SQL), walked
    once per file rather than once per drop."""
    upgrade = next(
        (s for s in ctx.tree.body if isinstance(s, ast.FunctionDef) and s.name == "upgrade"),
        None,
    )
    if upgrade is None:
        return []
    found = [
        (node.lineno, str(node.value))
        for node in ast.walk(upgrade)
        if isinstance(node, ast.Constant) and _moving_sql(node)
    ]
    # Helpers of the revision that upgrade() calls (``migrate_favorites()``, and what
    # they call) count at the line of their call in upgrade().
    helpers = {s.name: s for s in ctx.tree.body if isinstance(s, ast.FunctionDef)}
    for call in ast.walk(upgrade):
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
            continue
        seen: set[str] = set()
        todo = [call.func.id]
        while todo:
            name = todo.pop()
            helper = helpers.get(name)
            if helper is None or name in seen or name == "upgrade":
                continue
            seen.add(name)
            for node in ast.walk(helper):
                if isinstance(node, ast.Constant) and _moving_sql(node):
                    found.append((call.lineno, str(node.value)))
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    todo.append(node.func.id)
    return found


def _moving_sql(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and _MOVES_DATA.search(node.value) is not None
    )


# An INSERT ... SELECT / UPDATE that moves the values, or a DELETE that keeps only the
# rows the column no longer needs to tell apart (``DELETE ... WHERE NOT enabled``).
_MOVES_DATA = re.compile(r"\b(insert\s+into|update|select|delete\s+from)\b", re.IGNORECASE)
_EMPTIED = re.compile(r"^\s*(?:delete\s+from|truncate(?:\s+table)?)\s+\"?(\w+)\"?\s*;?\s*$", re.I)


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
    emptied = _emptied_tables(ctx)
    for call in _op_calls(ctx, "upgrade", {"add_column"}):
        table = _text(call.args[0]) if call.args else ""
        if any(name == table and line < call.lineno for name, line in emptied):
            continue  # the table was emptied first: no existing row lacks the value
        for column in _column_calls(call):
            if any(last_name(a.func) == "Computed" for a in column.args if isinstance(a, ast.Call)):
                continue  # the database computes the value for existing rows
            nullable = keyword(column, "nullable")
            if (
                nullable is not None
                and isinstance(nullable.value, ast.Constant)
                and nullable.value.value is False
                and keyword(column, "server_default") is None
                and not is_true(kw.value if (kw := keyword(column, "primary_key")) else None)
            ):
                yield Hit.at(column, "NOT NULL column added with no server_default")


def _emptied_tables(ctx: FileContext) -> list[tuple[str, int]]:
    """(table, line) of ``DELETE FROM t`` / ``TRUNCATE t`` without a WHERE in upgrade()."""
    upgrade = next(
        (s for s in ctx.tree.body if isinstance(s, ast.FunctionDef) and s.name == "upgrade"),
        None,
    )
    found: list[tuple[str, int]] = []
    if upgrade is None:
        return found
    for node in ast.walk(upgrade):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = _EMPTIED.match(node.value)
            if match:
                found.append((match.group(1).lower(), node.lineno))
    return found


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
        if runs_on_dialect(ctx, call, "postgresql") is False:
            continue  # under `if dialect.name == "sqlite":`: CONCURRENTLY is PostgreSQL's
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
