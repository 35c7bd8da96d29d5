"""asyncio rules (AS)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from reviewer.engine.context import FileContext
from reviewer.engine.names import dotted_name
from reviewer.engine.registry import Hit, rule

_HTTP = "an async HTTP client (httpx.AsyncClient, aiohttp)"
_SUBPROCESS = "`asyncio.create_subprocess_exec()`"
_THREAD = "`await asyncio.to_thread(...)` (or `anyio.to_thread.run_sync`)"
_FILE = "`aiofiles`/`anyio.open_file()`, or `await asyncio.to_thread(...)`"
_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
#: Blocking callables (by their qualified name) and what to use instead. The cost model
#: (docs/severity.md): these block for as long as the network, the child process, the
#: sleep or the tree operation takes: Critical in production code.
BLOCKING_CALLS: dict[str, str] = {
    "time.sleep": "`await asyncio.sleep()`",
    **{f"requests.{verb}": _HTTP for verb in _VERBS},
    **{f"httpx.{verb}": _HTTP for verb in (*_VERBS, "stream")},
    "urllib.request.urlopen": _HTTP,
    "urllib.request.urlretrieve": _HTTP,
    "smtplib.SMTP": "`aiosmtplib`, or " + _THREAD,
    "smtplib.SMTP_SSL": "`aiosmtplib`, or " + _THREAD,
    "ftplib.FTP": _THREAD,
    "socket.create_connection": "`asyncio.open_connection()`",
    "socket.getaddrinfo": "`loop.getaddrinfo()`",
    "socket.gethostbyname": "`loop.getaddrinfo()`",
    # subprocess.Popen is left out: it starts the child and returns without waiting (its
    # wait()/communicate() block, on an object the rule does not follow).
    **{
        f"subprocess.{name}": _SUBPROCESS
        for name in ("run", "call", "check_call", "check_output", "getoutput")
    },
    "subprocess.getstatusoutput": _SUBPROCESS,
    "os.system": _SUBPROCESS,
    "os.popen": _SUBPROCESS,
    **{f"os.{name}": _SUBPROCESS for name in ("wait", "waitpid", "wait3", "wait4")},
    **{f"os.{name}": _SUBPROCESS for name in ("spawnl", "spawnlp", "spawnv", "spawnvp")},
    **{
        f"shutil.{name}": _THREAD
        for name in ("copytree", "rmtree", "make_archive", "unpack_archive")
    },
    # Short local I/O: usually milliseconds (Important, lower confidence). shutil.move is
    # left out: it is a rename on one file system (like os.rename, a metadata call) and
    # copies only across file systems, which its caller rarely does on purpose.
    "builtins.open": _FILE,
    "io.open": _FILE,
    **{f"shutil.{name}": _THREAD for name in ("copy", "copy2", "copyfile")},
}
#: Calls that block only briefly (one local file): Important, not Critical.
_SHORT_IO = frozenset(
    {"builtins.open", "io.open", "shutil.copy", "shutil.copy2", "shutil.copyfile"}
)
#: Start-up and shutdown hooks run before the first request or after the last one: a
#: blocking call there delays the start, it stalls no request (not reported).
_LIFECYCLE_EVENTS = frozenset({"startup", "shutdown"})
_LOWER_CONFIDENCE = dict.fromkeys(_SHORT_IO, 80)

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
        "it (`time.sleep`, `requests`, `urllib`, `subprocess`, copying or deleting a file "
        "tree with `shutil`) holds that thread until it returns, so every other request, "
        "websocket and background task of the process waits too; under load this shows up "
        "as timeouts everywhere at once. Opening a local file blocks only briefly (reported "
        "as Important, like `shutil.copy`); `time.sleep(0)`, `shutil.move` (a rename on one "
        "file system) and stat-like calls such as `Path.resolve()` are not reported, nor "
        "are calls handed to "
        "`asyncio.to_thread`, `run_in_executor` or `anyio.to_thread.run_sync`, calls in a "
        "`lifespan` or start-up/shutdown handler (no request is served yet), or calls in "
        "tests, scripts and command-line tools (nothing else waits on their loop). Use "
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
        if qualified == "time.sleep" and _zero_sleep(call):
            continue  # sleep(0) yields nothing and costs nothing
        if _lifecycle_hook(scopes[-1]):
            continue  # start-up / shutdown: no request is being served
        shown = qualified.removeprefix("builtins.")
        yield Hit.at(
            call,
            f"`{shown}()` blocks the event loop inside `async def {scopes[-1].name}`; use "
            f"{BLOCKING_CALLS[qualified]}.",
            severity="important" if qualified in _SHORT_IO else None,
            confidence=_LOWER_CONFIDENCE.get(qualified),
        )


def _lifecycle_hook(func: ast.AsyncFunctionDef) -> bool:
    """A FastAPI/Starlette ``lifespan`` (an async context manager named so) or an
    ``on_event("startup"|"shutdown")`` handler."""
    for deco in func.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        name = (dotted_name(target) or "").rsplit(".", 1)[-1]
        if name == "asynccontextmanager" and "lifespan" in func.name.lower():
            return True
        if (
            name == "on_event"
            and isinstance(deco, ast.Call)
            and deco.args
            and isinstance(deco.args[0], ast.Constant)
            and deco.args[0].value in _LIFECYCLE_EVENTS
        ):
            return True
    return False


def _zero_sleep(call: ast.Call) -> bool:
    arg = call.args[0] if call.args else None
    if arg is None and call.keywords:
        arg = call.keywords[0].value
    return isinstance(arg, ast.Constant) and arg.value in (0, 0.0) and arg.value is not False
