"""Lazy loading rules (SA005 N+1, SA006 lazy access in async code).

A per-repository index of the SQLAlchemy relationships (name and ``lazy=`` strategy) is
built from every file that declares ``relationship(...)``. Then, in each function, a
loop over query results (a query in the function, or a call to a function of the same
module that returns one) that touches a relationship left lazy is an N+1, unless the
function (or that helper) asks for an eager load (``selectinload``, ``joinedload``, ...).
In ``async def`` code the same access raises at run time: that is SA006.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from typing import Any

from reviewer.engine.context import FileContext, ProjectContext, inside
from reviewer.engine.registry import Hit, project_rule
from reviewer.engine.rules.helpers import keyword, last_name

_SAFE_LAZY = {
    "selectin",
    "joined",
    "subquery",
    "immediate",
    "raise",
    "raise_on_sql",
    "noload",
    "dynamic",
    "write_only",
}
_EAGER = {
    "selectinload",
    "joinedload",
    "subqueryload",
    "immediateload",
    "contains_eager",
    "raiseload",
    "defaultload",
    "options",
}
_RESULT_METHODS = {
    "all",
    "scalars",
    "fetchall",
    "unique",
    "query",
    "execute",
    "scalar_one",
    "stream",
    "stream_scalars",
}
_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _relationships(file: FileContext) -> tuple[list[str], list[str]]:
    """Class attributes of the file: (relationship names left lazy, every other name,
    safe relationships included)."""
    lazy: list[str] = []
    other: list[str] = []
    for cls in file.nodes(ast.ClassDef):
        for stmt in cls.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                names, value = [stmt.target.id], stmt.value
            elif isinstance(stmt, ast.Assign):
                names = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
                value = stmt.value
            else:
                continue
            if isinstance(value, ast.Call) and last_name(value.func) == "relationship":
                mode = keyword(value, "lazy")
                strategy = (
                    mode.value.value
                    if mode is not None and isinstance(mode.value, ast.Constant)
                    else "select"
                )
                (other if strategy in _SAFE_LAZY else lazy).extend(names)
            else:
                other.extend(names)
    return lazy, other


def summarize_loading(file: FileContext) -> dict[str, list[Any]] | None:
    """What SA005/SA006 need from one file: its relationship declarations, and every
    ``row.attr`` read in a loop over query results with no eager load (any attribute:
    which ones are lazy relationships is only known once every file is summarised)."""
    summary: dict[str, list[Any]] = {}
    if "relationship" in file.source:
        lazy, other = _relationships(file)
        if lazy or other:
            summary["lazy"], summary["other"] = lazy, other
    if "for " in file.source:
        reads = [
            (node.lineno, node.col_offset, where, node.attr, is_async, loop_line)
            for node, where, is_async, loop_line in _loop_reads(file)
        ]
        if reads:
            summary["reads"] = reads
    return summary or None


def lazy_relationships(summaries: Mapping[str, dict[str, list[Any]]]) -> set[str]:
    """Names of relationships with the default (lazy select) strategy, across the tree,
    minus names that are also something else on some class (a column, a safe relation)."""
    lazy: set[str] = set()
    other: set[str] = set()
    for summary in summaries.values():
        lazy.update(summary.get("lazy", ()))
        other.update(summary.get("other", ()))
    return lazy - other


def _lazy_reads(ctx: ProjectContext, want_async: bool) -> Iterator[tuple[str, int, int, str]]:
    summaries = ctx.summaries(summarize_loading)
    lazy = lazy_relationships(summaries)
    if not lazy:
        return
    for path in sorted(summaries):
        seen: set[tuple[int, str]] = set()
        for line, column, where, attr, is_async, loop_line in sorted(
            summaries[path].get("reads", ())
        ):
            # One finding per relationship per loop: the first read loads it, the
            # others in the same iteration reuse what it loaded.
            if attr in lazy and is_async == want_async and (loop_line, where) not in seen:
                seen.add((loop_line, where))
                yield path, line, column, where


def _any_inside(nodes: list[ast.Call], outer: ast.AST) -> bool:
    return any(inside(n, outer) for n in nodes)


def _function_of(file: FileContext, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The innermost function around ``node`` (None at module or class level)."""
    for scope in reversed(file.enclosing_scopes(node)):
        if isinstance(scope, _FUNCS):
            return scope
        if isinstance(scope, ast.Lambda | ast.ClassDef):
            return None
    return None


def _loop_reads(file: FileContext) -> Iterator[tuple[ast.Attribute, str, bool, int]]:
    """``(row.attr node, "row.attr", in async code, loop line)`` for each attribute read on the
    variable of a loop over query results, in a function that asks for no eager load.

    Works from the file's node index (queries, loops and reads are few) rather than
    walking each function: this runs on every file of every review."""
    calls = file.nodes(ast.Call)
    queries = [
        c for c in calls if isinstance(c.func, ast.Attribute) and c.func.attr in _RESULT_METHODS
    ]
    if not queries:
        return
    eager = [c for c in calls if last_name(c.func) in _EAGER]
    funcs: list[ast.FunctionDef | ast.AsyncFunctionDef] = [
        *file.nodes(ast.FunctionDef),
        *file.nodes(ast.AsyncFunctionDef),
    ]
    # A function that builds its statement with a helper of the module that asks for an
    # eager load (``stmt = self._query_for(...)``) loads eagerly too.
    eager_helpers = {f.name for f in funcs if _any_inside(eager, f)}
    helper_users = [c for c in calls if eager_helpers and last_name(c.func) in eager_helpers]
    lazy_funcs = [
        f for f in funcs if not _any_inside(eager, f) and not _any_inside(helper_users, f)
    ]
    # Functions of the module returning a query's results without an eager load.
    helper_names = set()
    for ret in file.nodes(ast.Return):
        if ret.value is not None and _any_inside(queries, ret.value):
            func = _function_of(file, ret)
            if func is not None and func in lazy_funcs:
                helper_names.add(func.name)
    helper_calls = [c for c in calls if helper_names and last_name(c.func) in helper_names]
    sources = queries + helper_calls
    assigns = file.nodes(ast.Assign)
    attributes = file.nodes(ast.Attribute)
    results_of: dict[int, set[str]] = {}
    loops: list[ast.For | ast.AsyncFor] = [*file.nodes(ast.For), *file.nodes(ast.AsyncFor)]
    for loop in loops:
        if not isinstance(loop.target, ast.Name) or not loop.body:
            continue
        func = _function_of(file, loop)
        if func is None or func not in lazy_funcs:
            continue
        if id(func) not in results_of:
            results_of[id(func)] = {
                t.id
                for a in assigns
                if inside(a, func) and _any_inside(sources, a.value)
                for t in a.targets
                if isinstance(t, ast.Name)
            }
        source = loop.iter
        from_query = (
            isinstance(source, ast.Name) and source.id in results_of[id(func)]
        ) or _any_inside(sources, source)
        if not from_query:
            continue
        var = loop.target.id
        first, last = loop.body[0], loop.body[-1]
        body_start = (first.lineno, first.col_offset)
        body_end = (last.end_lineno or 0, last.end_col_offset or 0)
        for node in attributes:
            if (
                isinstance(node.value, ast.Name)
                and node.value.id == var
                and body_start <= (node.lineno, node.col_offset)
                and (node.end_lineno or 0, node.end_col_offset or 0) <= body_end
            ):
                yield (
                    node,
                    f"{var}.{node.attr}",
                    isinstance(func, ast.AsyncFunctionDef),
                    loop.lineno,
                )


@project_rule(
    id="SA005",
    title="N+1 query: lazy relationship loaded in a loop",
    severity="important",
    confidence=75,
    category="sqlalchemy",
    summarize=summarize_loading,
    explanation=(
        "Looping over query results and touching a relationship that loads lazily runs "
        "one more query per row: 1 query for the list, N for the relationships. It is "
        "fast with test data and falls over in production. Load the relationship with "
        "the query (`selectinload` / `joinedload` in `.options()`), or set a loading "
        "strategy on the relationship."
    ),
    before=(
        "authors = session.scalars(select(Author)).all()\n"
        "for author in authors:\n"
        "    print(len(author.books))\n"
    ),
    after=(
        "authors = session.scalars(select(Author).options(selectinload(Author.books))).all()\n"
        "for author in authors:\n"
        "    print(len(author.books))\n"
    ),
)
def check_n_plus_one(ctx: ProjectContext) -> Iterator[Hit]:
    for path, line, column, where in _lazy_reads(ctx, want_async=False):
        yield Hit(line, column, f"{where} loads lazily on every iteration", path=path)


@project_rule(
    id="SA006",
    title="Lazy relationship accessed in async code",
    severity="important",
    confidence=75,
    category="sqlalchemy",
    summarize=summarize_loading,
    explanation=(
        "With an AsyncSession, touching a relationship that was not loaded makes "
        "SQLAlchemy try a synchronous lazy load, which fails (MissingGreenlet) at run "
        "time. Load it in the query with `selectinload`/`joinedload`, or declare the "
        'relationship `lazy="raise"` (or `selectin`) so the mistake is caught early.'
    ),
    before=(
        "users = (await session.scalars(select(User))).all()\n"
        "for user in users:\n"
        "    names = [o.id for o in user.orders]\n"
    ),
    after=(
        "stmt = select(User).options(selectinload(User.orders))\n"
        "users = (await session.scalars(stmt)).all()\n"
        "for user in users:\n"
        "    names = [o.id for o in user.orders]\n"
    ),
)
def check_async_lazy(ctx: ProjectContext) -> Iterator[Hit]:
    for path, line, column, where in _lazy_reads(ctx, want_async=True):
        yield Hit(line, column, f"{where} is a lazy load inside async code", path=path)
