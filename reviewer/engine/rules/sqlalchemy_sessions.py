"""SA008: sessions that are never closed, and failed commits left without a rollback."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from reviewer.engine.context import FileContext, inside
from reviewer.engine.names import dotted_name
from reviewer.engine.registry import Hit, rule
from reviewer.engine.rules.alembic import is_revision_file
from reviewer.engine.rules.helpers import calls_in, is_test_code, last_name
from reviewer.engine.rules.sqlalchemy import _session_like_name

_SESSION_CLASSES = frozenset(
    {
        "sqlalchemy.orm.Session",
        "sqlalchemy.orm.session.Session",
        "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlalchemy.ext.asyncio.session.AsyncSession",
        "sqlmodel.Session",
    }
)
_NOT_SESSIONS = frozenset({"sessionmaker", "async_sessionmaker", "scoped_session"})
_FACTORY_NAME = re.compile(r"(async_?)?session_?(local|maker|factory)")
_CLOSERS = frozenset(
    {"closing", "aclosing", "enter_context", "enter_async_context", "callback", "push"}
)
_DB_ERRORS = frozenset(
    {
        "Exception",
        "BaseException",
        "SQLAlchemyError",
        "IntegrityError",
        "DBAPIError",
        "OperationalError",
        "DatabaseError",
        "DataError",
        "InvalidRequestError",
        "StatementError",
        "PendingRollbackError",
    }
)
_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _factories(ctx: FileContext) -> set[str]:
    """Names this module binds to ``sessionmaker(...)`` / ``async_sessionmaker(...)``
    (``scoped_session`` registries are closed with ``.remove()`` elsewhere)."""
    names: set[str] = set()
    for node in ctx.nodes(ast.Assign):
        if isinstance(node.value, ast.Call) and last_name(node.value.func) in {
            "sessionmaker",
            "async_sessionmaker",
        }:
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _opens_session(ctx: FileContext, value: ast.expr, factories: set[str]) -> bool:
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    if isinstance(func, ast.Call):  # sessionmaker(bind=engine)()
        return last_name(func.func) in {"sessionmaker", "async_sessionmaker"}
    qualified = ctx.qualified(func) or ""
    if qualified in _SESSION_CLASSES:
        return True
    if qualified.startswith("sqlalchemy") or last_name(func) in _NOT_SESSIONS:
        return False  # sessionmaker(...) itself, scoped_session(...), other classes
    if isinstance(func, ast.Name):
        if func.id in factories:
            return True
        origin = ctx.imports.resolve(func.id) or ""
        return bool(_FACTORY_NAME.fullmatch(func.id.lower())) and not origin.startswith(
            ("requests", "aiohttp", "httpx")
        )
    return False


def _names_in(node: ast.AST | None) -> set[str]:
    if node is None:
        return set()
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _handled(func: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> bool:
    """Whether the function closes ``name`` (``.close()``, ``with name``, ``closing()``,
    a reference to ``name.close``) or hands it on (returns or yields it, stores it on an
    object or in a container), so that someone else closes it."""
    for node in ast.walk(func):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"close", "aclose"}
            and isinstance(node.value, ast.Name)
            and node.value.id == name
        ):
            return True
        if (
            isinstance(node, ast.withitem)
            and name in _names_in(node.context_expr)
            and (
                isinstance(node.context_expr, ast.Name)
                or last_name(getattr(node.context_expr, "func", node.context_expr)) in _CLOSERS
            )
        ):
            return True
        if (
            isinstance(node, ast.Call)
            and last_name(node.func) in _CLOSERS
            and any(name in _names_in(arg) for arg in node.args)
        ):
            return True
        if isinstance(node, ast.Return | ast.Yield | ast.YieldFrom) and name in _names_in(
            node.value
        ):
            return True
        if (
            isinstance(node, ast.Assign)
            and name in _names_in(node.value)
            and any(not isinstance(t, ast.Name) for t in node.targets)
        ):
            return True  # self.session = session, registry[key] = session
    return False


def _unclosed(ctx: FileContext) -> Iterator[Hit]:
    factories: set[str] | None = None
    for node in ctx.nodes(ast.Assign):
        if not (
            len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call)
        ):
            continue
        if factories is None:
            factories = _factories(ctx)
        if not _opens_session(ctx, node.value, factories):
            continue
        scopes = ctx.enclosing_scopes(node)
        if not scopes or not isinstance(scopes[-1], _FUNCS):
            continue  # module level (a script) or a class body
        name = node.targets[0].id
        if not _handled(scopes[-1], name):
            yield Hit.at(
                node,
                f"session `{name}` is opened here and never closed: open it with "
                "`with ... as session:` (or close it in a `finally:`)",
            )


def _covers_db_errors(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(last_name(kind) in _DB_ERRORS for kind in kinds)


def _recovers(body: list[ast.stmt]) -> bool:
    """The handler leaves (raise/return) or resets the session (rollback/close)."""
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Raise | ast.Return):
                return True
            if isinstance(node, ast.Attribute) and node.attr in {"rollback", "close", "exit"}:
                return True
    return False


_NO_RETURN = frozenset({"NoReturn", "Never"})


def _raising_helpers(ctx: FileContext) -> frozenset[str]:
    """Functions of this file that never return normally: annotated ``-> NoReturn`` /
    ``-> Never``, or whose body ends with a ``raise`` (a helper that turns a database
    error into a domain error)."""
    names = set()
    funcs: list[ast.FunctionDef | ast.AsyncFunctionDef] = [
        *ctx.nodes(ast.FunctionDef),
        *ctx.nodes(ast.AsyncFunctionDef),
    ]
    for func in funcs:
        annotated = func.returns is not None and last_name(func.returns) in _NO_RETURN
        if annotated or isinstance(func.body[-1], ast.Raise):
            names.add(func.name)
    return frozenset(names)


def _hands_off(body: list[ast.stmt], helpers: frozenset[str]) -> bool:
    """The handler calls one of ``helpers`` (``self._raise_domain_error(e)``)."""
    return bool(helpers) and any(last_name(c.func) in helpers for c in calls_in(body))


def _session_commit(call: ast.Call) -> str | None:
    if not (isinstance(call.func, ast.Attribute) and call.func.attr in {"commit", "flush"}):
        return None
    receiver = dotted_name(call.func.value)
    if receiver and _session_like_name(receiver.rsplit(".", 1)[-1]):
        return receiver
    return None


def _binds(body: list[ast.stmt], receiver: str) -> bool:
    """Whether ``receiver`` is (re)bound in ``body``: a new session each time it runs."""
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.withitem) and node.optional_vars is not None:
                targets: list[ast.expr] = [node.optional_vars]
            elif isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AnnAssign):
                targets = [node.target]
            else:
                continue
            if any(dotted_name(t) == receiver for t in targets):
                return True
    return False


def _used_after(func: ast.AST, receiver: str, line: int) -> bool:
    for call in calls_in(getattr(func, "body", [])):
        if (
            call.lineno > line
            and isinstance(call.func, ast.Attribute)
            and dotted_name(call.func.value) == receiver
        ):
            return True
    return False


def _in_savepoint(ctx: FileContext, node: ast.AST) -> bool:
    """``node`` sits inside ``with session.begin_nested():``."""
    withs: list[ast.With | ast.AsyncWith] = [*ctx.nodes(ast.With), *ctx.nodes(ast.AsyncWith)]
    return any(
        inside(node, w)
        and any(
            isinstance(item.context_expr, ast.Call)
            and last_name(item.context_expr.func) == "begin_nested"
            for item in w.items
        )
        for w in withs
    )


def _swallowed_commits(ctx: FileContext) -> Iterator[Hit]:
    tries: list[ast.Try | ast.TryStar] = [*ctx.nodes(ast.Try), *ctx.nodes(ast.TryStar)]
    helpers = _raising_helpers(ctx) if tries else frozenset()
    for node in tries:
        receivers = [r for c in calls_in(node.body) if (r := _session_commit(c))]
        if not receivers or _recovers(node.finalbody):
            continue
        receiver = receivers[0]
        if _binds(node.body, receiver):
            continue  # ``with sessionmaker() as session:`` inside the try cleans up itself
        if _in_savepoint(ctx, node):
            continue  # begin_nested(): the savepoint is rolled back on the way out
        scopes = [s for s in ctx.enclosing_scopes(node) if isinstance(s, _FUNCS)]
        func = scopes[-1] if scopes else ctx.tree
        loop = ctx.loop_around(node)
        in_loop = loop is not None and not _binds(loop.body, receiver)
        for handler in node.handlers:
            if not _covers_db_errors(handler) or _recovers(handler.body):
                continue
            if _hands_off(handler.body, helpers):
                continue  # a helper raises in its place
            end = node.end_lineno or node.lineno
            breaks = any(isinstance(n, ast.Break) for stmt in handler.body for n in ast.walk(stmt))
            if loop is not None and breaks:
                # the loop stops at the failure: only a use after the loop is a problem
                reused = _used_after(func, receiver, loop.end_lineno or end)
            else:
                reused = in_loop or _used_after(func, receiver, end)
            if reused:
                yield Hit.at(
                    handler,
                    f"a failed `{receiver}.commit()` is caught here without "
                    f"`{receiver}.rollback()`: the session stays unusable for what follows",
                )


@rule(
    id="SA008",
    title="Session never closed, or a failed commit left without rollback",
    severity="important",
    confidence=70,
    category="sqlalchemy",
    explanation=(
        "A session opened by calling the factory and never closed keeps its connection "
        "checked out until the garbage collector finds it; under load the pool runs dry "
        "and requests wait for a connection. Open sessions with `with SessionLocal() as "
        "session:` (or `async with`), or close them in a `finally:`; a dependency that "
        "yields the session and closes it afterwards is fine, and so is a function that "
        "returns the session to its caller. Separately, when `commit()` fails the "
        "session's transaction is dead: catching the error and carrying on without "
        "`rollback()` makes the next use of that session raise `PendingRollbackError`. "
        "Roll back in the handler (or re-raise); handlers that return or raise, or that "
        "call a helper of the same file which always raises, are not flagged."
    ),
    before=(
        "def import_users(rows):\n"
        "    session = SessionLocal()\n"
        "    for row in rows:\n"
        "        try:\n"
        "            session.add(User(**row))\n"
        "            session.commit()\n"
        "        except IntegrityError:\n"
        "            log.warning('duplicate %s', row['email'])\n"
    ),
    after=(
        "def import_users(rows):\n"
        "    with SessionLocal() as session:\n"
        "        for row in rows:\n"
        "            try:\n"
        "                session.add(User(**row))\n"
        "                session.commit()\n"
        "            except IntegrityError:\n"
        "                session.rollback()\n"
        "                log.warning('duplicate %s', row['email'])\n"
    ),
)
def check_session_lifecycle(ctx: FileContext) -> Iterator[Hit]:
    """Inside functions (not tests): ``name = <session factory>()`` with no
    ``name.close()``, ``with name``, ``closing(name)`` and no hand-off (return, yield,
    attribute); and a ``try`` whose body commits a session and whose handler for
    database errors neither raises, returns, rolls back nor closes, when the session is
    used again afterwards (in a loop, or later in the function)."""
    if is_test_code(ctx) or ("ession" not in ctx.source and "commit" not in ctx.source):
        return
    if not is_revision_file(ctx):  # a Session(bind=op.get_bind()) lives as long as alembic's
        yield from _unclosed(ctx)
    if "commit" in ctx.source or "flush" in ctx.source:
        yield from _swallowed_commits(ctx)
