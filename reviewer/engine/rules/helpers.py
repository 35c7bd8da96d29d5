"""Small AST helpers shared by rule modules."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from reviewer.engine.context import FileContext


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw
    return None


def is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def last_name(expr: ast.expr) -> str:
    """``sa.orm.relationship`` -> ``relationship``; ``x`` -> ``x``; else "" (the last part
    of :func:`dotted_name`, without building the whole name: rules call this a lot)."""
    if isinstance(expr, ast.Name):
        return expr.id
    if not isinstance(expr, ast.Attribute):
        return ""
    inner = expr.value
    while isinstance(inner, ast.Attribute):
        inner = inner.value
    return expr.attr if isinstance(inner, ast.Name) else ""


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)


def _push_children(stack: list[ast.AST], node: ast.AST) -> None:
    """``stack.extend(ast.iter_child_nodes(node))``, reading the node's attributes
    directly (a parsed node's ``__dict__`` holds its fields in ``_fields`` order, then
    its int positions): the generic ``iter_fields`` was most of these walks' time."""
    append = stack.append
    for value in node.__dict__.values():
        if type(value) is list:
            for item in value:
                if isinstance(item, ast.AST):
                    append(item)
        elif isinstance(value, ast.AST):
            append(value)


def calls_in(nodes: list[ast.stmt]) -> Iterator[ast.Call]:
    """Calls in ``nodes`` without entering nested functions or classes."""
    stack: list[ast.AST] = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, _SCOPES):
            continue
        if isinstance(node, ast.Call):
            yield node
        _push_children(stack, node)


def loops_in(func: ast.AST) -> Iterator[ast.For | ast.AsyncFor | ast.While]:
    """Loops in a function body (or module), not those of nested functions."""
    stack: list[ast.AST] = []
    _push_children(stack, func)
    while stack:
        node = stack.pop()
        if isinstance(node, _SCOPES):
            continue
        if isinstance(node, _LOOPS):
            yield node
        _push_children(stack, node)


def is_test_code(ctx: FileContext) -> bool:
    """A test module, a conftest, or any file under a ``tests``/``test``/``testing``
    folder (rules about production behaviour leave these alone)."""
    stem = ctx.posix_path.stem
    return (
        stem.startswith("test_")
        or stem.endswith("_test")
        or stem == "conftest"
        or any(p in {"tests", "test", "testing"} for p in ctx.posix_path.parts[:-1])
    )


def _dialect_test(test: ast.expr) -> tuple[bool, set[str]] | None:
    """(positive, dialect names) of ``x.dialect.name == "sqlite"`` / ``dialect_name in
    ("mysql", "sqlite")`` (positive False for != / not in); None for other tests."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return None
    sides = [test.left, *test.comparators]
    if not any(
        "dialect" in (ast.unparse(side) if not isinstance(side, ast.Constant) else "")
        for side in sides
    ):
        return None
    names: set[str] = set()
    for side in sides:
        items = side.elts if isinstance(side, ast.Tuple | ast.List | ast.Set) else [side]
        for item in items:
            if isinstance(item, ast.Constant) and isinstance(item.value, str):
                names.add(item.value.lower())
    if not names:
        return None
    op = test.ops[0]
    if isinstance(op, ast.Eq | ast.In):
        return True, names
    if isinstance(op, ast.NotEq | ast.NotIn):
        return False, names
    return None


def runs_on_dialect(ctx: FileContext, node: ast.AST, dialect: str) -> bool | None:
    """Whether a dialect guard around a migration statement lets it run on ``dialect``:
    False inside ``if op.get_bind().dialect.name == "sqlite":`` for "postgresql", True
    inside ``== "postgresql"``; None when no guard around it decides (the innermost
    guard that decides wins)."""
    decided: bool | None = None
    best: tuple[int, int] = (0, 0)
    here = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
    for branch in ctx.nodes(ast.If):
        parsed = _dialect_test(branch.test)
        if parsed is None:
            continue
        positive, names = parsed
        named = dialect in names
        for body, in_body in ((branch.body, True), (branch.orelse, False)):
            if not body:
                continue
            first, last = body[0], body[-1]
            start = (first.lineno, first.col_offset)
            end = (last.end_lineno or 0, last.end_col_offset or 0)
            if not (start <= here <= end and start >= best):
                continue
            # The branch runs exactly on ``names`` (== in body, != in else) or on
            # everything but ``names`` (== in else, != in body).
            only_names = positive == in_body
            verdict: bool | None = named if only_names else (False if named else None)
            if verdict is not None:
                decided, best = verdict, start
    return decided
