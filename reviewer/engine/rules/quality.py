"""Code-quality and async rules that need no framework knowledge (CQ003, AS003)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from reviewer.engine.context import FileContext, inside
from reviewer.engine.registry import Hit, rule

_SETTINGS_WORDS = ("settings", "config", "conf")


_SETTINGS_FOLDERS = frozenset(
    {"settings", "config", "configs", "conf", "tests", "test", "scripts", "alembic"}
)


def _main_blocks(ctx: FileContext) -> list[ast.If]:
    """``if __name__ == "__main__":`` blocks: a module run by hand, not the service."""
    return [
        stmt
        for stmt in ctx.tree.body
        if isinstance(stmt, ast.If)
        and isinstance(stmt.test, ast.Compare)
        and isinstance(stmt.test.left, ast.Name)
        and stmt.test.left.id == "__name__"
    ]


def _is_settings_or_test_module(ctx: FileContext) -> bool:
    parts = [p.lower() for p in ctx.posix_path.parts]
    stem = ctx.posix_path.stem.lower()
    if any(word in stem for word in _SETTINGS_WORDS) or stem in {"conftest", "manage"}:
        return True
    if any(p in _SETTINGS_FOLDERS for p in parts[:-1]):
        return True
    return stem.startswith("test_") or stem.endswith("_test") or stem in {"env", "environment"}


@rule(
    id="CQ003",
    title="Environment read outside the settings module",
    severity="suggestion",
    confidence=70,
    category="quality",
    explanation=(
        "Reading `os.environ` / `os.getenv` all over the code hides what configuration "
        "the service needs, skips validation (a typo gives None at run time) and makes "
        "tests patch the environment. Read it once in a settings object (e.g. a "
        "pydantic-settings class) and pass that around."
    ),
    before='def client():\n    return Client(api_key=os.getenv("PAYMENTS_KEY"))\n',
    after="def client(settings: Settings):\n    return Client(api_key=settings.payments_key)\n",
)
def check_env_reads(ctx: FileContext) -> Iterator[Hit]:
    if "environ" not in ctx.source and "getenv" not in ctx.source:
        return  # neither name can be reached without being spelled out
    if _is_settings_or_test_module(ctx):
        return
    mains = _main_blocks(ctx)
    reads: list[ast.AST] = [
        node
        for node in ctx.nodes(ast.Call)
        if ctx.qualified(node.func) in {"os.getenv", "os.environ.get", "os.getenvb"}
    ]
    reads += [
        sub
        for sub in ctx.nodes(ast.Subscript)
        if isinstance(sub.ctx, ast.Load) and ctx.qualified(sub.value) == "os.environ"
    ]
    for read in sorted(reads, key=lambda n: (n.lineno, n.col_offset)):  # type: ignore[attr-defined]
        if not any(inside(read, block) for block in mains):
            yield Hit.at(read, "environment read outside the settings module")


@rule(
    id="AS003",
    title="asyncio.run() inside async code",
    severity="critical",
    confidence=95,
    category="asyncio",
    explanation=(
        "`asyncio.run()` starts a new event loop; called from a coroutine, where a loop is "
        "already running, it raises RuntimeError. Await the coroutine instead (or "
        "schedule it as a task)."
    ),
    before="async def handler():\n    asyncio.run(notify(user))\n",
    after="async def handler():\n    await notify(user)\n",
)
def check_asyncio_run_in_async(ctx: FileContext) -> Iterator[Hit]:
    if not ctx.nodes(ast.AsyncFunctionDef) or "asyncio" not in ctx.source:
        return
    for call in ctx.nodes(ast.Call):
        if ctx.qualified(call.func) != "asyncio.run":
            continue
        scopes = ctx.enclosing_scopes(call)
        innermost = next(
            (
                s
                for s in reversed(scopes)
                if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            ),
            None,
        )
        if isinstance(innermost, ast.AsyncFunctionDef):
            yield Hit.at(call, "asyncio.run() inside a coroutine: await it instead")
