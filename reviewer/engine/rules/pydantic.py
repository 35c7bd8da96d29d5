"""Pydantic v2 rules (PD). Every one of them is v1-to-v2 migration debt."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from reviewer.engine.context import FileContext
from reviewer.engine.names import dotted_name
from reviewer.engine.registry import Hit, rule

# Base classes from these libraries end in Model/Schema/Settings but are not Pydantic.
_NOT_PYDANTIC = (
    "django",
    "rest_framework",
    "marshmallow",
    "peewee",
    "tortoise",
    "mongoengine",
    "flask_sqlalchemy",
    "sqlalchemy",
    "msgspec",
    "attrs",
    "dataclasses",
)
_MODEL_SUFFIXES = ("Model", "Settings", "Schema")


def _looks_pydantic(ctx: FileContext, base: ast.expr, local_models: set[str]) -> bool:
    dotted = dotted_name(base)
    if dotted is None:
        return False
    qualified = ctx.qualified(base) or ""
    if qualified.startswith(_NOT_PYDANTIC):
        return False
    last = dotted.rsplit(".", 1)[-1]
    return last in local_models or last.endswith(_MODEL_SUFFIXES)


def pydantic_models(ctx: FileContext) -> list[ast.ClassDef]:
    """Classes that are (pragmatically) Pydantic models: a base named ``BaseModel``,
    ``BaseSettings`` or anything ending in Model/Settings/Schema (SQLModel included) that
    is not imported from a known non-Pydantic library, or another model of this file."""
    classes = ctx.nodes(ast.ClassDef)
    models: list[ast.ClassDef] = []
    names: set[str] = set()
    changed = True
    while changed:
        changed = False
        for cls in classes:
            if any(cls is m for m in models):
                continue
            if any(_looks_pydantic(ctx, base, names) for base in cls.bases):
                models.append(cls)
                names.add(cls.name)
                changed = True
    return models


@rule(
    id="PD001",
    title="Pydantic model configured with an inner class Config",
    severity="suggestion",
    confidence=90,
    category="pydantic",
    debt_kind="pydantic",
    debt_minutes=10,
    explanation=(
        "Pydantic v2 configures a model through a `model_config` attribute built with "
        "`ConfigDict(...)` (or `SettingsConfigDict(...)` for settings). The nested "
        "`class Config` is the v1 way: v2 still reads it with a deprecation warning and "
        "it will stop working in v3, and several of the option names usually found in it "
        "were renamed (`orm_mode` is now `from_attributes`, for example), so an old key "
        "can be ignored without any error. Move the options into `model_config` and "
        "rename the keys that changed."
    ),
    before=(
        "class BookOut(BaseModel):\n    id: int\n\n    class Config:\n        orm_mode = True\n"
    ),
    after=(
        "class BookOut(BaseModel):\n"
        "    model_config = ConfigDict(from_attributes=True)\n"
        "\n"
        "    id: int\n"
    ),
)
def check_inner_config(ctx: FileContext) -> Iterator[Hit]:
    """A ``class Config:`` directly in the body of a Pydantic model (not one nested in a
    method, not Django's ``class Meta``, not a top-level class called Config)."""
    for model in pydantic_models(ctx):
        for stmt in model.body:
            if isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
                keys = sorted(
                    t.id
                    for s in stmt.body
                    if isinstance(s, ast.Assign)
                    for t in s.targets
                    if isinstance(t, ast.Name)
                )
                options = f" ({', '.join(keys)})" if keys else ""
                yield Hit.at(
                    stmt,
                    f"`{model.name}` uses an inner `class Config`{options}; set "
                    "`model_config = ConfigDict(...)` instead.",
                )


_V1_VALIDATORS = {
    "validator": "@field_validator",
    "root_validator": "@model_validator",
}
_V1_MODULES = ("pydantic", "pydantic.class_validators")


def _v1_validator(ctx: FileContext, decorator: ast.expr) -> str | None:
    """``validator``/``root_validator`` if the decorator is Pydantic's v1 one."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    qualified = ctx.qualified(target)
    if qualified is not None:
        module, _, name = qualified.rpartition(".")
        return name if module in _V1_MODULES and name in _V1_VALIDATORS else None
    # ``from pydantic import *`` leaves the name unresolved.
    if (
        isinstance(target, ast.Name)
        and target.id in _V1_VALIDATORS
        and "pydantic" in ctx.imports.star_modules
        and target.id not in ctx.bound_names
    ):
        return target.id
    return None


@rule(
    id="PD003",
    title="Pydantic v1 @validator / @root_validator",
    severity="suggestion",
    confidence=95,
    category="pydantic",
    debt_kind="pydantic",
    debt_minutes=20,
    explanation=(
        "`@validator` and `@root_validator` are Pydantic v1 decorators, deprecated in v2. "
        "Their v2 replacements, `@field_validator` and `@model_validator`, take different "
        "arguments: `pre=True` becomes `mode='before'`, `each_item` and `always` are gone, "
        "and a model validator in `mode='after'` receives the model instance instead of a "
        "dict of values. Because the semantics shift, each validator has to be rewritten "
        "and tested, not just renamed."
    ),
    before=(
        "class BookIn(BaseModel):\n"
        "    title: str\n"
        "\n"
        '    @validator("title")\n'
        "    def not_blank(cls, value):\n"
        "        return value.strip()\n"
    ),
    after=(
        "class BookIn(BaseModel):\n"
        "    title: str\n"
        "\n"
        '    @field_validator("title")\n'
        "    @classmethod\n"
        "    def not_blank(cls, value: str) -> str:\n"
        "        return value.strip()\n"
    ),
)
def check_v1_validators(ctx: FileContext) -> Iterator[Hit]:
    """Decorators that resolve to ``pydantic.validator`` / ``pydantic.root_validator``
    (any alias). v2's ``field_validator``, other libraries' ``validator`` and the
    ``pydantic.v1`` compatibility module are not flagged."""
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = [
        *ctx.nodes(ast.FunctionDef),
        *ctx.nodes(ast.AsyncFunctionDef),
    ]
    for node in functions:
        for decorator in node.decorator_list:
            name = _v1_validator(ctx, decorator)
            if name is None:
                continue
            yield Hit.at(
                decorator,
                f"`@{name}` on `{node.name}` is the Pydantic v1 API; rewrite it as "
                f"`{_V1_VALIDATORS[name]}` (mind the changed arguments).",
            )
