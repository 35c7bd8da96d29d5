"""pytest rules about async tests and error paths (PT002, PT003, PT005)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from reviewer.engine.context import FileContext, ProjectContext
from reviewer.engine.files import SourceError, read_source
from reviewer.engine.names import dotted_name
from reviewer.engine.registry import Hit, project_rule, rule
from reviewer.engine.rules.helpers import calls_in, keyword, last_name
from reviewer.engine.rules.testing import is_test_module

TestFunction = ast.FunctionDef | ast.AsyncFunctionDef


def _test_functions(ctx: FileContext) -> Iterator[tuple[TestFunction, ast.ClassDef | None]]:
    """Test functions pytest collects by default, with their class (None at module level)."""
    for stmt in ctx.tree.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and stmt.name.startswith(
            "test"
        ):
            yield stmt, None
        elif isinstance(stmt, ast.ClassDef) and stmt.name.startswith("Test"):
            for inner in stmt.body:
                if isinstance(
                    inner, ast.FunctionDef | ast.AsyncFunctionDef
                ) and inner.name.startswith("test"):
                    yield inner, stmt


# -- PT002 -------------------------------------------------------------------------------

# Marks (or decorators) that make an async test run: pytest-asyncio, anyio, pytest-trio,
# tornado, pytest-asyncio-cooperative, pytest-twisted.
_ASYNC_MARK = re.compile(r"asyncio|anyio|trio|gen_test|twisted|ensureDeferred|curio")
_AUTO_MODE = re.compile(
    r"asyncio_mode\s*=\s*[\"']?auto|asyncio-mode[= ]+[\"']?auto|trio_mode\s*=\s*(?:true|1)",
    re.IGNORECASE,
)
# Plugins that run every coroutine test with no marker at all.
_AUTO_PLUGINS = re.compile(r"pytest[-_](?:tornasync|aio)\b", re.IGNORECASE)
# conftest hooks that can add markers or run coroutines themselves.
_HOOKS = re.compile(
    r"pytest_collection_modifyitems|pytest_pyfunc_call|pytest_pycollect_makeitem"
    r"|pytest_itemcollected|add_marker|asyncio_mode"
)
_CONFIG_FILES = ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")
# Where a command line may pass ``--asyncio-mode=auto`` (root of the repository).
_COMMAND_FILES = ("Makefile", "tox.ini", "noxfile.py", "justfile", ".gitlab-ci.yml")
_DEPENDENCY_FILES = ("pyproject.toml", "requirements-dev.txt", "requirements.txt", "setup.py")
_MAX_CONFIG_BYTES = 512_000


def _marked(node: ast.expr) -> bool:
    return bool(_ASYNC_MARK.search(ast.unparse(node)))


def _pytestmark(body: list[ast.stmt]) -> ast.expr | None:
    for stmt in body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in stmt.targets
        ):
            return stmt.value
    return None


def _is_plain_mark(decorator: ast.expr) -> bool:
    """``@pytest.mark.<anything>(...)``: a marker, which leaves the function as it is.
    Any other decorator may wrap the coroutine into something pytest can call."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    dotted = dotted_name(target) or ""
    return dotted.startswith(("pytest.mark.", "mark."))


def summarize_async_tests(ctx: FileContext) -> dict[str, Any] | None:
    """Per file, for PT002: the ``async def`` tests with no async marker (line, column,
    name, whether it takes fixtures), or for a conftest whether it may handle async
    tests itself (hooks) or offers the ``anyio_backend`` fixture."""
    name = ctx.posix_path.name
    if name == "conftest.py":
        return {
            "conftest": {
                "hooks": bool(_HOOKS.search(ctx.source)),
                "anyio": "anyio_backend" in ctx.source,
            }
        }
    if not is_test_module(ctx) or "async def test" not in ctx.source:
        return None
    module_mark = _pytestmark(ctx.tree.body)
    if module_mark is not None and _marked(module_mark):
        return None
    found: list[list[Any]] = []
    for func, cls in _test_functions(ctx):
        if not isinstance(func, ast.AsyncFunctionDef):
            continue
        if cls is not None:
            if cls.bases or cls.keywords:
                continue  # unittest.IsolatedAsyncioTestCase, Django's TestCase, ...
            if any(not _is_plain_mark(d) or _marked(d) for d in cls.decorator_list):
                continue
            class_mark = _pytestmark(cls.body)
            if class_mark is not None and _marked(class_mark):
                continue
        if any(not _is_plain_mark(d) or _marked(d) for d in func.decorator_list):
            continue
        params = [a.arg for a in [*func.args.posonlyargs, *func.args.args]]
        params = [p for p in params if p not in {"self", "cls"}]
        if "anyio_backend" in params:
            continue
        found.append([func.lineno, func.col_offset, func.name, bool(params)])
    return {"tests": found} if found else None


def _read(ctx: ProjectContext, rel: str) -> str:
    try:
        return read_source(ctx.root, rel, _MAX_CONFIG_BYTES)
    except (SourceError, OSError):
        return ""


def _auto_everywhere(ctx: ProjectContext) -> bool:
    """Auto mode passed on a command line the repository runs, or a plugin that runs
    every coroutine test."""
    github = ctx.root / ".github"
    workflows = github / "workflows"
    commands = list(_COMMAND_FILES)
    if not github.is_symlink() and workflows.is_dir() and not workflows.is_symlink():
        commands += sorted(
            p.relative_to(ctx.root).as_posix()
            for p in workflows.iterdir()
            if p.suffix in {".yml", ".yaml"}
        )
    if any(_AUTO_MODE.search(_read(ctx, rel)) for rel in commands):
        return True
    return any(_AUTO_PLUGINS.search(_read(ctx, rel)) for rel in _DEPENDENCY_FILES)


@project_rule(
    id="PT002",
    title="Async test that pytest never runs",
    severity="important",
    confidence=75,
    category="tests",
    summarize=summarize_async_tests,
    explanation=(
        "pytest cannot run an `async def` test by itself: without a plugin that drives "
        "it, the coroutine is never awaited and the test is skipped with a warning "
        "(recent pytest versions fail it instead), so the assertions inside have never "
        "been checked. pytest-asyncio only picks up tests marked `@pytest.mark.asyncio` "
        'unless `asyncio_mode = "auto"` is configured; anyio needs `@pytest.mark.anyio`. '
        "Mark the test (or the module with `pytestmark`), or turn on auto mode in the "
        "pytest configuration."
    ),
    before=(
        "async def test_refund_is_recorded(client):\n"
        "    response = await client.post('/refunds', json={'order': 7})\n"
        "    assert response.status_code == 201\n"
    ),
    after=(
        '# pyproject.toml: [tool.pytest.ini_options] asyncio_mode = "auto"\n'
        "# or, per test:\n"
        "@pytest.mark.asyncio\n"
        "async def test_refund_is_recorded(client):\n"
        "    response = await client.post('/refunds', json={'order': 7})\n"
        "    assert response.status_code == 201\n"
    ),
)
def check_unmarked_async_tests(ctx: ProjectContext) -> Iterator[Hit]:
    """Async tests with no asyncio/anyio/trio marker (on the test, its class or the
    module's ``pytestmark``) in a tree where no pytest configuration above the test
    (pytest.ini, pyproject.toml, tox.ini, setup.cfg) turns on auto mode. Left alone:
    tests under a conftest that has collection hooks (they may add markers), tests taking
    fixtures where a conftest offers ``anyio_backend``, methods of classes with base
    classes (unittest and Django run those), tests with decorators other than marks,
    and every test when a command file passes ``--asyncio-mode=auto`` or a plugin that
    runs all coroutines (pytest-aio, pytest-tornasync) is a dependency."""
    summaries = ctx.summaries(summarize_async_tests)
    tests = {path: data["tests"] for path, data in summaries.items() if "tests" in data}
    if not tests:
        return
    conftests = {
        PurePosixPath(path).parent: data["conftest"]
        for path, data in summaries.items()
        if "conftest" in data
    }
    if _auto_everywhere(ctx):
        return
    auto_by_dir: dict[PurePosixPath, bool] = {}

    def configured_auto(folder: PurePosixPath) -> bool:
        if folder not in auto_by_dir:
            texts = [_read(ctx, (folder / name).as_posix()) for name in _CONFIG_FILES]
            auto_by_dir[folder] = any(_AUTO_MODE.search(text) for text in texts)
        return auto_by_dir[folder]

    for path in sorted(tests):
        folders = [*PurePosixPath(path).parents]  # nearest first, "." last
        if any(configured_auto(folder) for folder in folders):
            continue
        above = [conftests[f] for f in folders if f in conftests]
        if any(c["hooks"] for c in above):
            continue
        anyio = any(c["anyio"] for c in above)
        for line, column, name, takes_fixtures in tests[path]:
            if anyio and takes_fixtures:
                continue
            yield Hit(
                line,
                column,
                f"`async def {name}` has no asyncio/anyio marker and auto mode is not "
                "configured: pytest does not run its body.",
                path=path,
            )


# -- PT003 -------------------------------------------------------------------------------

_TEST_CLIENTS = frozenset({"fastapi.testclient.TestClient", "starlette.testclient.TestClient"})


def _is_test_client(ctx: FileContext, expr: ast.expr | None) -> bool:
    if expr is None:
        return False
    if isinstance(expr, ast.Subscript | ast.BinOp):
        # ``TestClient | None``, ``Optional[TestClient]``, ``Generator[TestClient, ...]``
        return any(
            isinstance(n, ast.Name | ast.Attribute) and _is_test_client(ctx, n)
            for n in ast.walk(expr)
        )
    return (
        isinstance(expr, ast.Name | ast.Attribute)
        and last_name(expr) == "TestClient"
        and ctx.qualified(expr) in _TEST_CLIENTS
    )


def _fixture_name(func: TestFunction) -> str | None:
    for deco in func.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        if last_name(target) == "fixture":
            named = keyword(deco, "name") if isinstance(deco, ast.Call) else None
            if named is not None and isinstance(named.value, ast.Constant):
                return str(named.value.value)
            return func.name
    return None


def _fixtures(ctx: FileContext) -> dict[str, bool]:
    """Fixtures of this module by name: True for those that build a sync TestClient (or
    are annotated as returning one)."""
    found: dict[str, bool] = {}
    functions: list[TestFunction] = [*ctx.nodes(ast.FunctionDef), *ctx.nodes(ast.AsyncFunctionDef)]
    for func in functions:
        name = _fixture_name(func)
        if name is None:
            continue
        builds = any(_is_test_client(ctx, call.func) for call in calls_in(func.body))
        found[name] = builds or _is_test_client(ctx, func.returns)
    return found


def summarize_client_usage(ctx: FileContext) -> dict[str, Any] | None:
    """Per file, for PT003: the fixtures of a conftest (which build a TestClient); for a
    test module, its own fixtures, its async tests' parameters, and the places where an
    async test gets a TestClient from this module alone (line, column, message)."""
    name = ctx.posix_path.name
    if name == "conftest.py":
        fixtures = _fixtures(ctx) if "fixture" in ctx.source else {}
        return {"fixtures": fixtures} if fixtures else None
    if not is_test_module(ctx) or "async def test" not in ctx.source:
        return None
    fixtures = _fixtures(ctx) if "fixture" in ctx.source else {}
    tests: list[list[Any]] = []
    direct: list[list[Any]] = []
    for func, _ in _test_functions(ctx):
        if not isinstance(func, ast.AsyncFunctionDef):
            continue
        args = [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]
        flagged = False
        for arg in args:
            if fixtures.get(arg.arg) or _is_test_client(ctx, arg.annotation):
                flagged = True
                direct.append([arg.lineno, arg.col_offset, _param_message(func.name, arg.arg)])
        if not flagged:
            for call in calls_in(func.body):
                if _is_test_client(ctx, call.func):
                    flagged = True
                    direct.append(
                        [
                            call.lineno,
                            call.col_offset,
                            f"`TestClient(...)` inside async `{func.name}`: it blocks the "
                            "test's event loop; use `httpx.AsyncClient` with `ASGITransport`.",
                        ]
                    )
                    break
        if not flagged:
            params = [[a.lineno, a.col_offset, a.arg] for a in args if a.arg not in fixtures]
            if params:
                tests.append([func.name, params])
    if not (tests or direct):
        return None
    return {"fixtures": fixtures, "tests": tests, "direct": direct}


def _param_message(test: str, param: str) -> str:
    return (
        f"`{test}` is async but gets a sync `TestClient` (`{param}`); use "
        "`httpx.AsyncClient` with `ASGITransport`."
    )


@project_rule(
    id="PT003",
    title="Sync TestClient used in an async test",
    severity="suggestion",
    confidence=85,
    category="tests",
    summarize=summarize_client_usage,
    explanation=(
        "FastAPI's `TestClient` is synchronous: it runs the application in its own event "
        "loop on a helper thread. Called from an `async def` test it blocks the test's "
        "loop while it waits, and anything the test set up on its own loop (an async "
        "database session, a fake broker) is used from a different loop by the app, "
        "which fails with 'attached to a different loop' errors or hangs. In async tests "
        "use `httpx.AsyncClient` with `ASGITransport(app=app)`."
    ),
    before=(
        "@pytest.mark.anyio\n"
        "async def test_list_orders(seeded_db):\n"
        "    client = TestClient(app)\n"
        "    assert client.get('/orders').status_code == 200\n"
    ),
    after=(
        "@pytest.mark.anyio\n"
        "async def test_list_orders(seeded_db):\n"
        "    transport = ASGITransport(app=app)\n"
        "    async with AsyncClient(transport=transport, base_url='http://test') as client:\n"
        "        assert (await client.get('/orders')).status_code == 200\n"
    ),
)
def check_sync_client_in_async_test(ctx: ProjectContext) -> Iterator[Hit]:
    """In ``async def`` tests: ``TestClient(...)`` built in the test's own body, a
    parameter annotated ``TestClient``, or a parameter naming a fixture that builds one
    (in the module itself or in a conftest above it; the nearest definition of a fixture
    name wins, as in pytest)."""
    summaries = ctx.summaries(summarize_client_usage)
    conftests = {
        PurePosixPath(path).parent: data["fixtures"]
        for path, data in summaries.items()
        if PurePosixPath(path).name == "conftest.py"
    }
    for path in sorted(summaries):
        data = summaries[path]
        if "tests" not in data:
            continue
        for line, column, message in data["direct"]:
            yield Hit(line, column, message, path=path)
        folders = [*PurePosixPath(path).parents]  # nearest first
        chain = [conftests[f] for f in folders if f in conftests]
        for test, params in data["tests"]:
            for line, column, param in params:
                builds = next((c[param] for c in chain if param in c), False)
                if builds:
                    yield Hit(line, column, _param_message(test, param), path=path)


# -- PT005 -------------------------------------------------------------------------------

_HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "request", "options", "head"})
_ERROR_STATUS_NAME = re.compile(
    r"HTTP_[45]\d\d|NOT_FOUND|BAD_REQUEST|UNAUTHORI[SZ]ED|FORBIDDEN|CONFLICT|UNPROCESSABLE"
    r"|TOO_MANY|INTERNAL_SERVER_ERROR|SERVICE_UNAVAILABLE|GONE|NOT_ALLOWED|PAYMENT_REQUIRED"
    r"|NOT_ACCEPTABLE|TOO_LARGE|PRECONDITION|LOCKED|GATEWAY|TIMEOUT|is_error|is_client_error"
    r"|is_server_error"
)
_ERROR_WORDS = re.compile(
    r"invalid|missing|not_?found|error|fail|unauthori|forbidden|reject|denied|deny|conflict"
    r"|duplicate|bad|wrong|unknown|expired|raise|exception|without|no_auth|anonymous"
    r"|unauthenticated|non_?exist|does_not|empty|too_|exceed|negative|malformed"
    r"|unprocessable|disallow|cannot|cant|not_allowed|refus|locked|limit|[45]\d\d"
    r"|(?:^|_)no_|(?:^|_)non_",
    re.IGNORECASE,
)
_APP_CLASSES = frozenset({"FastAPI", "APIRouter", "Starlette", "Flask", "Litestar"})
_SERVICE_PARTS = re.compile(r"(^|_)(services?|routers?|routes|endpoints|api|views|handlers)$")


def _http_calls(ctx: FileContext) -> int:
    count = 0
    for call in ctx.nodes(ast.Call):
        if not (isinstance(call.func, ast.Attribute) and call.func.attr in _HTTP_VERBS):
            continue
        first = call.args[0] if call.args else None
        if isinstance(first, ast.JoinedStr) and first.values:
            first = first.values[0]
        if (
            isinstance(first, ast.Constant)
            and isinstance(first.value, str)
            and first.value.startswith(("/", "http://", "https://"))
        ):
            count += 1
    return count


def _tests_a_service(ctx: FileContext) -> bool:
    """Something imported from a service/router module (or a ``...Service`` class) is
    called in the module."""
    imported: set[str] = set()
    for node in ctx.nodes(ast.ImportFrom):
        parts = (node.module or "").split(".")
        from_service = any(_SERVICE_PARTS.search(part) for part in parts if part)
        for alias in node.names:
            if from_service or alias.name.endswith("Service"):
                imported.add(alias.asname or alias.name)
    if not imported:
        return False
    for call in ctx.nodes(ast.Call):
        root = call.func
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id in imported:
            return True
    return False


def _expects_an_error(ctx: FileContext, tests: list[TestFunction]) -> bool:
    if any(_ERROR_WORDS.search(func.name) for func in tests):
        return True
    for const in ctx.nodes(ast.Constant):
        value = const.value
        if isinstance(value, int) and not isinstance(value, bool) and 400 <= value <= 599:
            return True
        if isinstance(value, str) and (re.fullmatch(r"[45]\d\d", value) or value == "detail"):
            return True
    for attr in ctx.nodes(ast.Attribute):
        if _ERROR_STATUS_NAME.search(attr.attr):
            return True
    for name in ctx.nodes(ast.Name):
        if _ERROR_STATUS_NAME.search(name.id):
            return True
    for call in ctx.nodes(ast.Call):
        if _ERROR_WORDS.search(last_name(call.func)) or keyword(call, "raises"):
            return True
    for compare in ctx.nodes(ast.Compare):
        sides = [compare.left, *compare.comparators]
        on_status = any(isinstance(s, ast.Attribute) and s.attr == "status_code" for s in sides)
        if on_status and any(isinstance(op, ast.NotEq | ast.Gt | ast.GtE) for op in compare.ops):
            return True
        if any(isinstance(s, ast.Attribute) and s.attr in {"ok", "is_success"} for s in sides):
            return True  # ``response.ok is False``
    return any(
        isinstance(node.op, ast.Not)
        and isinstance(node.operand, ast.Attribute)
        and node.operand.attr in {"ok", "is_success"}
        for node in ctx.nodes(ast.UnaryOp)
    )


@rule(
    id="PT005",
    title="Only happy paths tested",
    severity="suggestion",
    confidence=55,
    category="tests",
    explanation=(
        "A test module for an API router or a service in which every test sends valid "
        "input and expects success says nothing about the cases that break in "
        "production: the missing record, the duplicate, the user without permission, "
        "the malformed payload. Those paths are where status codes get mixed up and "
        "where exceptions leak as 500s. Add at least the main failure cases: assert the "
        "4xx status (and the error body) for an API, or `pytest.raises` for a service."
    ),
    before=(
        "def test_create_order(client):\n"
        "    assert client.post('/orders', json=ORDER).status_code == 201\n"
        "\n"
        "def test_get_order(client, order):\n"
        "    assert client.get(f'/orders/{order.id}').json()['id'] == order.id\n"
    ),
    after=(
        "def test_create_order(client):\n"
        "    assert client.post('/orders', json=ORDER).status_code == 201\n"
        "\n"
        "def test_create_order_rejects_negative_quantity(client):\n"
        "    response = client.post('/orders', json={**ORDER, 'quantity': -1})\n"
        "    assert response.status_code == 422\n"
        "\n"
        "def test_unknown_order_is_404(client):\n"
        "    assert client.get('/orders/999999').status_code == 404\n"
    ),
)
def check_happy_paths_only(ctx: FileContext) -> Iterator[Hit]:
    """A test module with three or more tests that calls an HTTP client with paths
    (``client.get("/orders")``) or calls into a service/router module (and does not
    build an app of its own, as framework behaviour tests do), where nothing
    expects a failure: no 4xx/5xx number or status name, no ``pytest.raises`` (or any
    call named like raise/error/fail), no ``status_code != / >=`` comparison, no test
    named like an error case (``invalid``, ``missing``, ``not_found``, ``forbidden``...).
    One finding per module, on its first test."""
    if not is_test_module(ctx):
        return
    tests = [func for func, _ in _test_functions(ctx)]
    if len(tests) < 3:
        return
    if not (_http_calls(ctx) or _tests_a_service(ctx)):
        return
    if any(last_name(call.func) in _APP_CLASSES for call in ctx.nodes(ast.Call)):
        return  # the module builds its own app: a framework behaviour test, not a router's
    if _expects_an_error(ctx, tests):
        return
    yield Hit.at(
        tests[0],
        f"{len(tests)} tests in this module and none expects a failure (a 4xx status or "
        "an exception); add the main error cases.",
    )
