"""Alembic rules (AL)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from reviewer.engine.context import FileContext
from reviewer.engine.registry import Hit, rule


def _top_level_function(tree: ast.Module, name: str) -> ast.FunctionDef | None:
    found = None
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name == name:
            found = stmt  # the last definition wins, as at import time
    return found


def _assigns(tree: ast.Module, name: str) -> bool:
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, ast.AnnAssign):
            targets = [stmt.target]
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return True
    return False


def is_revision_file(ctx: FileContext) -> bool:
    """A file in a ``versions/`` folder with a top-level ``upgrade()`` and ``revision =``."""
    return (
        "versions" in ctx.posix_path.parts[:-1]
        and _top_level_function(ctx.tree, "upgrade") is not None
        and _assigns(ctx.tree, "revision")
    )


def _statements(func: ast.FunctionDef) -> list[ast.stmt]:
    """The body without a docstring, ``pass`` or ``...``."""
    body = list(func.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return [
        s
        for s in body
        if not isinstance(s, ast.Pass)
        and not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
    ]


#: ``op.*`` calls that do not change the schema.
_DATA_OPS = frozenset({"execute", "get_bind", "get_context", "f", "inline_literal", "bulk_insert"})
_DDL_TEXT = ("alter ", "create ", "drop ", "rename ", "comment on ")
#: ``ALTER TYPE status ADD VALUE 'x'``: PostgreSQL cannot remove an enum value again, so
#: a downgrade that leaves it is the honest one (the value is unused once the code that
#: wrote it is rolled back).
_ENUM_ADD_VALUE = re.compile(r"\s*alter\s+type\s+\S+\s+add\s+value\b", re.I)


def _data_only(upgrade: ast.FunctionDef) -> bool:
    """``upgrade()`` changes rows only: no ``op.*`` schema operation and no DDL text
    other than adding enum values. Undoing a backfill, a data fix or a new enum value is
    rarely possible or wanted, so an empty ``downgrade()`` is the usual, honest answer
    there."""
    for node in ast.walk(upgrade):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id == "op" and node.func.attr not in _DATA_OPS:
                return False
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.lstrip().lower().startswith(_DDL_TEXT)
            and not _ENUM_ADD_VALUE.match(node.value)
        ):
            return False
    return True


def _explained(ctx: FileContext, func: ast.FunctionDef) -> bool:
    """A ``# comment`` inside the function: the authors say why it does nothing."""
    end = func.end_lineno or func.lineno
    return any(ctx.line(n).lstrip().startswith("#") for n in range(func.lineno + 1, end + 1))


@rule(
    id="AL001",
    title="Irreversible migration: downgrade() does nothing",
    severity="important",
    confidence=95,
    category="alembic",
    debt_kind="alembic",
    debt_minutes=45,
    explanation=(
        "A revision whose `downgrade()` is missing, empty or only raises cannot be rolled "
        "back. When a deploy goes wrong, `alembic downgrade` then either fails or, worse, "
        "records the older revision while the schema stays as it was, so the next "
        "upgrade breaks. Write the inverse of every operation in `upgrade()` (drop what "
        "was created, re-create what was dropped, restore data when it can be restored). "
        "If a step truly cannot be undone, say so in the revision and plan the rollback "
        "(a backup, a forward fix) before it is deployed."
    ),
    before=(
        "def upgrade() -> None:\n"
        '    op.add_column("books", sa.Column("isbn", sa.String(13)))\n'
        "\n"
        "def downgrade() -> None:\n"
        "    pass\n"
    ),
    after=(
        "def upgrade() -> None:\n"
        '    op.add_column("books", sa.Column("isbn", sa.String(13)))\n'
        "\n"
        "def downgrade() -> None:\n"
        '    op.drop_column("books", "isbn")\n'
    ),
)
def check_irreversible(ctx: FileContext) -> Iterator[Hit]:
    """In an Alembic revision file: ``downgrade()`` missing, or with nothing but a
    docstring, ``pass``, ``...`` or ``raise``. A revision whose ``upgrade()`` is itself a
    no-op (a merge revision) is reversible by doing nothing and is not flagged."""
    if not is_revision_file(ctx):
        return
    upgrade = _top_level_function(ctx.tree, "upgrade")
    assert upgrade is not None
    upgrade_body = _statements(upgrade)
    if not upgrade_body or all(isinstance(s, ast.Raise) for s in upgrade_body):
        return
    downgrade = _top_level_function(ctx.tree, "downgrade")
    if downgrade is None:
        if not _assigns(ctx.tree, "downgrade"):
            yield Hit.at(upgrade, "This revision has an `upgrade()` but no `downgrade()`.")
        return
    body = _statements(downgrade)
    if not body:
        if _data_only(upgrade) or _explained(ctx, downgrade):
            return  # a data migration, or a no-op the authors explain in a comment
        yield Hit.at(downgrade, "`downgrade()` does nothing, so this revision cannot be undone.")
    elif all(isinstance(s, ast.Raise) for s in body):
        yield Hit.at(
            downgrade,
            "`downgrade()` only raises, so this revision cannot be undone.",
            confidence=85,
        )
