"""Performance rules from the architect's checklist: unbounded list endpoints (PF001),
per-row inserts (PF002) and foreign keys without an index (PF004)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from reviewer.engine.context import FileContext
from reviewer.engine.names import dotted_name
from reviewer.engine.registry import Hit, rule
from reviewer.engine.rules.alembic import is_revision_file
from reviewer.engine.rules.alembic_data import _batched
from reviewer.engine.rules.fastapi_routes import routes
from reviewer.engine.rules.helpers import calls_in, is_test_code, is_true, keyword, last_name
from reviewer.engine.rules.sqlalchemy import _model_classes, _session_like_name

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
_INSERT = re.compile("insert", re.IGNORECASE)


# --------------------------------------------------------------------------------------
# PF001: list endpoint returning an unbounded query

_QUERY_METHODS = frozenset({"query", "scalars", "execute", "exec"})
_BOUNDING_CALLS = frozenset({"limit", "offset", "slice", "paginate", "fetch", "apaginate"})
_PAGING_PARAMS = frozenset(
    {
        "limit",
        "offset",
        "skip",
        "page",
        "page_size",
        "per_page",
        "size",
        "cursor",
        "params",
        "pagination",
        "paginator",
        "after",
        "before",
    }
)


def _unbounded_all(call: ast.Call) -> bool:
    """``<query>.all()`` / ``.fetchall()`` where the receiver runs a query
    (``session.query(...)``, ``session.scalars(...)``, ``(await db.execute(...)).scalars()``)."""
    if not (
        isinstance(call.func, ast.Attribute)
        and call.func.attr in {"all", "fetchall"}
        and not call.args
        and not call.keywords
    ):
        return False
    for node in ast.walk(call.func.value):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _QUERY_METHODS
        ):
            return True
    return False


def _paginated(func: FunctionNode, decorator: ast.Call) -> bool:
    args = func.args
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
        if arg.arg.lower() in _PAGING_PARAMS:
            return True
        if arg.annotation is not None and any(
            word in ast.unparse(arg.annotation) for word in ("Page", "Paginat", "Params")
        ):
            return True
    if "Page" in ast.unparse(decorator) or (
        func.returns is not None and "Page" in ast.unparse(func.returns)
    ):
        return True
    for call in calls_in(func.body):
        # ``select(X).limit(n)``: the method of a call chain, not only of a dotted name
        func_ = call.func
        name = func_.attr if isinstance(func_, ast.Attribute) else last_name(func_)
        if name.lower() in _BOUNDING_CALLS or "paginat" in name.lower():
            return True
    return False


# Calls that reduce a list to one value: ``len(rows)`` in a response returns no rows.
_REDUCERS = frozenset({"len", "bool", "any", "all", "sum", "min", "max"})


def _returned_parts(value: ast.expr) -> Iterator[ast.AST]:
    """The nodes of a returned expression, minus the arguments of reducing calls."""
    stack: list[ast.AST] = [value]
    while stack:
        node = stack.pop()
        yield node
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _REDUCERS
        ):
            continue
        stack.extend(ast.iter_child_nodes(node))


def _returned_unbounded(func: FunctionNode) -> ast.Call | None:
    """The first unbounded ``.all()`` whose result the function returns (directly, or
    through a variable named in a ``return``)."""
    calls = sorted(
        (c for c in calls_in(func.body) if _unbounded_all(c)),
        key=lambda c: (c.lineno, c.col_offset),
    )
    if not calls:
        return None
    returned_names: set[str] = set()
    returned_calls: set[int] = set()
    assigned: dict[int, set[str]] = {}
    stack: list[ast.AST] = list(func.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        if isinstance(node, ast.Return) and node.value is not None:
            for inner in _returned_parts(node.value):
                if isinstance(inner, ast.Name):
                    returned_names.add(inner.id)
                elif isinstance(inner, ast.Call):
                    returned_calls.add(id(inner))
        if isinstance(node, ast.Assign):
            names = {t.id for t in node.targets if isinstance(t, ast.Name)}
            for inner in ast.walk(node.value):
                if isinstance(inner, ast.Call):
                    assigned.setdefault(id(inner), set()).update(names)
        stack.extend(ast.iter_child_nodes(node))
    for call in calls:
        if id(call) in returned_calls or assigned.get(id(call), set()) & returned_names:
            return call
    return None


@rule(
    id="PF001",
    title="List endpoint returns every row of a query",
    severity="important",
    confidence=60,
    category="performance",
    explanation=(
        "A GET endpoint that returns `.all()` of a query with no `limit` sends the whole "
        "table: response time, memory and payload grow with the data, and one client can "
        "make the service load millions of rows. It works in development and degrades "
        "slowly in production, which is why it goes unnoticed. Take a page size with an "
        "upper bound and apply `.limit()` with an offset or, better for large tables, a "
        "keyset cursor (`where(Item.id > after)`); libraries such as fastapi-pagination "
        "do this for you. Endpoints taking `limit`/`page`/`cursor` parameters or calling "
        "`.limit()`/`paginate()` are not flagged."
    ),
    before=(
        '@router.get("/orders", response_model=list[OrderOut])\n'
        "def list_orders(session: SessionDep):\n"
        "    return session.scalars(select(Order)).all()\n"
    ),
    after=(
        '@router.get("/orders", response_model=list[OrderOut])\n'
        "def list_orders(session: SessionDep, after: int = 0, limit: int = Query(50, le=200)):\n"
        "    stmt = select(Order).where(Order.id > after).order_by(Order.id).limit(limit)\n"
        "    return session.scalars(stmt).all()\n"
    ),
)
def check_unbounded_list(ctx: FileContext) -> Iterator[Hit]:
    """FastAPI ``GET`` routes (see fastapi_routes) returning the result of an unbounded
    ``.all()``; functions that are not routes are not judged."""
    if "all(" not in ctx.source:
        return  # no .all() / .fetchall() call anywhere
    for route in routes(ctx):
        if route.method != "get":
            continue
        call = _returned_unbounded(route.func)
        if call is not None and not _paginated(route.func, route.decorator):
            yield Hit.at(
                call,
                f"`{route.func.name}` returns every row of this query: add a limit and "
                "paging parameters",
            )


# --------------------------------------------------------------------------------------
# PF002: inserts in a loop


def _literal_collection(node: ast.expr) -> bool:
    return isinstance(node, ast.List | ast.Tuple | ast.Set) and all(
        isinstance(e, ast.Constant | ast.Tuple | ast.Dict) for e in node.elts
    )


def _insert_statement(ctx: FileContext, node: ast.expr) -> bool:
    """``insert(Model)...``, ``sa.insert(t).values(...)``, ``table.insert()``, or SQL text
    starting with INSERT."""
    if isinstance(node, ast.Call) and last_name(node.func) == "text" and node.args:
        node = node.args[0]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.lstrip().upper().startswith("INSERT")
    for inner in ast.walk(node):
        if not isinstance(inner, ast.Call):
            continue
        qualified = ctx.qualified(inner.func) or ""
        if qualified.startswith("sqlalchemy") and qualified.endswith(".insert"):
            return True
        if (
            isinstance(inner.func, ast.Attribute)
            and inner.func.attr == "insert"
            and not inner.args
            and isinstance(inner.func.value, ast.Name | ast.Attribute)
        ):
            return True
    return False


def _receiver(call: ast.Call) -> str:
    if isinstance(call.func, ast.Attribute):
        return dotted_name(call.func.value) or ""
    return ""


def _session_call(call: ast.Call, method: str) -> bool:
    receiver = _receiver(call)
    return (
        isinstance(call.func, ast.Attribute)
        and call.func.attr == method
        and bool(receiver)
        and _session_like_name(receiver.rsplit(".", 1)[-1])
    )


def _many_rows(arg: ast.expr, per_row: set[str]) -> bool:
    """Parameters that are a list of rows (an executemany): a list display or
    comprehension, or a variable other than the loop's own row."""
    if isinstance(arg, ast.List | ast.ListComp):
        return True
    return isinstance(arg, ast.Name) and arg.id not in per_row


def _execute_insert(ctx: FileContext, call: ast.Call) -> bool:
    return (
        isinstance(call.func, ast.Attribute)
        and call.func.attr in {"execute", "exec"}
        and bool(call.args)
        and _insert_statement(ctx, call.args[0])
    )


def _per_row(call: ast.Call, loop: ast.For | ast.AsyncFor | ast.While) -> bool:
    """Whether an INSERT executed in ``loop`` sends one row per iteration (its
    parameters are not a list of rows, and the loop is not over a literal list)."""
    per_row: set[str] = set()
    if isinstance(loop, ast.For | ast.AsyncFor):
        if _literal_collection(loop.iter) or _batched(loop):
            return False
        per_row = {n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)}
    if len(call.args) > 1 and _many_rows(call.args[1], per_row):
        return False
    for inner in ast.walk(call.args[0]):  # insert(T).values(chunk): many rows at once
        if (
            isinstance(inner, ast.Call)
            and isinstance(inner.func, ast.Attribute)
            and inner.func.attr == "values"
            and len(inner.args) == 1
            and _many_rows(inner.args[0], per_row)
        ):
            return False
    return True


def _flushes_per_row(call: ast.Call, loop: ast.For | ast.AsyncFor | ast.While) -> bool:
    """``session.add()`` in a loop that also flushes that session and does not commit."""
    if isinstance(loop, ast.For | ast.AsyncFor) and _literal_collection(loop.iter):
        return False
    calls = list(calls_in(loop.body))
    if any(_session_call(c, "commit") for c in calls):
        return False  # the per-row commit is SA009's finding; fixing it fixes the inserts
    receiver = _receiver(call)
    return any(_session_call(c, "flush") and _receiver(c) == receiver for c in calls)


@rule(
    id="PF002",
    title="Rows inserted one statement at a time in a loop",
    severity="important",
    confidence=70,
    category="performance",
    explanation=(
        "Executing an INSERT for each item of a loop, or adding an object and flushing "
        "the session on every iteration, costs one round trip to the database per row: "
        "importing ten thousand rows means ten thousand network waits. Build the rows "
        "first and send them together: `session.execute(insert(Model), rows)` (one "
        "executemany), `session.add_all(objects)` with a single flush, or "
        "`insert(...).values(rows)`. A loop that only calls `session.add()` and flushes "
        "once afterwards is fine (the unit of work batches those inserts). A "
        "`commit()` inside the loop is reported by SA009 instead, and revision files by "
        "AL005."
    ),
    before=(
        "for row in csv.DictReader(handle):\n"
        "    session.execute(insert(Product).values(**row))\n"
        "session.commit()\n"
    ),
    after=(
        "rows = list(csv.DictReader(handle))\n"
        "session.execute(insert(Product), rows)\n"
        "session.commit()\n"
    ),
)
def check_inserts_in_loop(ctx: FileContext) -> Iterator[Hit]:
    """In application code (not tests, not Alembic revisions): an INSERT statement
    executed inside a loop, or ``session.add()`` followed by ``session.flush()`` of the
    same session in the same loop with no ``commit()`` there. Loops over a literal list
    (a handful of seed rows) are not flagged."""
    if "flush" not in ctx.source and not _INSERT.search(ctx.source):
        return  # neither an INSERT nor add-then-flush can be written without these words
    if is_test_code(ctx) or is_revision_file(ctx):
        return
    for call in ctx.nodes(ast.Call):
        if _execute_insert(ctx, call):
            loop = ctx.loop_around(call)
            if loop is not None and _per_row(call, loop):
                yield Hit.at(
                    call, "INSERT executed once per iteration: send the rows in one statement"
                )
        elif _session_call(call, "add"):
            loop = ctx.loop_around(call)
            if loop is not None and _flushes_per_row(call, loop):
                yield Hit.at(
                    call, "add() then flush() on every iteration: one INSERT round trip per row"
                )


# --------------------------------------------------------------------------------------
# PF004: foreign key column without an index


def _column_call(ctx: FileContext, value: ast.expr | None) -> ast.Call | None:
    if not isinstance(value, ast.Call) or last_name(value.func) not in {"mapped_column", "Column"}:
        return None
    qualified = ctx.qualified(value.func)
    dotted = dotted_name(value.func) or ""
    if qualified is not None and not qualified.startswith("sqlalchemy"):
        return None
    if qualified is None and dotted not in {"db.Column", "db.mapped_column"}:
        return None
    return value


def _has_foreign_key(call: ast.Call) -> bool:
    return any(isinstance(a, ast.Call) and last_name(a.func) == "ForeignKey" for a in call.args)


def _flag(call: ast.Call, name: str) -> bool:
    kw = keyword(call, name)
    return kw is not None and (is_true(kw.value) or not isinstance(kw.value, ast.Constant))


def _column_ref(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.rsplit(".", 1)[-1]
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Call) and last_name(node.func) in {"desc", "asc"} and node.args:
        return _column_ref(node.args[0])
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return _column_ref(node.func.value)  # Model.col.desc()
    return None


def _leading_columns(ctx: FileContext) -> set[str]:
    """Columns that lead some index, unique or primary key constraint in the file
    (``Index("ix", "col", ...)``, ``UniqueConstraint("col", ...)``)."""
    leading: set[str] = set()
    for call in ctx.nodes(ast.Call):
        name = last_name(call.func)
        if name == "Index" and len(call.args) > 1:
            ref = _column_ref(call.args[1])
        elif name in {"UniqueConstraint", "PrimaryKeyConstraint"} and call.args:
            ref = _column_ref(call.args[0])
        else:
            continue
        if ref:
            leading.add(ref)
    return leading


@rule(
    id="PF004",
    title="Foreign key column without an index",
    severity="suggestion",
    confidence=60,
    category="performance",
    explanation=(
        "PostgreSQL indexes the referenced primary key but not the referencing column. "
        "Without an index on the foreign key, loading a parent's children scans the whole "
        "child table, and deleting or updating a parent row scans it too while it checks "
        "the constraint (holding locks). Add `index=True` to the column, or an `Index` in "
        "`__table_args__` that starts with it. Columns that are part of the primary key, "
        "unique, or lead an index or unique constraint declared in the module are not "
        "flagged (MySQL's InnoDB adds such indexes by itself)."
    ),
    before=(
        "class Order(Base):\n"
        '    __tablename__ = "orders"\n'
        '    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))\n'
    ),
    after=(
        "class Order(Base):\n"
        '    __tablename__ = "orders"\n'
        "    customer_id: Mapped[int] = mapped_column(\n"
        '        ForeignKey("customers.id"), index=True\n'
        "    )\n"
    ),
)
def check_unindexed_foreign_key(ctx: FileContext) -> Iterator[Hit]:
    """Class attributes of declarative models declared with ``mapped_column(ForeignKey(...))``
    or ``Column(..., ForeignKey(...))`` and no ``index=True``, ``unique=True`` or
    ``primary_key=True``, whose name (or explicit column name) leads no ``Index`` /
    ``UniqueConstraint`` / ``PrimaryKeyConstraint`` anywhere in the module."""
    if is_revision_file(ctx):
        return
    leading: set[str] | None = None
    for cls in _model_classes(ctx):
        for stmt in cls.body:
            target: ast.expr
            if isinstance(stmt, ast.AnnAssign):
                target, value = stmt.target, stmt.value
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target, value = stmt.targets[0], stmt.value
            else:
                continue
            call = _column_call(ctx, value)
            if not isinstance(target, ast.Name) or call is None or not _has_foreign_key(call):
                continue
            if any(_flag(call, f) for f in ("index", "unique", "primary_key")):
                continue
            if any(kw.arg is None for kw in call.keywords):
                continue  # **options may carry index=True
            names = {target.id}
            if call.args and isinstance(call.args[0], ast.Constant):
                names.add(str(call.args[0].value))
            if leading is None:
                leading = _leading_columns(ctx)
            if names & leading:
                continue
            yield Hit.at(
                stmt,
                f"`{cls.name}.{target.id}` references another table but has no index: "
                "add index=True",
            )
