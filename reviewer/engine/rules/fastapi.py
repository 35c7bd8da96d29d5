"""FastAPI rules (FA)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from reviewer.engine.context import FileContext
from reviewer.engine.names import dotted_name
from reviewer.engine.registry import Hit, rule

_LIFECYCLE_EVENTS = frozenset({"startup", "shutdown"})


def _event_name(call: ast.Call) -> str | None:
    """The event an ``on_event(...)`` call names, when it is a string literal."""
    arg: ast.expr | None = call.args[0] if call.args else None
    for keyword in call.keywords:
        if keyword.arg == "event_type":
            arg = keyword.value
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    return None


@rule(
    id="FA001",
    title="Startup/shutdown hook registered with on_event",
    severity="suggestion",
    confidence=95,
    category="fastapi",
    debt_kind="fastapi",
    debt_minutes=30,
    explanation=(
        "`app.on_event('startup')` and `app.on_event('shutdown')` are deprecated in "
        "FastAPI (and in Starlette underneath it) in favour of a single `lifespan` async "
        "context manager passed to `FastAPI(lifespan=...)`. With a lifespan, the code "
        "that opens a resource and the code that closes it sit in one function, state can "
        "be handed to requests through the yielded dict instead of module globals, and an "
        "app that mixes `lifespan` with `on_event` silently skips the event handlers."
    ),
    before=(
        "app = FastAPI()\n"
        "\n"
        '@app.on_event("startup")\n'
        "async def connect() -> None:\n"
        "    await db.connect()\n"
        "\n"
        '@app.on_event("shutdown")\n'
        "async def disconnect() -> None:\n"
        "    await db.disconnect()\n"
    ),
    after=(
        "@asynccontextmanager\n"
        "async def lifespan(app: FastAPI) -> AsyncIterator[None]:\n"
        "    await db.connect()\n"
        "    yield\n"
        "    await db.disconnect()\n"
        "\n"
        "app = FastAPI(lifespan=lifespan)\n"
    ),
)
def check_on_event(ctx: FileContext) -> Iterator[Hit]:
    """``<app or router>.on_event("startup" | "shutdown")``, as a decorator or a call.
    Event buses with an ``on_event("order_created")`` method are not flagged: only the two
    lifecycle event names are."""
    for node in ctx.nodes(ast.Call):
        if not (isinstance(node.func, ast.Attribute) and node.func.attr == "on_event"):
            continue
        event = _event_name(node)
        if event not in _LIFECYCLE_EVENTS:
            continue
        owner = dotted_name(node.func.value) or "app"
        yield Hit.at(
            node,
            f'`{owner}.on_event("{event}")` is deprecated; move this code into a `lifespan` '
            "context manager passed to `FastAPI(lifespan=...)`.",
        )
