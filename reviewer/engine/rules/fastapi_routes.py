"""FastAPI route rules: response schema, documentation, background work and status codes
(FA003, FA004, FA005, FA006).

A *route* here is a function decorated with ``<owner>.get/post/put/patch/delete/...(...)``
in a module that imports FastAPI, where ``owner`` was built by ``FastAPI()`` or
``APIRouter()`` in the module or, failing that, where the module imports no other web
framework (Flask, Quart, Sanic, Django Ninja, Litestar, ... all spell routes the same way).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from reviewer.engine.context import FileContext
from reviewer.engine.names import dotted_name
from reviewer.engine.registry import Hit, rule
from reviewer.engine.rules.helpers import calls_in, keyword, last_name

ROUTE_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "options", "head", "trace", "api_route"}
)
_CONSTRUCTORS = frozenset({"FastAPI", "APIRouter"})
_OTHER_FRAMEWORKS = (
    "flask",
    "quart",
    "sanic",
    "ninja",
    "litestar",
    "starlite",
    "aiohttp",
    "django",
    "falcon",
    "bottle",
    "tornado",
    "robyn",
    "blacksheep",
    "apiflask",
    "connexion",
    "esmerald",
)

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(eq=False)
class Route:
    func: FunctionNode
    decorator: ast.Call
    method: str  # the decorator's attribute: "get", "post", ..., "api_route"
    owner: str  # dotted name of the app or router

    @cached_property
    def statements(self) -> list[ast.stmt]:
        """The statements the route runs itself (nested functions and classes left out);
        walked once and shared by the four rules."""
        found: list[ast.stmt] = []
        stack: list[ast.AST] = list(self.func.body)
        while stack:
            node = stack.pop()
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            if isinstance(node, ast.stmt):
                found.append(node)
                for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                    stack.extend(getattr(node, field, ()))
            elif isinstance(node, ast.ExceptHandler | ast.match_case):
                stack.extend(node.body)
        return found

    @cached_property
    def returns(self) -> list[ast.Return]:
        return [s for s in self.statements if isinstance(s, ast.Return)]


def _origins(ctx: FileContext) -> list[str]:
    return list(ctx.imports.aliases.values()) + list(ctx.imports.star_modules)


def _imports_fastapi(ctx: FileContext) -> bool:
    return any(o == "fastapi" or o.startswith("fastapi.") for o in _origins(ctx))


def _imports_other_framework(ctx: FileContext) -> bool:
    return any(o.split(".", 1)[0] in _OTHER_FRAMEWORKS for o in _origins(ctx))


def _is_constructor(ctx: FileContext, call: ast.expr, names: frozenset[str]) -> bool:
    if not isinstance(call, ast.Call) or last_name(call.func) not in names:
        return False
    return (ctx.qualified(call.func) or "").startswith("fastapi")


def _fastapi_objects(ctx: FileContext) -> dict[str, ast.Call]:
    found: dict[str, ast.Call] = {}
    for node in ctx.nodes(ast.Assign):
        if _is_constructor(ctx, node.value, _CONSTRUCTORS):
            for target in node.targets:
                name = dotted_name(target)
                if name:
                    found[name] = node.value  # type: ignore[assignment]
    for ann in ctx.nodes(ast.AnnAssign):
        name = dotted_name(ann.target)
        if name and ann.value is not None and _is_constructor(ctx, ann.value, _CONSTRUCTORS):
            found[name] = ann.value  # type: ignore[assignment]
    return found


_TEST_DIRS = frozenset({"tests", "test", "testing"})


def in_test_code(ctx: FileContext) -> bool:
    """Test modules, conftest files and anything under a ``tests/`` folder: the apps and
    routes there exist to exercise the real ones."""
    *folders, name = ctx.path.split("/")
    stem = name.removesuffix(".py")
    if stem.startswith("test_") or stem.endswith("_test") or stem == "conftest":
        return True
    return any(part in _TEST_DIRS for part in folders)


def routes(ctx: FileContext) -> list[Route]:
    """Every FastAPI route function of the module (see the module docstring); none in
    test code. Found once per file for all the rules that ask."""
    return _routes_and_objects(ctx)[0]


def fastapi_objects(ctx: FileContext) -> dict[str, ast.Call]:
    """Names (dotted, e.g. ``router`` or ``self.app``) bound to ``FastAPI(...)`` or
    ``APIRouter(...)`` in this module, with the constructing call."""
    return _routes_and_objects(ctx)[1]


def _routes_and_objects(ctx: FileContext) -> tuple[list[Route], dict[str, ast.Call]]:
    return ctx.memo("fastapi-routes", lambda: _compute_routes(ctx))


def _compute_routes(ctx: FileContext) -> tuple[list[Route], dict[str, ast.Call]]:
    if not _imports_fastapi(ctx) or in_test_code(ctx):
        return [], {}
    known = _fastapi_objects(ctx)
    return _find_routes(ctx, known), known


def _find_routes(ctx: FileContext, known: dict[str, ast.Call]) -> list[Route]:
    trust_any_owner = not _imports_other_framework(ctx)
    found: list[Route] = []
    functions: list[FunctionNode] = [
        *ctx.nodes(ast.FunctionDef),
        *ctx.nodes(ast.AsyncFunctionDef),
    ]
    for func in functions:
        for deco in func.decorator_list:
            if not (
                isinstance(deco, ast.Call)
                and isinstance(deco.func, ast.Attribute)
                and deco.func.attr in ROUTE_METHODS
            ):
                continue
            owner = dotted_name(deco.func.value)
            if owner is None or (owner not in known and not trust_any_owner):
                continue
            if owner not in known and owner.split(".", 1)[0] in ctx.imports.aliases:
                # ``@requests.get``-like owners are modules, not apps.
                origin = ctx.imports.aliases[owner.split(".", 1)[0]]
                if not _looks_like_app_import(origin):
                    continue
            found.append(Route(func, deco, deco.func.attr, owner))
            break
    found.sort(key=lambda r: r.func.lineno)
    return found


def _looks_like_app_import(origin: str) -> bool:
    """``from app.main import app`` / ``from .api import router``: an imported object whose
    name says it is an app or a router (not a module such as ``requests``)."""
    name = origin.rsplit(".", 1)[-1].lower()
    return name in {"app", "api", "application"} or "router" in name or name.endswith("_app")


def _docstring(func: FunctionNode) -> str | None:
    return ast.get_docstring(func, clean=False)


def _is_false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _hidden_from_schema(route: Route, known: dict[str, ast.Call]) -> bool:
    """``include_in_schema=False`` on the route or on the router/app it is declared on, or
    an app without OpenAPI (``openapi_url=None``)."""
    found = keyword(route.decorator, "include_in_schema")
    if found is not None and _is_false(found.value):
        return True
    owner = known.get(route.owner)
    if owner is None:
        return False
    hidden = keyword(owner, "include_in_schema")
    if hidden is not None and _is_false(hidden.value):
        return True
    openapi = keyword(owner, "openapi_url")
    return (
        openapi is not None and isinstance(openapi.value, ast.Constant) and not openapi.value.value
    )


def _is_response_call(node: ast.expr | None) -> bool:
    """``JSONResponse(...)``, ``RedirectResponse(...)``, ``templates.TemplateResponse(...)``,
    ``Response(...)``: the route builds its response itself."""
    return isinstance(node, ast.Call) and last_name(node.func).endswith("Response")


def _builds_response(route: Route, values: list[ast.expr]) -> bool:
    """A returned value is a response object: built in the ``return`` itself or assigned
    to the returned name first (``response = RedirectResponse(...)``, cookies set, then
    ``return response``)."""
    if any(_is_response_call(v) for v in values):
        return True
    if route.func.returns is not None and last_name(route.func.returns).endswith("Response"):
        return True  # ``-> Response``: whatever it returns carries its own status
    returned = {v.id for v in values if isinstance(v, ast.Name)}
    if not returned:
        return False
    for node in route.statements:
        if (
            isinstance(node, ast.Assign)
            and _is_response_call(node.value)
            and any(isinstance(t, ast.Name) and t.id in returned for t in node.targets)
        ):
            return True
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id in returned
            and _is_response_call(node.value)
        ):
            return True
    return False


def _status_literal(node: ast.expr) -> int | None:
    """204 for ``204``, ``status.HTTP_204_NO_CONTENT`` or ``HTTPStatus.NO_CONTENT``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    name = last_name(node)
    match = re.match(r"HTTP_(\d{3})", name)
    if match:
        return int(match.group(1))
    return _HTTP_STATUS_NAMES.get(name)


_HTTP_STATUS_NAMES = {"OK": 200, "CREATED": 201, "ACCEPTED": 202, "NO_CONTENT": 204}


# -- FA003 -------------------------------------------------------------------------------


@rule(
    id="FA003",
    title="Route with no response model or return type",
    severity="suggestion",
    confidence=80,
    category="fastapi",
    explanation=(
        "FastAPI builds a route's OpenAPI response schema, and filters what the route "
        "returns, from `response_model=` or from the function's return annotation. With "
        "neither, the documentation shows an untyped `200` body, generated clients get "
        "`any`, and every attribute of a returned ORM object or dict goes to the caller, "
        "including fields that were never meant to leave the server. Annotate the return "
        "type with the output schema (or pass `response_model=`)."
    ),
    before=(
        '@router.get("/invoices/{invoice_id}")\n'
        "async def read_invoice(invoice_id: int, db: DbSession):\n"
        "    return await db.get(Invoice, invoice_id)\n"
    ),
    after=(
        '@router.get("/invoices/{invoice_id}")\n'
        "async def read_invoice(invoice_id: int, db: DbSession) -> InvoiceOut:\n"
        "    return await db.get(Invoice, invoice_id)\n"
    ),
)
def check_missing_response_model(ctx: FileContext) -> Iterator[Hit]:
    """Routes with no ``response_model=`` (an explicit ``None`` is a choice, not an
    omission) and no return annotation, that return a value. Routes that build their own
    ``...Response``, declare ``response_class=``/``responses=``, answer 204 or are hidden
    from the schema are left alone."""
    found = routes(ctx)
    if not found:
        return
    known = fastapi_objects(ctx)
    for route in found:
        deco, func = route.decorator, route.func
        if func.returns is not None or route.method in {"head", "options", "trace"}:
            continue
        if any(keyword(deco, k) for k in ("response_model", "response_class", "responses")):
            continue
        status = keyword(deco, "status_code")
        if status is not None and _status_literal(status.value) in {204, 304}:
            continue
        if _hidden_from_schema(route, known):
            continue
        values = [r.value for r in route.returns if r.value is not None]
        if not values or _builds_response(route, values):
            continue
        if all(isinstance(v, ast.Constant) and v.value is None for v in values):
            continue
        yield Hit.at(
            func,
            f"`{func.name}` has no `response_model` and no return annotation: OpenAPI shows "
            "no schema for its response; annotate the return type with the output model.",
        )


# -- FA004 -------------------------------------------------------------------------------


@rule(
    id="FA004",
    title="Undocumented route or untagged router",
    severity="suggestion",
    confidence=70,
    category="fastapi",
    explanation=(
        "The interactive docs and generated clients are only as good as what the routes "
        "say about themselves. A route with no docstring, `summary=` or `description=` "
        "appears under a title derived from its function name and nothing else, and "
        "routes of a router with no `tags` all land in an unnamed `default` group. Give "
        "each route a one-line docstring saying what it does and what it returns on "
        "error, and tag each router (on `APIRouter(...)` or where it is included)."
    ),
    before=(
        'router = APIRouter(prefix="/invoices")\n'
        "\n"
        '@router.post("/{invoice_id}/void")\n'
        "async def void_invoice(invoice_id: int) -> InvoiceOut:\n"
        "    ...\n"
    ),
    after=(
        'router = APIRouter(prefix="/invoices", tags=["invoices"])\n'
        "\n"
        '@router.post("/{invoice_id}/void")\n'
        "async def void_invoice(invoice_id: int) -> InvoiceOut:\n"
        '    """Void an open invoice; 409 if it is already paid."""\n'
        "    ...\n"
    ),
)
def check_undocumented_route(ctx: FileContext) -> Iterator[Hit]:
    """Routes without docstring/summary/description, and ``APIRouter(prefix=...)`` with no
    ``tags`` whose routes in this module carry none either. A bare ``APIRouter()`` (no
    prefix) is usually configured where it is included (``include_router(r, prefix=...,
    tags=[...])``, often in another module), so it is not flagged."""
    found = routes(ctx)
    if not found:
        return
    known = fastapi_objects(ctx)
    for route in found:
        deco, func = route.decorator, route.func
        if _hidden_from_schema(route, known):
            continue
        if keyword(deco, "summary") or keyword(deco, "description") or _docstring(func):
            continue
        yield Hit.at(
            func,
            f"`{func.name}` has no docstring, `summary=` or `description=`: the API docs "
            "say nothing about what it does.",
        )
    tagged_includes = {
        dotted_name(call.args[0])
        for call in ctx.nodes(ast.Call)
        if last_name(call.func) == "include_router" and call.args and keyword(call, "tags")
    }
    for name, call in known.items():
        if last_name(call.func) != "APIRouter" or keyword(call, "tags"):
            continue
        if keyword(call, "prefix") is None or name in tagged_includes:
            continue
        own = [r for r in found if r.owner == name]
        if not own or any(keyword(r.decorator, "tags") for r in own):
            continue
        if _hidden_from_schema(own[0], known):
            continue
        yield Hit.at(
            call,
            f"router `{name}` has no `tags`: its {len(own)} route(s) are listed under "
            "`default` in the API docs.",
        )


# -- FA005 -------------------------------------------------------------------------------

_THREAD_CLASSES = frozenset(
    {"threading.Thread", "threading.Timer", "multiprocessing.Process", "multiprocessing.Pool"}
)
_EXECUTORS = frozenset(
    {
        "concurrent.futures.ThreadPoolExecutor",
        "concurrent.futures.ProcessPoolExecutor",
        "concurrent.futures.thread.ThreadPoolExecutor",
        "concurrent.futures.process.ProcessPoolExecutor",
    }
)


def _route_of(ctx: FileContext, node: ast.AST, by_func: dict[int, Route]) -> Route | None:
    """The route whose body runs ``node`` directly (not in a nested function)."""
    scopes = ctx.enclosing_scopes(node)
    if not scopes:
        return None
    return by_func.get(id(scopes[-1]))


def _executor_names(ctx: FileContext) -> tuple[set[str], set[str]]:
    """Names bound to an executor by assignment, and names bound by ``with ... as``
    (whose exit waits for the submitted work)."""
    assigned: set[str] = set()
    managed: set[str] = set()
    for node in ctx.nodes(ast.Assign):
        if isinstance(node.value, ast.Call) and ctx.qualified(node.value.func) in _EXECUTORS:
            assigned.update(n for t in node.targets if (n := dotted_name(t)))
    for item in ctx.nodes(ast.withitem):
        expr = item.context_expr
        if (
            isinstance(expr, ast.Call)
            and ctx.qualified(expr.func) in _EXECUTORS
            and item.optional_vars is not None
            and (n := dotted_name(item.optional_vars))
        ):
            managed.add(n)
    return assigned - managed, managed


@rule(
    id="FA005",
    title="Thread or executor started by hand in a route",
    severity="important",
    confidence=80,
    category="fastapi",
    explanation=(
        "Starting a `Thread`, a `Process` or an executor job from a route to do work "
        "after the response leaves the server outside anything FastAPI knows about: no "
        "limit on how many run at once, exceptions vanish, and a worker restart or a "
        "shutdown kills the work half done. `BackgroundTasks` runs the function after "
        "the response is sent, inside the request's lifecycle, and a job that must "
        "survive restarts belongs on a task queue."
    ),
    before=(
        '@router.post("/reports")\n'
        "def request_report(spec: ReportSpec) -> Accepted:\n"
        "    threading.Thread(target=build_report, args=(spec,)).start()\n"
        "    return Accepted()\n"
    ),
    after=(
        '@router.post("/reports")\n'
        "def request_report(spec: ReportSpec, tasks: BackgroundTasks) -> Accepted:\n"
        "    tasks.add_task(build_report, spec)\n"
        "    return Accepted()\n"
    ),
)
def check_manual_threads(ctx: FileContext) -> Iterator[Hit]:
    """In a route's own body: a thread/process started and not joined, a job submitted to
    an executor whose future is thrown away (unless the executor is a ``with`` block in
    the route, which waits), ``run_in_executor`` not awaited, ``_thread.start_new_thread``."""
    found = routes(ctx)
    if not found:
        return
    by_func = {id(r.func): r for r in found}
    executors, _ = _executor_names(ctx)
    for call in ctx.nodes(ast.Call):
        func = call.func
        if not isinstance(func, ast.Attribute | ast.Name):
            continue
        name = func.attr if isinstance(func, ast.Attribute) else func.id
        if name not in {"start", "submit", "run_in_executor", "start_new_thread", "map"}:
            continue
        route = _route_of(ctx, call, by_func)
        if route is None:
            continue
        if name == "start" and isinstance(func, ast.Attribute):
            hit = _started_thread(ctx, route, func.value)
            if hit:
                yield Hit.at(call, hit)
        elif name in {"submit", "map"} and isinstance(func, ast.Attribute):
            if _discarded(route, call) and _is_executor(ctx, func.value, executors):
                yield Hit.at(
                    call,
                    f"`{dotted_name(func) or name}()` in `{route.func.name}` starts work "
                    "nobody waits for; use `BackgroundTasks.add_task` (or a task queue).",
                )
        elif name == "run_in_executor" and _discarded(route, call):
            yield Hit.at(
                call,
                f"`run_in_executor()` in `{route.func.name}` is not awaited: fire-and-forget "
                "work; use `BackgroundTasks.add_task` (or await it).",
            )
        elif name == "start_new_thread" and ctx.qualified(func) == "_thread.start_new_thread":
            yield Hit.at(
                call,
                f"`start_new_thread()` in `{route.func.name}`; use `BackgroundTasks`.",
            )


def _is_executor(ctx: FileContext, receiver: ast.expr, executors: set[str]) -> bool:
    if isinstance(receiver, ast.Call):
        return ctx.qualified(receiver.func) in _EXECUTORS
    name = dotted_name(receiver)
    return name is not None and name in executors


def _discarded(route: Route, call: ast.Call) -> bool:
    """The call is a statement of its own: its result (a future) is thrown away."""
    return any(isinstance(node, ast.Expr) and node.value is call for node in route.statements)


def _started_thread(ctx: FileContext, route: Route, receiver: ast.expr) -> str | None:
    func = route.func
    """A message when ``receiver.start()`` starts a thread/process built in this route
    and never joined there."""
    if isinstance(receiver, ast.Call):
        kind = ctx.qualified(receiver.func)
        if kind in _THREAD_CLASSES:
            return f"`{last_name(receiver.func)}(...).start()` in `{func.name}`: " + _ADVICE
        return None
    name = dotted_name(receiver)
    if name is None:
        return None
    built = None
    joined = False
    for other in calls_in(func.body):
        if last_name(other.func) == "join" and isinstance(other.func, ast.Attribute):
            joined = joined or dotted_name(other.func.value) == name
    for stmt in route.statements:
        if (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.value, ast.Call)
            and any(dotted_name(t) == name for t in stmt.targets)
            and ctx.qualified(stmt.value.func) in _THREAD_CLASSES
        ):
            built = last_name(stmt.value.func)
    if built is None or joined:
        return None
    return f"`{name}.start()` ({built}) in `{func.name}`: " + _ADVICE


_ADVICE = "work started outside the request lifecycle; use `BackgroundTasks.add_task`."


# -- FA006 -------------------------------------------------------------------------------

_CREATE_PREFIXES = ("create", "add", "register", "insert", "new", "signup", "sign_up")
_NOT_CREATE_WORDS = ("token", "login", "search", "query", "preview", "validate", "check")
_ERROR_KEYS = frozenset({"error", "errors", "err", "error_message", "error_code"})
_FAILURE_STATUSES = frozenset({"error", "fail", "failed", "failure"})


def _sets_status(route: Route) -> bool:
    """``response.status_code = ...`` somewhere in the route."""
    for node in route.statements:
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Attribute) and t.attr == "status_code" for t in targets):
                return True
    return False


def _error_dict(node: ast.expr | None) -> str | None:
    """The key that makes ``node`` an error payload: ``{"error": ...}``,
    ``{"success": False}``, ``{"status": "error"}``."""
    if not isinstance(node, ast.Dict):
        return None
    for key, value in zip(node.keys, node.values, strict=True):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            continue
        text = key.value.lower()
        if text in _ERROR_KEYS:
            if isinstance(value, ast.Constant) and value.value in (None, "", False):
                continue  # {"error": None}: the success shape of an envelope
            return key.value
        if text in {"success", "ok"} and _is_false(value):
            return key.value
        if (
            text == "status"
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
            and value.value.lower() in _FAILURE_STATUSES
        ):
            return key.value
    return None


def _error_payload(node: ast.expr | None) -> str | None:
    """An error dict returned as is, or wrapped in ``JSONResponse(...)`` without a
    ``status_code``."""
    if isinstance(node, ast.Call) and last_name(node.func) in {"JSONResponse", "ORJSONResponse"}:
        if keyword(node, "status_code") or len(node.args) > 1:
            return None
        content = node.args[0] if node.args else None
        found = keyword(node, "content")
        return _error_dict(found.value if found else content)
    return _error_dict(node)


@rule(
    id="FA006",
    title="Wrong status code: create without 201, error returned as 200",
    severity="suggestion",
    confidence=70,
    category="fastapi",
    explanation=(
        "Clients, proxies and monitoring read the status code before the body. A POST "
        "that creates something and answers the default `200` hides that a resource now "
        "exists (`201 Created` says so), and a route that reports a failure as "
        "`{'error': ...}` with `200` looks like a success to every retry policy, cache "
        "and error dashboard in between. Set `status_code=201` on create routes and raise "
        "`HTTPException` with a 4xx status for failures."
    ),
    before=(
        '@router.post("/projects")\n'
        "async def create_project(data: ProjectIn, db: DbSession) -> ProjectOut:\n"
        "    if await db.scalar(exists_named(data.name)):\n"
        '        return {"error": "name taken"}\n'
        "    return await insert_project(db, data)\n"
    ),
    after=(
        '@router.post("/projects", status_code=status.HTTP_201_CREATED)\n'
        "async def create_project(data: ProjectIn, db: DbSession) -> ProjectOut:\n"
        "    if await db.scalar(exists_named(data.name)):\n"
        '        raise HTTPException(status.HTTP_409_CONFLICT, "name taken")\n'
        "    return await insert_project(db, data)\n"
    ),
)
def check_status_codes(ctx: FileContext) -> Iterator[Hit]:
    """POST routes named like a create (``create_*``, ``add_*``, ``register_*``, ...; not
    token/login/search endpoints) with no ``status_code=`` that return a value and never
    set ``response.status_code`` nor build their own response; and ``return`` of an error
    dict (``{"error": ...}``, ``{"success": False}``, ``{"status": "error"}``) from any
    route that does not set its status code."""
    for route in routes(ctx):
        deco, func = route.decorator, route.func
        sets_status = _sets_status(route)
        values = [r.value for r in route.returns if r.value is not None]
        if sets_status:
            continue
        if route.method == "post" and keyword(deco, "status_code") is None:
            lowered = func.name.lower()
            if (
                lowered.startswith(_CREATE_PREFIXES)
                and not any(word in lowered for word in _NOT_CREATE_WORDS)
                and values
                and not _builds_response(route, values)
            ):
                yield Hit.at(
                    func,
                    f"`{func.name}` creates something but answers the default 200; set "
                    "`status_code=201` on the decorator.",
                )
        status = keyword(deco, "status_code")
        if status is not None and (_status_literal(status.value) or 200) >= 400:
            continue  # an error route on purpose
        for ret in route.returns:
            key = _error_payload(ret.value)
            if key is not None:
                yield Hit.at(
                    ret,
                    f"`{func.name}` returns an error payload (`{key}`) with a success status; "
                    "raise `HTTPException` with a 4xx status instead.",
                )
