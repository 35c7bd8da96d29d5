"""asyncio rules (AS)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from reviewer.engine.context import FileContext
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

_NEW_SCOPE = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def calls_in_body(func: ast.AsyncFunctionDef) -> Iterator[ast.Call]:
    """Calls that run in this coroutine's own frame: nested ``def``s, lambdas and classes
    are skipped (they run elsewhere, e.g. in an executor), comprehensions are not."""
    pending: list[ast.AST] = list(func.body)
    while pending:
        node = pending.pop()
        if isinstance(node, _NEW_SCOPE):
            continue
        if isinstance(node, ast.Call):
            yield node
        pending.extend(ast.iter_child_nodes(node))


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
    directly in an ``async def``. ``asyncio.to_thread(time.sleep, 1)`` passes the function
    without calling it and is not flagged; a local name shadowing ``open`` or a variable
    called ``requests`` is not mistaken for the real thing."""
    for node in ast.walk(ctx.tree):
        if not isinstance(node, ast.AsyncFunctionDef):
            continue
        for call in calls_in_body(node):
            qualified = ctx.qualified(call.func)
            if qualified not in BLOCKING_CALLS:
                continue
            shown = qualified.removeprefix("builtins.")
            yield Hit.at(
                call,
                f"`{shown}()` blocks the event loop inside `async def {node.name}`; use "
                f"{BLOCKING_CALLS[qualified]}.",
                confidence=_LOWER_CONFIDENCE.get(qualified),
            )
