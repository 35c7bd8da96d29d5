"""FastAPI configuration rules: CORS and renamed parameter arguments (FA002, FA007)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from reviewer.engine.context import FileContext
from reviewer.engine.registry import Hit, rule
from reviewer.engine.rules.helpers import is_true, keyword, last_name


def _has_star(node: ast.expr | None) -> bool:
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return any(isinstance(e, ast.Constant) and e.value == "*" for e in node.elts)
    return isinstance(node, ast.Constant) and node.value == "*"


@rule(
    id="FA002",
    title="CORS allows every origin",
    severity="important",
    confidence=90,
    category="fastapi",
    explanation=(
        "`allow_origins=['*']` lets any web site call the API from a browser. With "
        "`allow_credentials=True` as well, a page on any domain can make requests with "
        "the user's cookies (browsers refuse the literal `*` then, so frameworks reflect "
        "the origin instead): that is a cross-site request forgery hole. List the front "
        "ends that may call the API."
    ),
    before=("app.add_middleware(CORSMiddleware, allow_origins=['*'], allow_credentials=True)\n"),
    after=(
        "app.add_middleware(\n"
        "    CORSMiddleware, allow_origins=settings.frontend_origins, allow_credentials=True\n"
        ")\n"
    ),
)
def check_cors(ctx: FileContext) -> Iterator[Hit]:
    for call in ctx.nodes(ast.Call):
        is_add = isinstance(call.func, ast.Attribute) and call.func.attr == "add_middleware"
        named = is_add and call.args and last_name(call.args[0]) == "CORSMiddleware"
        direct = last_name(call.func) in {"CORSMiddleware", "Middleware"} and (
            last_name(call.func) == "CORSMiddleware"
            or (call.args and last_name(call.args[0]) == "CORSMiddleware")
        )
        if not (named or direct):
            continue
        origins = keyword(call, "allow_origins")
        regex = keyword(call, "allow_origin_regex")
        wide = _has_star(origins.value if origins else None) or (
            regex is not None
            and isinstance(regex.value, ast.Constant)
            and regex.value.value in {".*", "^.*$", ".+"}
        )
        if not wide:
            continue
        credentials = keyword(call, "allow_credentials")
        if is_true(credentials.value if credentials else None):
            yield Hit.at(call, "CORS: every origin and credentials allowed", severity="critical")
        else:
            yield Hit.at(call, "CORS: every origin allowed")


_PARAM_FUNCS = {"Query", "Path", "Header", "Cookie", "Body", "Form", "File"}


@rule(
    id="FA007",
    title="regex= on a FastAPI parameter (renamed pattern)",
    severity="suggestion",
    confidence=90,
    category="fastapi",
    debt_kind="fastapi",
    debt_minutes=5,
    explanation=(
        "FastAPI renamed the `regex` argument of `Query`, `Path` and the other parameter "
        "functions to `pattern`, matching Pydantic v2. `regex` is deprecated and will be "
        "removed."
    ),
    before='def search(q: str = Query(None, regex="^[a-z]+$")): ...\n',
    after='def search(q: Annotated[str | None, Query(pattern="^[a-z]+$")] = None): ...\n',
)
def check_param_regex(ctx: FileContext) -> Iterator[Hit]:
    for call in ctx.nodes(ast.Call):
        qualified = ctx.qualified(call.func) or ""
        if not qualified.startswith("fastapi") or last_name(call.func) not in _PARAM_FUNCS:
            continue
        found = keyword(call, "regex")
        if found is not None:
            yield Hit.at(found.value, f"{last_name(call.func)}(regex=...) is pattern=")
