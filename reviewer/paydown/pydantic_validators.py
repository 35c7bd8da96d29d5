"""PD003: ``@validator`` -> ``@field_validator`` and ``@root_validator(pre=True)`` ->
``@model_validator(mode="before")``, on bump-pydantic's ``ValidatorCodemod``.

bump-pydantic converts any decorator spelled ``validator(...)``; where it cannot it
adds TODO comments, and it turns a plain ``@root_validator()`` into a
``@model_validator()`` without a mode (which v2 rejects) or passes ``skip_on_failure``
through. Here only the validators whose v2 form has the same meaning are handed to it:
Pydantic's own decorator, one per function, ``(cls, value)`` parameters, no
``each_item``/``always``, and for root validators only ``pre=True``. The rest is
reported for a person and left as it is.
"""

from __future__ import annotations

import ast

import libcst as cst
from bump_pydantic.codemods.validator import (
    ROOT_VALIDATOR_DECORATOR,
    VALIDATOR_DECORATOR,
    ValidatorCodemod,
)
from libcst import matchers as m
from libcst.codemod import CodemodContext

from reviewer.paydown.names import ModuleNames
from reviewer.paydown.types import Skip

_MODULES = ("pydantic", "pydantic.class_validators")
_FIELD_KWARGS = frozenset({"pre", "allow_reuse", "check_fields"})
_ROOT_KWARGS = frozenset({"pre", "allow_reuse"})


class GatedValidatorCodemod(ValidatorCodemod):
    """bump-pydantic's validator rewrite for the functions named in ``allowed``."""

    def __init__(self, context: CodemodContext, allowed: frozenset[str]) -> None:
        super().__init__(context)
        self.allowed = allowed
        self._current_allowed = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._current_allowed = node.name.value in self.allowed

    @m.visit(VALIDATOR_DECORATOR | ROOT_VALIDATOR_DECORATOR)
    def visit_validator_decorator(self, node: cst.Decorator) -> None:
        super().visit_validator_decorator(node)
        if not self._current_allowed:
            # bump-pydantic's "could not refactor" path, which here changes nothing.
            self._should_add_comment = True

    def _decorator_with_leading_comment(self, node: cst.Decorator, comment: str) -> cst.Decorator:
        return node


def _literal_bool(node: ast.expr) -> bool | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return node.value
    return None


def _validator_problem(func: ast.FunctionDef | ast.AsyncFunctionDef, kind: str) -> str | None:
    decorator = func.decorator_list[0]
    if len(func.decorator_list) != 1:
        return "the validator has other decorators as well"
    if not isinstance(decorator, ast.Call):
        return f"bare `@{kind}` without arguments"
    if not isinstance(decorator.func, ast.Name) or decorator.func.id != kind:
        return f"`{kind}` is imported under another name"
    args = func.args
    if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs or args.defaults:
        return "the validator takes more than `(cls, value)`"
    if len(args.args) != 2:
        return "the validator reads `values`/`field`/`config`, which v2 passes differently"
    allowed = _FIELD_KWARGS if kind == "validator" else _ROOT_KWARGS
    pre: bool | None = False
    for kw in decorator.keywords:
        if kw.arg not in allowed:
            return f"`{kw.arg}=` has no direct v2 equivalent"
        if kw.arg == "pre":
            pre = _literal_bool(kw.value)
            if pre is None:
                return "`pre=` is not a literal True/False"
    if kind == "root_validator":
        if decorator.args:
            return "positional arguments to `root_validator`"
        if not pre:
            return "an after root validator receives the model, not a dict, in v2"
    elif not decorator.args or not all(
        isinstance(a, ast.Constant) and isinstance(a.value, str) for a in decorator.args
    ):
        return "the validated fields are not plain names"
    return None


def plan_validators(
    tree: ast.Module, names: ModuleNames
) -> tuple[list[ast.FunctionDef | ast.AsyncFunctionDef], list[Skip]]:
    """Validator functions that can be rewritten, and skips for the rest. A function
    name used twice in the file is not rewritten (the rewrite finds it by name)."""
    allowed: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    skips: list[Skip] = []
    seen: dict[str, int] = {}
    candidates: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef, str, ast.expr]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            seen[node.name] = seen.get(node.name, 0) + 1
    for cls in ast.walk(tree):
        if not isinstance(cls, ast.ClassDef):
            continue
        for func in cls.body:
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for decorator in func.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                spelled = ast.unparse(target)
                for kind in ("validator", "root_validator"):
                    if names.is_from(spelled, _MODULES, kind):
                        candidates.append((cls.name, func, kind, decorator))
    for _cls_name, func, kind, decorator in candidates:
        problem = _validator_problem(func, kind)
        new_name = "field_validator" if kind == "validator" else "model_validator"
        if problem is None and seen[func.name] > 1:
            problem = f"`{func.name}` is defined more than once in this file"
        if problem is None and not names.free_for(new_name, f"pydantic.{new_name}"):
            problem = f"`{new_name}` already means something else in this file"
        if problem is None and "classmethod" in names.bound:
            problem = "`classmethod` is redefined in this file"
        if problem is None:
            allowed.append(func)
        else:
            skips.append(Skip("PD003", decorator.lineno, problem))
    return allowed, skips
