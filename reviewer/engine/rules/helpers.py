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


def calls_in(nodes: list[ast.stmt]) -> Iterator[ast.Call]:
    """Calls in ``nodes`` without entering nested functions or classes."""
    stack: list[ast.AST] = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def loops_in(func: ast.AST) -> Iterator[ast.For | ast.AsyncFor | ast.While]:
    """Loops in a function body (or module), not those of nested functions."""
    stack: list[ast.AST] = list(ast.iter_child_nodes(func))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        if isinstance(node, ast.For | ast.AsyncFor | ast.While):
            yield node
        stack.extend(ast.iter_child_nodes(node))


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
