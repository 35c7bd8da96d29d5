"""asyncio rules (AS)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from reviewer.engine.context import FileContext
from reviewer.engine.names import dotted_name
from reviewer.engine.registry import Hit, rule

_HTTP = "an async HTTP client (httpx.AsyncClient, aiohttp)"
_SUBPROCESS = "`asyncio.create_subprocess_exec()`"
#: Blocking callables (by their qualified name) and what to use instead.
BLOCKING_CALLS: dict[str, str] = {
    "time.sleep": "`await asyncio.sleep()`",
    **{
        f"requests.{verb}": _HTTP
        for verb in ("get", "post", "put", "patch", "delete", "head", "options", "request")
    },
    "urllib.request.urlopen": _HTTP,
    "urllib.request.urlretrieve": _HTTP,
    "builtins.open": "`aiofiles`/`anyio.open_file()`, or `await asyncio.to_thread(...)`",
    "io.open": "`aiofiles`/`anyio.open_file()`, or `await asyncio.to_thread(...)`",
    **{
        f"subprocess.{name}": _SUBPROCESS
        for name in ("run", "call", "check_call", "check_output", "Popen", "getoutput")
    },
    "os.system": _SUBPROCESS,
    "os.popen": _SUBPROCESS,
}
# Opening a small local file blocks briefly; the rest blocks for as long as the network,
# the child process or the sleep takes.
_LOWER_CONFIDENCE = {"builtins.open": 80, "io.open": 80}

_BLOCKING_ATTRIBUTES = frozenset(name.rsplit(".", 1)[-1] for name in BLOCKING_CALLS)


def _maybe_blocking(func: ast.expr) -> bool:
    """A cheap filter before resolving names: ``x.sleep(...)``-like or a bare name call."""
    if isinstance(func, ast.Attribute):
        return func.attr in _BLOCKING_ATTRIBUTES
    return isinstance(func, ast.Name)


@rule(
    id="AS001",
    title="Blocking call inside async def",
    severity="critical",
    confidence=95,
    category="asyncio",
    explanation=(
        "An `async def` runs on the event loop's single thread. A synchronous call inside "
        "it (`time.sleep`, `requests`, `urllib`, file reads, `subprocess`) holds that thread "
        "until it returns, so every other request, websocket and background task of the "
        "process waits too; under load this shows up as timeouts everywhere at once. Use "
        "the async counterpart (`asyncio.sleep`, an async HTTP client, "
        "`asyncio.create_subprocess_exec`, `aiofiles`), hand the call to a thread with "
        "`asyncio.to_thread`, or make the endpoint a plain `def` so FastAPI runs it in its "
        "thread pool."
    ),
    before=(
        "@app.post('/books')\n"
        "async def create_book(book: BookIn) -> BookOut:\n"
        "    requests.post(HOOK_URL, json=book.model_dump())\n"
        "    ...\n"
    ),
    after=(
        "@app.post('/books')\n"
        "async def create_book(book: BookIn, client: HttpClient) -> BookOut:\n"
        "    await client.post(HOOK_URL, json=book.model_dump())\n"
        "    ...\n"
    ),
)
def check_blocking_calls(ctx: FileContext) -> Iterator[Hit]:
    """Calls resolving (through import aliases) to a known blocking function, made
    directly in an ``async def`` (comprehensions included; nested ``def``s, lambdas and
    classes excluded). ``asyncio.to_thread(time.sleep, 1)`` passes the function
    without calling it and is not flagged; a local name shadowing ``open`` or a variable
    called ``requests`` is not mistaken for the real thing."""
    if not ctx.nodes(ast.AsyncFunctionDef):
        return
    for call in ctx.nodes(ast.Call):
        if not _maybe_blocking(call.func):
            continue
        qualified = ctx.qualified(call.func)
        if qualified not in BLOCKING_CALLS:
            continue
        # The innermost function around the call is the one that runs it: a nested sync
        # ``def`` or a lambda (handed to an executor) is not the coroutine.
        scopes = ctx.enclosing_scopes(call)
        if not scopes or not isinstance(scopes[-1], ast.AsyncFunctionDef):
            continue
        head = (dotted_name(call.func) or "").split(".", 1)[0]
        if any(head in ctx.local_names(scope) for scope in scopes):
            continue  # a parameter or local called ``requests``/``open`` hides the import
        shown = qualified.removeprefix("builtins.")
        yield Hit.at(
            call,
            f"`{shown}()` blocks the event loop inside `async def {scopes[-1].name}`; use "
            f"{BLOCKING_CALLS[qualified]}.",
            confidence=_LOWER_CONFIDENCE.get(qualified),
        )
