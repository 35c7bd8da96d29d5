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
from collections.abc import Iterator

from reviewer.engine.context import FileContext, ProjectContext
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


def lazy_relationships(ctx: ProjectContext) -> set[str]:
    """Names of relationships with the default (lazy select) strategy, across the tree,
    minus names that are also something else on some class (a column, a safe relation)."""
    lazy: set[str] = set()
    other: set[str] = set()
    for path in ctx.paths:
        try:
            if "relationship" not in (ctx.root / path).read_text("utf-8", errors="ignore"):
                continue
        except OSError:
            continue
        file = ctx.file(path)
        if file is None:
            continue
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
                    (other if strategy in _SAFE_LAZY else lazy).update(names)
                else:
                    other.update(names)
    return lazy - other


def _is_query(expr: ast.AST) -> bool:
    for node in ast.walk(expr):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _RESULT_METHODS
        ):
            return True
    return False


def _eager(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and last_name(n.func) in _EAGER for n in ast.walk(node))


def _query_helpers(file: FileContext) -> set[str]:
    """Functions of the module returning a query's results without an eager load."""
    helpers = set()
    for func in file.nodes(ast.FunctionDef) + file.nodes(ast.AsyncFunctionDef):
        if _eager(func):
            continue
        returns = [n for n in ast.walk(func) if isinstance(n, ast.Return) and n.value]
        if returns and any(_is_query(r) for r in returns):
            helpers.add(func.name)
    return helpers


def _calls_helper(expr: ast.AST, helpers: set[str]) -> bool:
    return any(isinstance(n, ast.Call) and last_name(n.func) in helpers for n in ast.walk(expr))


def _findings(
    file: FileContext, lazy: set[str], want_async: bool
) -> Iterator[tuple[ast.Attribute, str]]:
    helpers = _query_helpers(file)
    funcs = file.nodes(ast.AsyncFunctionDef) if want_async else file.nodes(ast.FunctionDef)
    for func in funcs:
        if _eager(func):
            continue
        results: set[str] = set()
        for node in ast.walk(func):
            if isinstance(node, ast.Assign) and (
                _is_query(node.value) or _calls_helper(node.value, helpers)
            ):
                results.update(t.id for t in node.targets if isinstance(t, ast.Name))
        for loop in ast.walk(func):
            if not isinstance(loop, ast.For | ast.AsyncFor) or not isinstance(
                loop.target, ast.Name
            ):
                continue
            source = loop.iter
            from_query = (
                (isinstance(source, ast.Name) and source.id in results)
                or _is_query(source)
                or _calls_helper(source, helpers)
            )
            if not from_query:
                continue
            var = loop.target.id
            for stmt in loop.body:
                for node in ast.walk(stmt):
                    if (
                        isinstance(node, ast.Attribute)
                        and isinstance(node.value, ast.Name)
                        and node.value.id == var
                        and node.attr in lazy
                    ):
                        yield node, f"{var}.{node.attr}"


def _candidates(ctx: ProjectContext, lazy: set[str]) -> Iterator[FileContext]:
    for path in ctx.paths:
        try:
            text = (ctx.root / path).read_text("utf-8", errors="ignore")
        except OSError:
            continue
        if "for " not in text or not any("." + name in text for name in lazy):
            continue
        file = ctx.file(path)
        if file is not None:
            yield file


@project_rule(
    id="SA005",
    title="N+1 query: lazy relationship loaded in a loop",
    severity="critical",
    confidence=75,
    category="sqlalchemy",
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
    lazy = lazy_relationships(ctx)
    if not lazy:
        return
    for file in _candidates(ctx, lazy):
        for node, where in _findings(file, lazy, want_async=False):
            yield Hit.at(node, f"{where} loads lazily on every iteration", path=file.path)


@project_rule(
    id="SA006",
    title="Lazy relationship accessed in async code",
    severity="critical",
    confidence=75,
    category="sqlalchemy",
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
    lazy = lazy_relationships(ctx)
    if not lazy:
        return
    for file in _candidates(ctx, lazy):
        for node, where in _findings(file, lazy, want_async=True):
            yield Hit.at(node, f"{where} is a lazy load inside async code", path=file.path)
