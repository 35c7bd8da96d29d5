"""What a rule sees: one parsed file (FileContext) or the reviewed tree (ProjectContext)."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from reviewer.engine.names import BUILTIN_NAMES, ImportMap, bound_names, dotted_name

N = TypeVar("N", bound=ast.AST)
T = TypeVar("T")
ScopeNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef
_SCOPE_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)

# Leaf nodes that only qualify their parent (Load/Store, +, and, ==, not): a third of a
# tree's nodes, asked for by no rule. The walk skips them in single fields (a Compare's
# list of operators is cheaper to keep than to filter); nodes() refuses to list them.
_NOT_INDEXED = frozenset(
    kind
    for base in (ast.expr_context, ast.operator, ast.boolop, ast.cmpop, ast.unaryop)
    for kind in base.__subclasses__()
)

# The line breaks the tokenizer counts (str.splitlines would also split on \f, \x1c, ...).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(source: str) -> list[str]:
    return _LINE_BREAK.split(source)


def span(node: ast.AST) -> tuple[tuple[int, int], tuple[int, int]]:
    """((line, column), (end line, end column)) of a node; (0, 0)s for a node without a
    position (a Module)."""
    return (
        (getattr(node, "lineno", 0), getattr(node, "col_offset", 0)),
        (getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0),
    )


def inside(node: ast.AST, outer: ast.AST) -> bool:
    """Whether ``node``'s source span lies within ``outer``'s."""
    (start, end), (outer_start, outer_end) = span(node), span(outer)
    return outer_start <= start and end <= outer_end


class FileContext:
    """One source file, decoded and parsed once; shared by every file rule."""

    def __init__(self, path: str, source: str, tree: ast.Module) -> None:
        self.path = path  # POSIX, relative to the reviewed root
        self.source = source
        self.tree = tree
        self.lines = split_lines(source)
        # Memos keyed by node id: the tree outlives the context, so ids are not reused.
        self._local_names: dict[int, frozenset[str]] = {}
        self._qualified: dict[int, str | None] = {}
        self._memo: dict[str, object] = {}

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per file: for data several rules (or several calls of one
        rule) derive from the same tree."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[return-value]

    @cached_property
    def posix_path(self) -> PurePosixPath:
        return PurePosixPath(self.path)

    def line(self, lineno: int) -> str:
        """The raw text of a 1-based line ("" when out of range)."""
        if 1 <= lineno <= len(self.lines):
            return self.lines[lineno - 1]
        return ""

    @cached_property
    def _index(self) -> dict[type[ast.AST], list[ast.AST]]:
        # Breadth-first like ast.walk (rules see nodes in the same order), reading each
        # node's attributes directly: ast.walk's generic iter_fields doubles the cost.
        index: dict[type[ast.AST], list[ast.AST]] = defaultdict(list)
        queue: list[ast.AST] = [self.tree]
        append = queue.append
        node_type = ast.AST
        for node in queue:  # appending while iterating a list visits the new items too
            index[type(node)].append(node)
            for value in node.__dict__.values():
                if type(value) is list:
                    for item in value:
                        if isinstance(item, node_type):
                            append(item)
                elif isinstance(value, node_type) and type(value) not in _NOT_INDEXED:
                    append(value)
        return index

    def nodes(self, kind: type[N]) -> list[N]:
        """Every node of exactly this type in the file (the tree is walked once per file,
        so rules should ask here rather than walk the tree themselves)."""
        if kind in _NOT_INDEXED:
            raise ValueError(f"{kind.__name__} nodes are not indexed: ask for their parents")
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
        found = self._local_names.get(id(scope))
        if found is None:
            found = self._local_names[id(scope)] = self._find_local_names(scope)
        return found

    def _find_local_names(self, scope: ScopeNode) -> frozenset[str]:
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
        start, end = span(node)
        containing = [
            scope
            for scope in self._scopes
            if scope is not node
            and (scope.lineno, scope.col_offset) <= start
            and end <= (scope.end_lineno or 0, scope.end_col_offset or 0)
        ]
        containing.sort(key=lambda s: (s.lineno, s.col_offset, -(s.end_lineno or 0)))
        return containing

    def loop_around(self, node: ast.AST) -> ast.For | ast.AsyncFor | ast.While | None:
        """The innermost loop whose body runs ``node`` on every iteration, in the same
        function (a function, lambda or class defined inside the loop body is a boundary:
        code there does not run per iteration). None when there is no such loop."""
        start, end = span(node)
        best: ast.For | ast.AsyncFor | ast.While | None = None
        best_start = (0, 0)
        for loop in self._loops:
            first, last = loop.body[0], loop.body[-1]
            body_start = (first.lineno, first.col_offset)
            body_end = (last.end_lineno or 0, last.end_col_offset or 0)
            if body_start <= start and end <= body_end and body_start >= best_start:
                best, best_start = loop, body_start
        if best is None:
            return None
        for scope in self._scopes:
            if scope is node:
                continue
            scope_start = (scope.lineno, scope.col_offset)
            scope_end = (scope.end_lineno or 0, scope.end_col_offset or 0)
            if best_start <= scope_start and scope_start <= start and end <= scope_end:
                return None
        return best

    @cached_property
    def _loops(self) -> list[ast.For | ast.AsyncFor | ast.While]:
        return [*self.nodes(ast.For), *self.nodes(ast.AsyncFor), *self.nodes(ast.While)]

    def qualified(self, expr: ast.expr) -> str | None:
        """The dotted origin of a Name/Attribute chain: ``t.sleep`` -> ``time.sleep`` after
        ``import time as t``; an unshadowed builtin -> ``builtins.open``; None when the
        chain does not start with an imported name or a builtin."""
        key = id(expr)
        if key in self._qualified:
            return self._qualified[key]
        found = self._qualified[key] = self._qualify(expr)
        return found

    def _qualify(self, expr: ast.expr) -> str | None:
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
        summaries: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.root = root
        self.paths = list(paths)  # reviewed Python files, relative POSIX, sorted
        self._loader = loader
        self._cache: dict[str, FileContext | None] = {}
        self._summaries = summaries or {}

    def summaries(self, summarize: Callable[[FileContext], Any]) -> Mapping[str, Any]:
        """What ``summarize`` returned for each reviewed file, by path (files where it
        returned None are left out). ``summarize`` must be the rule's own ``summarize``."""
        name = f"{summarize.__module__}.{summarize.__qualname__}"
        return self._summaries.get(name, {})

    def loaded(self, path: str) -> FileContext | None:
        """The file if a rule already parsed it (never parses)."""
        return self._cache.get(path)

    def file(self, path: str) -> FileContext | None:
        if path not in self._cache:
            self._cache[path] = self._loader(path)
        return self._cache[path]
