"""Pydantic v1 idioms left in a v2 codebase (PD002, PD004-PD007). All migration debt."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from reviewer.engine.context import FileContext, span
from reviewer.engine.names import dotted_name
from reviewer.engine.registry import Hit, rule
from reviewer.engine.rules.pydantic import pydantic_models

RENAMED_CONFIG = {
    "orm_mode": "from_attributes",
    "allow_population_by_field_name": "populate_by_name",
    "anystr_strip_whitespace": "str_strip_whitespace",
    "anystr_lower": "str_to_lower",
    "anystr_upper": "str_to_upper",
    "min_anystr_length": "str_min_length",
    "max_anystr_length": "str_max_length",
    "validate_all": "validate_default",
    "schema_extra": "json_schema_extra",
    "allow_mutation": "frozen",
    "underscore_attrs_are_private": "(always on in v2)",
    "smart_union": "(the default in v2)",
}


def _config_keys(model: ast.ClassDef) -> Iterator[tuple[ast.AST, str]]:
    for stmt in model.body:
        if isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
            for inner in stmt.body:
                if isinstance(inner, ast.Assign):
                    for target in inner.targets:
                        if isinstance(target, ast.Name):
                            yield inner, target.id
                elif isinstance(inner, ast.AnnAssign) and isinstance(inner.target, ast.Name):
                    yield inner, inner.target.id
        value = None
        if (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "model_config" for t in stmt.targets)
        ) or (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == "model_config"
        ):
            value = stmt.value
        if isinstance(value, ast.Call):
            for kw in value.keywords:
                if kw.arg:
                    yield kw.value, kw.arg
        elif isinstance(value, ast.Dict):
            for key in value.keys:
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    yield key, key.value


@rule(
    id="PD002",
    title="Pydantic v1 config key",
    severity="important",
    confidence=90,
    category="pydantic",
    debt_kind="pydantic",
    debt_minutes=5,
    explanation=(
        "Pydantic v2 renamed several configuration keys: `orm_mode` is now "
        "`from_attributes`, `allow_population_by_field_name` is `populate_by_name`, the "
        "`anystr_*` keys became `str_*`, `schema_extra` is `json_schema_extra`. v2 warns "
        "about the old names and ignores them, so the behaviour silently changes."
    ),
    before="class UserOut(BaseModel):\n    class Config:\n        orm_mode = True\n",
    after=("class UserOut(BaseModel):\n    model_config = ConfigDict(from_attributes=True)\n"),
)
def check_renamed_config(ctx: FileContext) -> Iterator[Hit]:
    for model in pydantic_models(ctx):
        for node, key in _config_keys(model):
            if key in RENAMED_CONFIG:
                yield Hit.at(node, f"{model.name}: `{key}` is `{RENAMED_CONFIG[key]}` in v2")


_CLASS_METHODS = {
    "parse_obj": "model_validate",
    "parse_raw": "model_validate_json",
    "parse_file": "model_validate_json",
    "from_orm": "model_validate",
    "construct": "model_construct",
    "update_forward_refs": "model_rebuild",
    "schema": "model_json_schema",
    "schema_json": "model_json_schema",
}
_DICT_KWARGS = {
    "include",
    "exclude",
    "by_alias",
    "exclude_unset",
    "exclude_defaults",
    "exclude_none",
}


def _model_names(ctx: FileContext) -> set[str]:
    names = {m.name for m in pydantic_models(ctx)}
    for node in ctx.nodes(ast.ImportFrom):
        for alias in node.names:
            name = alias.asname or alias.name
            if name.endswith(("Schema", "Model", "In", "Out", "Create", "Update")):
                names.add(name)
    return names


def _annotations(ctx: FileContext) -> dict[str, str]:
    """Parameter name -> the class its annotation names (``organization: Organization``)."""
    found: dict[str, str] = {}
    funcs: list[ast.FunctionDef | ast.AsyncFunctionDef] = [
        *ctx.nodes(ast.FunctionDef),
        *ctx.nodes(ast.AsyncFunctionDef),
    ]
    for func in funcs:
        arguments = func.args
        for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
            if arg.annotation is not None:
                found[arg.arg] = (dotted_name(arg.annotation) or "").rsplit(".", 1)[-1]
    return found


_MODEL_SUFFIXES = ("Schema", "Model", "In", "Out", "Create", "Update", "Read", "Base", "DTO")


def _not_a_model(receiver: str, annotations: dict[str, str], models: set[str]) -> bool:
    """A bare ``x.dict()`` whose receiver is annotated with a class that is neither a
    pydantic model of the file nor named like one (an ORM model with its own dict())."""
    annotated = annotations.get(receiver, "")
    return bool(annotated) and annotated not in models and not annotated.endswith(_MODEL_SUFFIXES)


@rule(
    id="PD004",
    title="Pydantic v1 model method",
    severity="suggestion",
    confidence=80,
    category="pydantic",
    debt_kind="pydantic",
    debt_minutes=5,
    explanation=(
        "Pydantic v2 renamed the model methods: `.dict()` is `.model_dump()`, `.json()` is "
        "`.model_dump_json()`, `parse_obj` is `model_validate`, `from_orm` is "
        "`model_validate` with `from_attributes`, `.copy(update=...)` is "
        "`.model_copy(update=...)`, `__fields__` is `model_fields`. The old names are "
        "deprecated and will go away."
    ),
    before="user = UserOut.from_orm(row)\nreturn user.dict(exclude_none=True)\n",
    after="user = UserOut.model_validate(row)\nreturn user.model_dump(exclude_none=True)\n",
)
def check_v1_methods(ctx: FileContext) -> Iterator[Hit]:
    for hit in _v1_method_hits(ctx):
        if not _in_fallback(ctx, hit):
            yield hit


#: v2 names whose presence in a ``try`` body or a ``hasattr()`` test makes the v1 spelling
#: next to it a deliberate fallback for objects of either version.
_V2_NAMES = frozenset(
    {
        "model_fields",
        "model_dump",
        "model_dump_json",
        "model_validate",
        "model_validate_json",
        "model_copy",
        "model_construct",
        "model_json_schema",
    }
)
_PROBED = _V2_NAMES | {"dict", "json", "__fields__", "parse_obj", "from_orm", "copy", "schema"}


def _fallback_regions(ctx: FileContext) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Spans of code written for both Pydantic versions on purpose: the ``except`` handlers
    of a ``try`` that uses a v2 name first, and ``if hasattr(obj, "model_dump")`` /
    ``elif hasattr(obj, "dict")`` chains."""
    regions: list[tuple[tuple[int, int], tuple[int, int]]] = []
    for attempt in ctx.nodes(ast.Try):
        tried = {
            n.attr if isinstance(n, ast.Attribute) else n.id
            for stmt in attempt.body
            for n in ast.walk(stmt)
            if isinstance(n, ast.Attribute | ast.Name)
        }
        if tried & _V2_NAMES:
            regions.extend(span(handler) for handler in attempt.handlers)
    for branch in ctx.nodes(ast.If):
        for call in ast.walk(branch.test):
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id == "hasattr"
                and len(call.args) == 2
                and isinstance(call.args[1], ast.Constant)
                and call.args[1].value in _PROBED
            ):
                regions.append(span(branch))
                break
    return regions


def _in_fallback(ctx: FileContext, hit: Hit) -> bool:
    regions = ctx.memo("pd004-fallbacks", lambda: _fallback_regions(ctx))
    at = (hit.line, hit.column)
    return any(start <= at <= end for start, end in regions)


def _v1_method_hits(ctx: FileContext) -> Iterator[Hit]:
    models = _model_names(ctx)
    annotations = _annotations(ctx)
    for node in ctx.nodes(ast.Attribute):
        if node.attr == "__fields__":
            yield Hit.at(node, "`__fields__` is `model_fields` in v2")
    for call in ctx.nodes(ast.Call):
        func = call.func
        if not isinstance(func, ast.Attribute):
            continue
        receiver = dotted_name(func.value) or ""
        name = func.attr
        if name in _CLASS_METHODS and receiver.rsplit(".", 1)[-1] in models:
            yield Hit.at(call, f"`{receiver}.{name}()` is `{_CLASS_METHODS[name]}()` in v2")
        elif name == "dict" and (
            (not call.args and not call.keywords and receiver not in {"", "self.__dict__"})
            or any(kw.arg in _DICT_KWARGS for kw in call.keywords)
        ):
            if receiver in {"collections", "typing", "builtins"}:
                continue
            if not call.keywords and _not_a_model(receiver, annotations, models):
                continue
            yield Hit.at(call, "`.dict()` is `.model_dump()` in v2")
        elif name == "json" and any(kw.arg in _DICT_KWARGS for kw in call.keywords):
            yield Hit.at(call, "`.json()` is `.model_dump_json()` in v2")
        elif name == "copy" and any(kw.arg == "update" for kw in call.keywords):
            yield Hit.at(call, "`.copy(update=...)` is `.model_copy(update=...)` in v2")


@rule(
    id="PD005",
    title="BaseSettings imported from pydantic",
    severity="important",
    confidence=95,
    category="pydantic",
    debt_kind="pydantic",
    debt_minutes=10,
    explanation=(
        "`BaseSettings` moved out of Pydantic into the separate `pydantic-settings` "
        "package in v2; importing it from `pydantic` fails. Add the package and import "
        "from it; settings use `model_config = SettingsConfigDict(...)`."
    ),
    before="from pydantic import BaseSettings\n",
    after="from pydantic_settings import BaseSettings\n",
)
def check_base_settings(ctx: FileContext) -> Iterator[Hit]:
    for node in ctx.nodes(ast.ImportFrom):
        if node.module == "pydantic" and any(a.name == "BaseSettings" for a in node.names):
            yield Hit.at(node, "import BaseSettings from pydantic_settings")


_V1_FIELD_ARGS = {
    "regex": "pattern",
    "min_items": "min_length",
    "max_items": "max_length",
    "const": "a Literal type",
    "allow_mutation": "frozen",
    "unique_items": "a set type",
}


@rule(
    id="PD006",
    title="Pydantic v1 Field argument",
    severity="important",
    confidence=90,
    category="pydantic",
    debt_kind="pydantic",
    debt_minutes=5,
    explanation=(
        "`Field()` lost several v1 arguments: `regex` is `pattern`, `min_items`/"
        "`max_items` are `min_length`/`max_length`, `const` is expressed with a `Literal` "
        "type and `allow_mutation` with `frozen`. v2 ignores the old ones with a warning, "
        "so the constraint is silently not enforced."
    ),
    before='code: str = Field(..., regex=r"^[A-Z]{3}$")\n',
    after='code: str = Field(..., pattern=r"^[A-Z]{3}$")\n',
)
def check_field_args(ctx: FileContext) -> Iterator[Hit]:
    for call in ctx.nodes(ast.Call):
        qualified = ctx.qualified(call.func) or ""
        if qualified not in {"pydantic.Field", "pydantic.fields.Field"}:
            continue
        for kw in call.keywords:
            if kw.arg in _V1_FIELD_ARGS:
                yield Hit.at(kw.value, f"Field({kw.arg}=...) is {_V1_FIELD_ARGS[kw.arg]} in v2")


@rule(
    id="PD007",
    title="pydantic.v1 compatibility import",
    severity="suggestion",
    confidence=95,
    category="pydantic",
    debt_kind="pydantic",
    debt_minutes=30,
    explanation=(
        "`pydantic.v1` is the v1 API shipped inside v2 as a bridge for migrations. Code "
        "importing it still runs v1 semantics (and the slower v1 validator), and it "
        "cannot be mixed with v2 models: move the module to the v2 API."
    ),
    before="from pydantic.v1 import BaseModel\n",
    after="from pydantic import BaseModel\n",
)
def check_v1_import(ctx: FileContext) -> Iterator[Hit]:
    for node in ctx.nodes(ast.ImportFrom):
        module = node.module or ""
        if node.level == 0 and (
            module == "pydantic.v1"
            or module.startswith("pydantic.v1.")
            or (module == "pydantic" and any(a.name == "v1" for a in node.names))
        ):
            yield Hit.at(node, "pydantic.v1 import")
    for imp in ctx.nodes(ast.Import):
        if any(a.name == "pydantic.v1" or a.name.startswith("pydantic.v1.") for a in imp.names):
            yield Hit.at(imp, "pydantic.v1 import")
