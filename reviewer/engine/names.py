"""What a name in a module refers to: import aliases resolved to dotted origins.

Rules ask "is this call ``time.sleep``?" and must answer the same for ``time.sleep``,
``t.sleep`` after ``import time as t`` and ``sleep`` after ``from time import sleep``,
and must *not* answer yes for a local variable that happens to be called ``requests``.
Resolution is per module and flow-insensitive: every import anywhere in the file counts
(imports inside functions included), which is what real code needs in practice.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable
from typing import Protocol, TypeVar

N = TypeVar("N", bound=ast.AST)

BUILTIN_NAMES = frozenset(dir(builtins))


def dotted_name(expr: ast.expr) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, None for anything else (calls, subscripts)."""
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    parts.append(expr.id)
    return ".".join(reversed(parts))


class ImportMap:
    """Local names bound by ``import`` statements, mapped to what they import.

    ``import a.b`` binds ``a`` -> ``a``; ``import a.b as x`` binds ``x`` -> ``a.b``;
    ``from a import b as y`` binds ``y`` -> ``a.b``; relative imports keep their dots
    (``from .models import Base`` -> ``.models.Base``). ``from m import *`` is recorded in
    ``star_modules``.
    """

    def __init__(self, statements: Iterable[ast.Import | ast.ImportFrom]) -> None:
        self.aliases: dict[str, str] = {}
        self.star_modules: set[str] = set()
        for node in sorted(statements, key=lambda n: (n.lineno, n.col_offset)):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.aliases[alias.asname] = alias.name
                    else:
                        head = alias.name.split(".", 1)[0]
                        self.aliases[head] = head
            elif isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
                for alias in node.names:
                    if alias.name == "*":
                        self.star_modules.add(module)
                        continue
                    origin = f"{module}.{alias.name}" if module.strip(".") else module + alias.name
                    self.aliases[alias.asname or alias.name] = origin

    def resolve(self, dotted: str) -> str | None:
        """The dotted origin of ``dotted`` if its first part was imported, else None."""
        head, _, rest = dotted.partition(".")
        origin = self.aliases.get(head)
        if origin is None:
            return None
        return f"{origin}.{rest}" if rest else origin


class NodeIndex(Protocol):
    def __call__(self, kind: type[N], /) -> list[N]: ...


def bound_names(nodes: NodeIndex) -> frozenset[str]:
    """Every name the module binds other than by import: definitions, assignment targets,
    parameters, ``except ... as``, pattern captures (class members excepted). Used to
    tell a builtin from a local.
    ``nodes(kind)`` returns the module's nodes of one type."""
    names: set[str] = set()
    # A method called ``open`` does not hide the builtin from the module's functions.
    members = {id(stmt) for cls in nodes(ast.ClassDef) for stmt in cls.body}
    definitions: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef] = [
        *nodes(ast.FunctionDef),
        *nodes(ast.AsyncFunctionDef),
        *nodes(ast.ClassDef),
    ]
    names.update(d.name for d in definitions if id(d) not in members)
    names.update(node.id for node in nodes(ast.Name) if not isinstance(node.ctx, ast.Load))
    names.update(node.arg for node in nodes(ast.arg))
    names.update(node.name for node in nodes(ast.ExceptHandler) if node.name)
    names.update(node.name for node in nodes(ast.MatchAs) if node.name)
    names.update(node.name for node in nodes(ast.MatchStar) if node.name)
    return frozenset(names)
