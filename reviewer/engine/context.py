"""What a rule sees: one parsed file (FileContext) or the reviewed tree (ProjectContext)."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import TypeVar

from reviewer.engine.names import BUILTIN_NAMES, ImportMap, bound_names, dotted_name

N = TypeVar("N", bound=ast.AST)
ScopeNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef
_SCOPE_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)

# The line breaks the tokenizer counts (str.splitlines would also split on \f, \x1c, ...).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(source: str) -> list[str]:
    return _LINE_BREAK.split(source)


class FileContext:
    """One source file, decoded and parsed once; shared by every file rule."""

    def __init__(self, path: str, source: str, tree: ast.Module) -> None:
        self.path = path  # POSIX, relative to the reviewed root
        self.source = source
        self.tree = tree
        self.lines = split_lines(source)

    @property
    def posix_path(self) -> PurePosixPath:
        return PurePosixPath(self.path)

    def line(self, lineno: int) -> str:
        """The raw text of a 1-based line ("" when out of range)."""
        if 1 <= lineno <= len(self.lines):
            return self.lines[lineno - 1]
        return ""

    @cached_property
    def _index(self) -> dict[type[ast.AST], list[ast.AST]]:
        index: dict[type[ast.AST], list[ast.AST]] = defaultdict(list)
        for node in ast.walk(self.tree):
            index[type(node)].append(node)
        return index

    def nodes(self, kind: type[N]) -> list[N]:
        """Every node of exactly this type in the file (the tree is walked once per file,
        so rules should ask here rather than walk the tree themselves)."""
        return self._index.get(kind, [])  # type: ignore[return-value]

    @cached_property
    def imports(self) -> ImportMap:
        return ImportMap([*self.nodes(ast.Import), *self.nodes(ast.ImportFrom)])

    @cached_property
    def bound_names(self) -> frozenset[str]:
        return bound_names(self.nodes)

    @cached_property
    def _scopes(self) -> list[ScopeNode]:
        found: list[ScopeNode] = []
        for kind in _SCOPE_TYPES:
            found.extend(self.nodes(kind))
        return found

    def local_names(self, scope: ScopeNode) -> frozenset[str]:
        """Names a function or lambda binds itself (parameters, assignments, imports in its
        body): inside it they hide the module's imports of the same name."""
        if isinstance(scope, ast.ClassDef):
            return frozenset()
        args = scope.args
        names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
        names.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
        pending: list[ast.AST] = [scope.body] if isinstance(scope, ast.Lambda) else [*scope.body]
        while pending:
            node = pending.pop()
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                names.add(node.id)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
                continue
            elif isinstance(node, ast.Lambda):
                continue
            pending.extend(ast.iter_child_nodes(node))
        return frozenset(names)

    def enclosing_scopes(self, node: ast.AST) -> list[ScopeNode]:
        """The functions, lambdas and classes whose source span contains ``node``,
        outermost first (by position, so no parent links are needed)."""
        start = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
        end = (getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0)
        containing = [
            scope
            for scope in self._scopes
            if scope is not node
            and (scope.lineno, scope.col_offset) <= start
            and end <= (scope.end_lineno or 0, scope.end_col_offset or 0)
        ]
        containing.sort(key=lambda s: (s.lineno, s.col_offset, -(s.end_lineno or 0)))
        return containing

    def qualified(self, expr: ast.expr) -> str | None:
        """The dotted origin of a Name/Attribute chain: ``t.sleep`` -> ``time.sleep`` after
        ``import time as t``; an unshadowed builtin -> ``builtins.open``; None when the
        chain does not start with an imported name or a builtin."""
        dotted = dotted_name(expr)
        if dotted is None:
            return None
        resolved = self.imports.resolve(dotted)
        if resolved is not None:
            return resolved
        head = dotted.split(".", 1)[0]
        if head in BUILTIN_NAMES and head not in self.bound_names:
            return f"builtins.{dotted}"
        return None


class ProjectContext:
    """The whole reviewed tree, for project rules. Files are parsed on demand (and only
    once); ``file()`` returns None for a file that cannot be read or parsed."""

    def __init__(
        self,
        root: Path,
        paths: Sequence[str],
        loader: Callable[[str], FileContext | None],
    ) -> None:
        self.root = root
        self.paths = list(paths)  # reviewed Python files, relative POSIX, sorted
        self._loader = loader
        self._cache: dict[str, FileContext | None] = {}

    def file(self, path: str) -> FileContext | None:
        if path not in self._cache:
            self._cache[path] = self._loader(path)
        return self._cache[path]
