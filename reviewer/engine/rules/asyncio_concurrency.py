"""asyncio rules about what runs when (AS002 sequential independent awaits, AS004 a
coroutine called without ``await``)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from reviewer.engine.context import FileContext
from reviewer.engine.names import dotted_name
from reviewer.engine.registry import Hit, rule
from reviewer.engine.rules.helpers import last_name
from reviewer.engine.rules.testing import is_test_module

# Calls that only read: fetching two of them one after the other is wasted waiting.
_READ_PREFIXES = (
    "get_",
    "fetch",
    "load_",
    "lookup",
    "retrieve",
    "find_",
    "list_",
    "count_",
    "read_",
)
# Stream-like reads depend on the order they run in.
_ORDERED_READS = frozenset({"fetch_next", "fetchone", "fetchmany", "read_line", "read_chunk"})
# A shared object of one of these kinds cannot serve two awaits at once (an AsyncSession,
# a connection, a websocket), may hold one (a repository, a service, a DAO) or makes the
# order part of the meaning (a queue, a stream). Matched on the ``_``-separated words of
# every part of a dotted name, so ``self.db_session`` and ``conn`` match, ``feedback`` not.
_SHARED_WORDS = frozenset(
    {
        "session",
        "db",
        "database",
        "engine",
        "conn",
        "connection",
        "cursor",
        "tx",
        "transaction",
        "uow",
        "repo",
        "repository",
        "crud",
        "dao",
        "service",
        "store",
        "storage",
        "manager",
        "websocket",
        "socket",
        "ws",
        "stream",
        "lock",
        "channel",
        "file",
        "writer",
        "reader",
        "queue",
        "inbox",
        "self",
        "cls",
    }
)
_SHARED_SUFFIXES = ("session", "conn", "connection", "repo", "repository", "service", "db")


def _is_shared(part: str) -> bool:
    lowered = part.lower()
    if lowered.endswith(_SHARED_SUFFIXES):
        return True
    return any(word in _SHARED_WORDS for word in lowered.split("_"))


def _is_read_call(call: ast.Call) -> bool:
    name = last_name(call.func) if not isinstance(call.func, ast.Call) else ""
    if not name and isinstance(call.func, ast.Attribute):
        name = call.func.attr
    lowered = name.lower()
    if lowered in _ORDERED_READS:
        return False
    return lowered == "get" or lowered.startswith(_READ_PREFIXES)


def _awaited_call(stmt: ast.stmt) -> tuple[str, ast.Call] | None:
    """``name = await call(...)`` (or annotated) -> (name, call)."""
    target: ast.expr | None = None
    value: ast.expr | None = None
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target, value = stmt.targets[0], stmt.value
    elif isinstance(stmt, ast.AnnAssign):
        target, value = stmt.target, stmt.value
    if not (
        isinstance(target, ast.Name)
        and isinstance(value, ast.Await)
        and isinstance(value.value, ast.Call)
    ):
        return None
    return target.id, value.value


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _resources_in(call: ast.Call) -> set[str]:
    """Dotted names in the call (receiver and arguments) that look like shared
    resources: ``session``, ``self.db``, ``conn``, ``user_repo``..."""
    found = set()
    for node in ast.walk(call):
        if isinstance(node, ast.Name | ast.Attribute):
            dotted = dotted_name(node)
            if dotted and any(_is_shared(part) for part in dotted.split(".")):
                found.add(dotted)
    return found


def _blocks(func: ast.AsyncFunctionDef) -> Iterator[list[ast.stmt]]:
    """Every statement list in ``func`` (bodies of if/for/with/try...), not those of
    nested functions or classes."""
    stack: list[list[ast.stmt]] = [func.body]
    while stack:
        block = stack.pop()
        yield block
        for stmt in block:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            for field in ("body", "orelse", "finalbody"):
                inner = getattr(stmt, field, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                    stack.append(inner)
            for handler in getattr(stmt, "handlers", []):
                stack.append(handler.body)
            for case in getattr(stmt, "cases", []):
                stack.append(case.body)


def _fits_run(call: ast.Call, tainted: frozenset[str] = frozenset()) -> bool:
    """A read that touches no shared resource (the only kind this rule speaks about),
    nor a local object built around one (``factor = TOTPFactor(session)``)."""
    return _is_read_call(call) and not _resources_in(call) and not (_names_in(call) & tainted)


def _tainted(func: ast.AsyncFunctionDef) -> frozenset[str]:
    """Names the function binds to something built from a shared resource:
    ``repo = UserRepository(session)``, ``async with engine.connect() as c``."""
    found: set[str] = set()
    for block in _blocks(func):
        for stmt in block:
            if isinstance(stmt, ast.Assign | ast.AnnAssign) and isinstance(stmt.value, ast.Call):
                if _resources_in(stmt.value) or (_names_in(stmt.value) & found):
                    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                    for target in targets:
                        found.update(_names_in(target))
            elif isinstance(stmt, ast.With | ast.AsyncWith):
                for item in stmt.items:
                    expr = item.context_expr
                    if (
                        item.optional_vars is not None
                        and isinstance(expr, ast.Call)
                        and (_resources_in(expr) or (_names_in(expr) & found))
                    ):
                        found.update(_names_in(item.optional_vars))
    return frozenset(found)


def _independent_runs(block: list[ast.stmt], tainted: frozenset[str]) -> Iterator[list[ast.stmt]]:
    """Runs of two or more consecutive ``x = await read_call(...)`` statements where no
    call uses what an earlier one returned, none touches a shared resource, and no call
    repeats an earlier one (``await inbox.get()`` twice consumes two items in order)."""
    run: list[ast.stmt] = []
    bound: set[str] = set()
    seen: set[str] = set()
    for stmt in [*block, None]:
        parsed = _awaited_call(stmt) if stmt is not None else None
        if parsed is not None and stmt is not None:
            name, call = parsed
            text = ast.unparse(call)
            if (
                run
                and _fits_run(call, tainted)
                and not (_names_in(call) & bound)
                and name not in bound
                and text not in seen
            ):
                run.append(stmt)
                bound.add(name)
                seen.add(text)
                continue
        if len(run) >= 2:
            yield run
        run, bound, seen = [], set(), set()
        if parsed is not None and stmt is not None and _fits_run(parsed[1], tainted):
            run, bound, seen = [stmt], {parsed[0]}, {ast.unparse(parsed[1])}


def _loop_awaits(ctx: FileContext) -> Iterator[tuple[ast.Await, ast.AsyncFunctionDef]]:
    """``for x in xs: y = await read_call(x)`` (the only await of a loop body with no
    break/return, nothing the loop assigns fed back into the call) and
    ``[await read_call(x) for x in xs]``, with the ``async def`` they run in."""
    comprehensions: list[ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp] = [
        *ctx.nodes(ast.ListComp),
        *ctx.nodes(ast.SetComp),
        *ctx.nodes(ast.DictComp),
        *ctx.nodes(ast.GeneratorExp),
    ]
    for comp in comprehensions:
        if any(gen.is_async for gen in comp.generators):
            continue
        awaits = [n for n in ast.walk(comp) if isinstance(n, ast.Await)]
        targets = set().union(*(_names_in(gen.target) for gen in comp.generators))
        if len(awaits) == 1 and _loop_call_ok(awaits[0], targets, set()):
            func = _async_scope(ctx, comp)
            if func is not None and not (_names_in(awaits[0]) & _tainted(func)):
                yield awaits[0], func
    for loop in ctx.nodes(ast.For):
        inner = [n for stmt in loop.body for n in ast.walk(stmt)]
        if any(isinstance(n, _LOOP_EXITS) for n in inner):
            continue
        waits = [n for n in inner if isinstance(n, ast.Await | ast.AsyncWith | ast.AsyncFor)]
        if len(waits) != 1 or not isinstance(waits[0], ast.Await):
            continue
        assigned = {
            n.id for n in inner if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)
        }
        if _loop_call_ok(waits[0], _names_in(loop.target), assigned):
            func = _async_scope(ctx, loop)
            if func is not None and not (_names_in(waits[0]) & _tainted(func)):
                yield waits[0], func


_LOOP_EXITS = (
    ast.Break,
    ast.Continue,
    ast.Return,
    ast.Yield,
    ast.Raise,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.Lambda,
    ast.ClassDef,
)


def _async_scope(ctx: FileContext, node: ast.AST) -> ast.AsyncFunctionDef | None:
    scopes = ctx.enclosing_scopes(node)
    if scopes and isinstance(scopes[-1], ast.AsyncFunctionDef):
        return scopes[-1]
    return None


def _loop_call_ok(node: ast.Await, targets: set[str], assigned: set[str]) -> bool:
    call = node.value
    if not isinstance(call, ast.Call) or not _is_read_call(call):
        return False
    used = _names_in(call)
    if not (used & targets) or (used & assigned):
        return False  # the same call each time, or fed by the previous iteration
    return not _resources_in(call)


@rule(
    id="AS002",
    title="Independent awaits run one after another",
    severity="suggestion",
    confidence=60,
    category="asyncio",
    explanation=(
        "`await` waits for one operation before the next starts. When two reads do not "
        "use each other's result (two HTTP calls, two cache lookups, one lookup per item "
        "of a list), awaiting them in turn adds their latencies together; started "
        "together with `asyncio.gather` or a `TaskGroup`, the wait is only as long as "
        "the slowest. Only do this for operations that really are independent and that "
        "may share no connection or session: one `AsyncSession` cannot run two queries "
        "at once."
    ),
    before=(
        "profile = await fetch_profile(user_id)\n"
        "orders = await fetch_orders(user_id)\n"
        "prices = [await get_price(sku) for sku in skus]\n"
    ),
    after=(
        "async with asyncio.TaskGroup() as tg:\n"
        "    profile_task = tg.create_task(fetch_profile(user_id))\n"
        "    orders_task = tg.create_task(fetch_orders(user_id))\n"
        "prices = await asyncio.gather(*(get_price(sku) for sku in skus))\n"
    ),
)
def check_sequential_awaits(ctx: FileContext) -> Iterator[Hit]:
    """Kept narrow on purpose: only calls named like reads (``get``, ``fetch*``,
    ``load_*``, ``find_*``...), assigned to fresh names, that take nothing an earlier await
    of the run returned and share no session, connection, repository or stream; loops
    only when the awaited read takes the loop variable, is the loop's only await and
    nothing else the loop assigns feeds it. Test modules are skipped (tests await in
    order on purpose)."""
    if is_test_module(ctx) or ctx.posix_path.name == "conftest.py":
        return
    if not ctx.nodes(ast.Await):
        return
    assignments: list[ast.Assign | ast.AnnAssign] = [
        *ctx.nodes(ast.Assign),
        *ctx.nodes(ast.AnnAssign),
    ]
    reads = [
        node
        for node in assignments
        if isinstance(node.value, ast.Await)
        and isinstance(node.value.value, ast.Call)
        and _fits_run(node.value.value)
    ]
    if len(reads) >= 2:
        functions = {id(s): s for r in reads if (s := _async_scope(ctx, r)) is not None}
        for func in functions.values():
            tainted = _tainted(func)
            for block in _blocks(func):
                for run in _independent_runs(block, tainted):
                    first, last = run[0], run[-1]
                    yield Hit.at(
                        first,
                        f"{len(run)} independent awaits in a row (lines {first.lineno}-"
                        f"{last.end_lineno or last.lineno}) in `{func.name}`; run them "
                        "together with `asyncio.gather` or a `TaskGroup`.",
                    )
    for node, func in _loop_awaits(ctx):
        shown = last_name(node.value.func) if isinstance(node.value, ast.Call) else "call"
        yield Hit.at(
            node,
            f"`await {shown}(...)` once per item in `{func.name}`: the items wait for "
            "each other; gather them (bounded with a semaphore if there are many).",
        )


# -- AS004 -------------------------------------------------------------------------------

_TRANSPARENT_DECORATORS = frozenset(
    {"staticmethod", "classmethod", "override", "abstractmethod", "wraps"}
)
_ROUTE_ATTRS = frozenset(
    {"get", "post", "put", "patch", "delete", "options", "head", "trace", "api_route"}
)


def _keeps_coroutine(decorator: ast.expr) -> bool:
    """Decorators known to leave an ``async def`` a coroutine function."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = last_name(target)
    if name in _TRANSPARENT_DECORATORS:
        return True
    return isinstance(target, ast.Attribute) and target.attr in _ROUTE_ATTRS


def _coroutine_functions(body: list[ast.stmt]) -> set[str]:
    """Names of the ``async def``s directly in ``body`` (a module or class body, looking
    into if/try/with blocks) whose decorators keep them coroutine functions, minus names
    the same body binds otherwise too (a sync fallback, an import, an assignment)."""
    found: set[str] = set()
    other: set[str] = set()
    pending = list(body)
    while pending:
        stmt = pending.pop()
        if isinstance(stmt, ast.AsyncFunctionDef):
            if all(_keeps_coroutine(d) for d in stmt.decorator_list):
                found.add(stmt.name)
            else:
                other.add(stmt.name)
        elif isinstance(stmt, ast.FunctionDef | ast.ClassDef):
            other.add(stmt.name)
        elif isinstance(stmt, ast.Import | ast.ImportFrom):
            other.update((a.asname or a.name).split(".", 1)[0] for a in stmt.names)
        elif isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    other.add(target.id)
                elif isinstance(target, ast.Tuple | ast.List | ast.Starred):
                    other.update(
                        n.id
                        for n in ast.walk(target)
                        if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)
                    )
        else:
            for field in ("body", "orelse", "finalbody"):
                inner = getattr(stmt, field, None)
                if isinstance(inner, list):
                    pending.extend(s for s in inner if isinstance(s, ast.stmt))
            for handler in getattr(stmt, "handlers", []):
                pending.extend(handler.body)
    return found - other


def _truth_tests(ctx: FileContext) -> Iterator[ast.expr]:
    """Expressions used only for their truth: if/while/assert tests, ``not x``, operands
    of ``and``/``or`` in those, conditional expression tests."""
    pending: list[ast.expr] = []
    for kind in (ast.If, ast.While, ast.IfExp):
        pending.extend(node.test for node in ctx.nodes(kind))  # type: ignore[attr-defined]
    pending.extend(node.test for node in ctx.nodes(ast.Assert))
    pending.extend(node.operand for node in ctx.nodes(ast.UnaryOp) if isinstance(node.op, ast.Not))
    while pending:
        expr = pending.pop()
        if isinstance(expr, ast.BoolOp):
            pending.extend(expr.values)
        else:
            yield expr


@rule(
    id="AS004",
    title="Coroutine called without await",
    severity="critical",
    confidence=90,
    category="asyncio",
    explanation=(
        "Calling an `async def` function only creates a coroutine object; nothing in its "
        "body runs until the coroutine is awaited (or handed to a task). A bare "
        "`notify_owner(order)` therefore does nothing at all, apart from a 'coroutine "
        "was never awaited' warning in the logs, and `if is_allowed(user):` is always "
        "true because a coroutine object is truthy. Put `await` in front, or schedule it "
        "with `asyncio.create_task` and keep a reference to the task."
    ),
    before=(
        "async def notify_owner(order: Order) -> None: ...\n"
        "\n"
        "async def close_order(order: Order) -> None:\n"
        "    order.closed = True\n"
        "    notify_owner(order)\n"
    ),
    after=(
        "async def notify_owner(order: Order) -> None: ...\n"
        "\n"
        "async def close_order(order: Order) -> None:\n"
        "    order.closed = True\n"
        "    await notify_owner(order)\n"
    ),
)
def check_unawaited_coroutine(ctx: FileContext) -> Iterator[Hit]:
    """Calls of an ``async def`` of this module (a module-level function, one nested in
    the calling function, a method via ``self.``/``cls.`` in its own class) whose result
    is thrown away (a statement of its own) or only tested for truth. Functions whose
    decorators may wrap them into something else, names bound twice, and names hidden by
    a local of the calling function are left alone; so are imported functions (their
    kind is not known here)."""
    if not ctx.nodes(ast.AsyncFunctionDef):
        return
    module_coros = _coroutine_functions(ctx.tree.body)
    methods: dict[str, set[str]] = {}
    for cls in ctx.nodes(ast.ClassDef):
        if not any(isinstance(stmt, ast.AsyncFunctionDef) for stmt in cls.body):
            continue
        coros = _coroutine_functions(cls.body)
        if coros:
            methods[cls.name] = coros
    # Any ``async def`` name at all: nested ones are resolved per call below.
    async_names = {f.name for f in ctx.nodes(ast.AsyncFunctionDef)}
    candidates: list[tuple[ast.Call, str]] = []
    for stmt in ctx.nodes(ast.Expr):
        if isinstance(stmt.value, ast.Call):
            candidates.append((stmt.value, "its result is discarded"))
    for expr in _truth_tests(ctx):
        if isinstance(expr, ast.Call):
            candidates.append((expr, "a coroutine object is always true"))
    for call, why in candidates:
        name = _coroutine_called(ctx, call, module_coros, methods, async_names)
        if name:
            yield Hit.at(
                call,
                f"`{name}()` is an `async def` called without `await`: {why}, and its body "
                "never runs.",
            )


def _coroutine_called(
    ctx: FileContext,
    call: ast.Call,
    module_coros: set[str],
    methods: dict[str, set[str]],
    async_names: set[str],
) -> str | None:
    func = call.func
    if isinstance(func, ast.Name) and func.id in async_names:
        # The innermost function that binds the name decides what it is: an ``async def``
        # nested in that function (bound nowhere else there) or anything else; with no
        # local binding, the module's.
        scopes = ctx.enclosing_scopes(call)
        functions = [s for s in scopes if not isinstance(s, ast.ClassDef)]
        for scope in reversed(functions):
            if func.id not in ctx.local_names(scope):
                continue
            if isinstance(scope, ast.Lambda) or func.id in _parameters(scope):
                return None
            return func.id if func.id in _coroutine_functions(scope.body) else None
        return func.id if func.id in module_coros else None
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in {"self", "cls"}
        and any(func.attr in names for names in methods.values())
    ):
        classes = [s for s in ctx.enclosing_scopes(call) if isinstance(s, ast.ClassDef)]
        if classes and func.attr in methods.get(classes[-1].name, set()):
            return f"{func.value.id}.{func.attr}"
    return None


def _parameters(func: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    args = func.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    names.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    return names
