"""pytest rules (PT001, PT004)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from reviewer.engine.context import FileContext
from reviewer.engine.names import dotted_name
from reviewer.engine.registry import Hit, rule

_CHECK_WORDS = (
    "assert",
    "expect",
    "verify",
    "check",
    "raises",
    "fail",
    "snapshot",
    "wait_for",  # waiting helpers raise when the condition never comes
    "wait_until",
    "validate",  # validate_settings() and the like raise on what they reject
)
#: Words in a test's name or comments saying its point is "runs without an error".
_NO_ERROR_INTENT = re.compile(
    r"no_?ops?(?:\b|_)|not_?raise|no_?raise|no_?error|without_?error|not_?crash|no_?crash|"
    r"not_?hang|\bsmoke\b|without\s+(?:raising|errors?)|"
    r"(?:not|n't|never)[\s_]+(?:raise|throw|crash|hang|fail|error|interrupt)|"
    r"(?:^|_)(?:accepts?|allows?|ignores?|tolerates?)_|(?:^|_)(?:passes|succeeds)(?:_|$)|"
    r"(?:^|_)is_(?:safe|idempotent)(?:_|$)|swallow|gracefully|\bsilently\b|"
    r"\b(?:runs?|completes?|finish(?:es)?|works?)\s+(?:successfully|fine|cleanly)|"
    r"\b(?:make\s+sure|ensure)\s+(?:that\s+)?(?:we|it|one|you)\s+can\b",
    re.IGNORECASE,
)


def is_test_module(ctx: FileContext) -> bool:
    stem = ctx.posix_path.stem
    return stem.startswith("test_") or stem.endswith("_test")


def _test_functions(ctx: FileContext) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for stmt in ctx.tree.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and stmt.name.startswith(
            "test"
        ):
            yield stmt
        elif isinstance(stmt, ast.ClassDef) and stmt.name.startswith("Test"):
            for inner in stmt.body:
                if isinstance(
                    inner, ast.FunctionDef | ast.AsyncFunctionDef
                ) and inner.name.startswith("test"):
                    yield inner


def _checks_something(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for node in ast.walk(func):
        if isinstance(node, ast.Assert | ast.Raise):
            return True
        if isinstance(node, ast.Call):
            name = (dotted_name(node.func) or "").lower()
            if isinstance(node.func, ast.Attribute):
                name += " " + node.func.attr.lower()  # spies["send"].assert_called_once()
            if any(word in name for word in _CHECK_WORDS):
                return True
            if any(
                k.arg == "check" and isinstance(k.value, ast.Constant) and k.value.value is True
                for k in node.keywords
            ):
                return True  # subprocess.run(..., check=True) fails on a non-zero exit
    for deco in func.decorator_list:
        text = ast.unparse(deco)
        if "skip" in text or "xfail" in text or "benchmark" in text:
            return True
    return False


@rule(
    id="PT001",
    title="Test that asserts nothing",
    severity="important",
    confidence=75,
    category="tests",
    explanation=(
        "A test with no assertion, no `pytest.raises` and no mock assertion passes as long "
        "as the code does not crash: it cannot catch a wrong result, so it gives "
        "confidence it has not earned. Assert on the outcome."
    ),
    before="def test_create_user(client):\n    client.post('/users', json={'name': 'a'})\n",
    after=(
        "def test_create_user(client):\n"
        "    response = client.post('/users', json={'name': 'a'})\n"
        "    assert response.status_code == 201\n"
    ),
)
def check_assertless_test(ctx: FileContext) -> Iterator[Hit]:
    if not is_test_module(ctx):
        return
    for func in _test_functions(ctx):
        body = [
            s
            for s in func.body
            if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
        ]
        if (
            body
            and not all(isinstance(s, ast.Pass) for s in body)
            and not _is_fixture(func)
            and not _checks_something(func)
            and not _means_no_error(ctx, func)
            and not _checked_elsewhere(ctx, func)
        ):
            yield Hit.at(func, f"{func.name} asserts nothing")


def _called_names(node: ast.AST, modules: frozenset[str]) -> set[str]:
    """Functions called in ``node``: plain names, ``module.function`` of an imported
    module, methods of an object built in place (``Rule().validate``) and the test
    class's own helpers (``self._check_offset``); not methods of fixtures such as
    ``client.post``, which every test calls."""
    found = set()
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        if isinstance(func, ast.Name):
            found.add(func.id)
        elif isinstance(func, ast.Attribute) and (
            isinstance(func.value, ast.Call)
            or (
                isinstance(func.value, ast.Name)
                and (func.value.id in modules or func.value.id in {"self", "cls"})
            )
        ):
            found.add(func.attr)
    return found


def _imported_modules(ctx: FileContext) -> frozenset[str]:
    names = {alias.asname or alias.name for n in ctx.nodes(ast.Import) for alias in n.names}
    names |= {alias.asname or alias.name for n in ctx.nodes(ast.ImportFrom) for alias in n.names}
    return frozenset(names)


def _checked_elsewhere(ctx: FileContext, func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """The test calls a helper of the module that asserts, or it is the no-error
    counterpart of a test in the module that expects the same call to raise."""

    def summary() -> tuple[set[str], set[str]]:
        funcs: list[ast.FunctionDef | ast.AsyncFunctionDef] = [
            *ctx.nodes(ast.FunctionDef),
            *ctx.nodes(ast.AsyncFunctionDef),
        ]
        asserting = {f.name for f in funcs if any(isinstance(n, ast.Assert) for n in ast.walk(f))}
        raising: set[str] = set()
        blocks: list[ast.With | ast.AsyncWith] = [*ctx.nodes(ast.With), *ctx.nodes(ast.AsyncWith)]
        for block in blocks:
            if any("raises" in ast.unparse(item.context_expr) for item in block.items):
                for stmt in block.body:
                    raising |= _called_names(stmt, modules)
        return asserting, raising

    modules = ctx.memo("pt001-modules", lambda: _imported_modules(ctx))

    asserting, raising = ctx.memo("pt001-elsewhere", summary)
    called = _called_names(func, modules)
    return bool(called & asserting) or bool(called & raising)


def _is_fixture(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A fixture named ``test_*`` (``@pytest.fixture``, ``@pytest_asyncio.fixture``)."""
    return any("fixture" in ast.unparse(deco) for deco in func.decorator_list)


def _means_no_error(ctx: FileContext, func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """The test says its point is that the code runs without raising or hanging, in its
    name or a comment; pytest fails it on any exception, so it does check something."""
    if _NO_ERROR_INTENT.search(func.name):
        return True
    doc = ast.get_docstring(func) or ""
    if _NO_ERROR_INTENT.search(doc) or re.search(r"\b(?:passes|succeeds)\b", doc):
        return True
    end = func.end_lineno or func.lineno
    for number in range(func.lineno, end + 1):
        line = ctx.line(number)
        if "#" in line and _NO_ERROR_INTENT.search(line.split("#", 1)[1]):
            return True
    # a comment block closing the test, after its last statement, says the same
    number = end + 1 if ctx.line(end + 1).strip() else end + 2
    while (line := ctx.line(number).strip()).startswith("#"):
        if _NO_ERROR_INTENT.search(line):
            return True
        number += 1
    return False


@rule(
    id="PT004",
    title="time.sleep() in a test",
    severity="suggestion",
    confidence=80,
    category="tests",
    explanation=(
        "Sleeping in a test makes the suite slow and flaky: the wait is either longer than "
        "needed or, on a busy CI machine, too short. Wait for the condition itself (poll "
        "with a timeout) or control time (freeze it, inject a clock)."
    ),
    before="def test_expiry(cache):\n    cache.set('k', 1, ttl=1)\n    time.sleep(1.1)\n",
    after=(
        "def test_expiry(cache, clock):\n"
        "    cache.set('k', 1, ttl=1)\n"
        "    clock.advance(seconds=2)\n"
    ),
)
def check_sleep_in_test(ctx: FileContext) -> Iterator[Hit]:
    if not (is_test_module(ctx) or ctx.posix_path.name == "conftest.py"):
        return
    for call in ctx.nodes(ast.Call):
        if ctx.qualified(call.func) == "time.sleep":
            yield Hit.at(call, "time.sleep() in a test: wait for the condition instead")
