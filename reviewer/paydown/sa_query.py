"""SA001: ``session.query(X)...terminal()`` -> ``session.scalars(select(X)...).terminal()``.

Only chains with one known meaning in 2.0 are rewritten: one mapped class as the entity
(no columns: those return rows, not objects), no joins (the legacy Query de-duplicated
joined rows of one entity, ``select()`` does not), only ``filter``, ``filter_by``,
``order_by``, ``limit``, ``offset`` and non-joined loader ``options`` in between, and a
terminal that returns results (``all``, ``first``, ``one``, ``one_or_none``, ``scalar``,
plain ``get``). An entity whose relationships load with a join gets ``.unique()``, which
the legacy Query applied by itself. A query kept in a variable, passed on, iterated,
built in steps or ended by ``update``/``delete``/``count`` is dynamic or changes
meaning, and is left for a person.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from reviewer.paydown.index import FileView
from reviewer.paydown.names import ModuleNames, dotted, last_name
from reviewer.paydown.snippets import statement_lines
from reviewer.paydown.types import Skip

_STEPS = frozenset({"filter", "filter_by", "order_by", "limit", "offset", "options", "where"})
_TERMINALS = frozenset({"all", "first", "one", "one_or_none", "scalar", "get"})
_SAFE_OPTIONS = frozenset(
    {
        "selectinload",
        "subqueryload",
        "lazyload",
        "raiseload",
        "noload",
        "load_only",
        "defer",
        "undefer",
        "defaultload",
    }
)
_SELECT_ORIGINS = frozenset(
    {"sqlalchemy.select", "sqlalchemy.future.select", "sqlalchemy.sql.select"}
)


@dataclass(frozen=True)
class QueryRewrite:
    terminal: str  # the method ending the chain in the original
    unique: bool  # the entity loads a relationship with a join: uniquify like Query did
    first: int  # the lines of the statement holding the chain
    last: int


def _parents_and_queries(
    tree: ast.AST, lines: set[int]
) -> tuple[dict[int, ast.AST], list[ast.Call]]:
    """Every node's parent, and the ``.query(...)`` calls starting on a reported line,
    in one walk."""
    parents: dict[int, ast.AST] = {}
    queries: list[ast.Call] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
            stack.append(child)
        if (
            isinstance(node, ast.Call)
            and node.lineno in lines
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "query"
        ):
            queries.append(node)
    return parents, queries


def _char_col(lines: list[str], line: int, byte_col: int) -> int:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))


def _chain_problem(
    query: ast.Call, parents: dict[int, ast.AST], index: FileView
) -> tuple[str | None, ast.Call | None]:
    """Why the chain starting at ``query`` cannot be rewritten, or its terminal call."""
    if len(query.args) != 1 or query.keywords:
        return "more than one entity: the query returns rows, not objects", None
    entity = query.args[0]
    entity_name = last_name(entity)
    if dotted(entity) is None or entity_name not in index.mapped:
        return "cannot tell that the queried thing is a mapped class (a column returns rows)", None
    node: ast.Call = query
    steps: list[str] = []
    while True:
        attribute = parents.get(id(node))
        call = parents.get(id(attribute)) if attribute is not None else None
        if not (
            isinstance(attribute, ast.Attribute)
            and attribute.value is node
            and isinstance(call, ast.Call)
            and call.func is attribute
        ):
            return "the query is kept, passed on or iterated: build the `select()` by hand", None
        method = attribute.attr
        if method in _TERMINALS:
            if method == "get" and (steps or len(call.args) != 1 or call.keywords):
                return "`.get()` after other steps or with options", None
            if method != "get" and (call.args or call.keywords):
                return f"`.{method}()` with arguments", None
            return None, call
        if method not in _STEPS:
            return f"`.{method}()` has no same-meaning step in a `select()` rewrite", None
        if method == "options":
            for option in call.args:
                if not isinstance(option, ast.Call) or last_name(option.func) not in _SAFE_OPTIONS:
                    return "loader options other than select-in/lazy loading", None
        if method in {"limit", "offset"} and (len(call.args) != 1 or call.keywords):
            return f"`.{method}()` with unusual arguments", None
        steps.append(method)
        node = call


def plan_queries(
    tree: ast.Module,
    lines: list[str],
    names: ModuleNames,
    index: FileView,
    finding_lines: set[int],
) -> tuple[dict[tuple[int, int], QueryRewrite], list[Skip]]:
    """Rewrites keyed by the end of the terminal method's name; skips for the rest.

    Only ``.query()`` calls the SA001 rule reported (``finding_lines``) are looked at:
    the rule has already decided that the receiver is an ORM session.
    """
    rewrites: dict[tuple[int, int], QueryRewrite] = {}
    skips: list[Skip] = []
    if not finding_lines:
        return rewrites, skips
    select_ok = "select" not in names.bound or names.imports.get("select") in _SELECT_ORIGINS
    parents, queries = _parents_and_queries(tree, finding_lines)
    for node in queries:
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "query"
            and node.lineno in finding_lines
        ):
            continue
        problem, terminal = _chain_problem(node, parents, index)
        if problem is None and not select_ok:
            problem = "`select` already means something else in this file"
        if problem is not None or terminal is None:
            skips.append(Skip("SA001", node.lineno, problem or "unknown"))
            continue
        func = terminal.func
        assert isinstance(func, ast.Attribute)
        end_line = func.end_lineno or func.lineno
        key = (end_line, _char_col(lines, end_line, func.end_col_offset or 0))
        statement: ast.AST = node
        while not isinstance(statement, ast.stmt):
            statement = parents[id(statement)]
        first, last = statement_lines(statement)
        unique = last_name(node.args[0]) in index.joined_eager
        rewrites[key] = QueryRewrite(func.attr, unique, first, last)
    return rewrites, skips


def _attr_call(value: cst.BaseExpression, name: str, args: list[cst.Arg]) -> cst.Call:
    return cst.Call(func=cst.Attribute(value=value, attr=cst.Name(name)), args=args)


class _RewriteQueries(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, rewrites: dict[tuple[int, int], QueryRewrite]) -> None:
        super().__init__()
        self.rewrites = rewrites
        self.done = 0

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        func = original_node.func
        if not isinstance(func, cst.Attribute):
            return updated_node
        end = self.get_metadata(PositionProvider, func.attr).end
        rewrite = self.rewrites.get((end.line, end.column))
        if rewrite is None:
            return updated_node
        new_func = cst.ensure_type(updated_node.func, cst.Attribute)
        # Walk down to `receiver.query(Entity)`, renaming filter -> where on the way.
        inner = new_func.value
        steps: list[tuple[cst.Call, cst.Attribute]] = []
        while True:
            call = cst.ensure_type(inner, cst.Call)
            attribute = cst.ensure_type(call.func, cst.Attribute)
            if attribute.attr.value == "query":
                break
            steps.append((call, attribute))
            inner = attribute.value
        receiver = attribute.value
        statement: cst.BaseExpression = call.with_changes(func=cst.Name("select"))
        for step_call, step_attribute in reversed(steps):
            name = step_attribute.attr.value
            renamed = step_attribute.with_changes(
                value=statement, attr=cst.Name("where") if name == "filter" else step_attribute.attr
            )
            statement = step_call.with_changes(func=renamed)
        self.done += 1
        if rewrite.terminal == "get":
            entity = call.args[0].with_changes(
                comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            )
            return updated_node.with_changes(
                func=new_func.with_changes(value=receiver, attr=cst.Name("get")),
                args=[entity, *updated_node.args],
            )
        if rewrite.terminal == "first":
            statement = _attr_call(statement, "limit", [cst.Arg(cst.Integer("1"))])
        terminal = "one_or_none" if rewrite.terminal == "scalar" else rewrite.terminal
        scalars = _attr_call(receiver, "scalars", [cst.Arg(statement)])
        if rewrite.unique:
            # The legacy Query de-duplicated rows multiplied by a joined eager load of a
            # collection; a select() result must be asked to (and raises otherwise).
            scalars = _attr_call(scalars, "unique", [])
        return updated_node.with_changes(
            func=new_func.with_changes(value=scalars, attr=cst.Name(terminal))
        )


def query_step(
    rewrites: dict[tuple[int, int], QueryRewrite],
) -> Callable[[cst.Module, int], cst.Module]:
    """A snippet step: the rewrites, with their keys moved to the snippet's lines."""

    def step(module: cst.Module, offset: int) -> cst.Module:
        moved = {(line - offset, col): r for (line, col), r in rewrites.items()}
        return MetadataWrapper(module, unsafe_skip_copy=True).visit(_RewriteQueries(moved))

    return step
