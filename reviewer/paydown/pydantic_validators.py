"""PD003: ``@validator`` -> ``@field_validator`` and ``@root_validator(pre=True)`` ->
``@model_validator(mode="before")``, on bump-pydantic's ``ValidatorCodemod``.

bump-pydantic converts any decorator spelled ``validator(...)``; where it cannot it
adds TODO comments, and it turns a plain ``@root_validator()`` into a
``@model_validator()`` without a mode (which v2 rejects) or passes ``skip_on_failure``
through. Here only the validators whose v2 form has the same meaning are handed to it:
Pydantic's own decorator, one per function, ``(cls, value)`` parameters, no
``each_item``, and for root validators only ``pre=True``. The rest is reported for a
person and left as it is.

Two v1 forms are first brought to their v2 meaning on the text, so that bump-pydantic can
take them:

- ``(cls, value, values)`` where ``values`` is only read as a mapping (``values[k]``,
  ``values.get(...)``, ``k in values``): v2 passes the fields validated so far as
  ``info.data``, so the parameter becomes ``info: ValidationInfo`` and each read
  ``info.data``.
- ``always=True``: v2 validates a default only when the field says
  ``validate_default=True``. The flag moves to each validated field declared in the same
  class (into its ``Field(...)``, or ``= default`` becomes ``= Field(default,
  validate_default=True)``); on a required field without a default it has no effect in
  v1 either and is dropped. A field declared elsewhere (a base class) or ``"*"`` is left
  for a person.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import libcst as cst
from bump_pydantic.codemods.validator import (
    ROOT_VALIDATOR_DECORATOR,
    ROOT_VALIDATOR_FUNCTION,
    VALIDATOR_DECORATOR,
    VALIDATOR_FUNCTION,
    ValidatorCodemod,
)
from libcst import matchers as m
from libcst.codemod import CodemodContext

from reviewer.paydown.names import ModuleNames, dotted, last_name
from reviewer.paydown.source import SourceText, TextEdit
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

    @m.visit(VALIDATOR_FUNCTION)
    def visit_validator_func(self, node: cst.FunctionDef) -> None:
        super().visit_validator_func(node)
        params = node.params.params
        if len(params) == 3 and params[2].name.value == "info":
            # ``values`` was turned into v2's ``info`` on the text before this pass (a
            # function that is not allowed is still stopped by the decorator visit).
            self._should_add_comment = False

    @m.visit(VALIDATOR_DECORATOR | ROOT_VALIDATOR_DECORATOR)
    def visit_validator_decorator(self, node: cst.Decorator) -> None:
        super().visit_validator_decorator(node)
        if not self._current_allowed:
            # bump-pydantic's "could not refactor" path, which here changes nothing.
            self._should_add_comment = True

    def _decorator_with_leading_comment(self, node: cst.Decorator, comment: str) -> cst.Decorator:
        return node

    @m.leave(VALIDATOR_FUNCTION | ROOT_VALIDATOR_FUNCTION)
    def leave_validator_func(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        result = super().leave_validator_func(original_node, updated_node)
        # v1 code that already wrote ``@validator(...)`` over ``@classmethod`` keeps its
        # own, and bump-pydantic's second one is dropped.
        plain = [d for d in result.decorators if m.matches(d.decorator, m.Name("classmethod"))]
        if len(plain) > 1:
            extra = plain[-1]
            result = result.with_changes(
                decorators=[d for d in result.decorators if d is not extra]
            )
        return result


def _literal_bool(node: ast.expr) -> bool | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return node.value
    return None


_PYDANTIC_FIELD = frozenset({"pydantic.Field", "pydantic.fields.Field"})
_OPTIONAL_MARKERS = frozenset({"Optional", "None", "Any", "Union"})


def _values_edits(
    func: ast.FunctionDef | ast.AsyncFunctionDef, text: SourceText
) -> list[TextEdit] | str:
    """``values`` read only as a mapping -> ``info.data``; else the reason it stays."""
    param = func.args.args[2]
    if param.arg != "values":
        return "the validator reads `field`/`config`, which v2 passes differently"
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(func):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    reads: list[ast.Name] = []
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and node.id == "info":
            return "the validator already uses the name `info`"
        if (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            and node is not func
        ):
            return "the validator defines a nested function"
        if not (isinstance(node, ast.Name) and node.id == "values"):
            continue
        parent = parents.get(id(node))
        as_mapping = isinstance(node.ctx, ast.Load) and (
            (
                isinstance(parent, ast.Subscript)
                and parent.value is node
                and isinstance(parent.ctx, ast.Load)
            )
            or (isinstance(parent, ast.Attribute) and parent.value is node and parent.attr == "get")
            or (
                isinstance(parent, ast.Compare)
                and node in parent.comparators
                and all(isinstance(op, ast.In | ast.NotIn) for op in parent.ops)
            )
        )
        if not as_mapping:
            return "the validator uses `values` beyond reading it (v2 passes `info.data`)"
        reads.append(node)
    start = text.offset(param.lineno, param.col_offset)
    end = text.offset(param.end_lineno or param.lineno, param.end_col_offset or 0)
    edits = [TextEdit(start, end, "info: ValidationInfo")]
    for name in reads:
        at = text.offset(name.lineno, name.col_offset)
        edits.append(TextEdit(at, at + len("values"), "info.data"))
    return edits


def _always_edits(
    cls: ast.ClassDef, decorator: ast.Call, text: SourceText, names: ModuleNames
) -> tuple[list[TextEdit], bool] | str:
    """Move ``always=True`` onto the validated fields; (edits, needs ``Field``) or why not."""
    keyword = next(kw for kw in decorator.keywords if kw.arg == "always")
    value = _literal_bool(keyword.value)
    if value is None:
        return "`always=` is not a literal True/False"
    fields = {
        node.target.id: node
        for node in cls.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }
    edits: list[TextEdit] = []
    needs_field = False
    if value:
        for arg in decorator.args:
            name = arg.value if isinstance(arg, ast.Constant) else None
            field = fields.get(name) if isinstance(name, str) else None
            if field is None:
                return "`always=` on a field declared outside this class"
            default = field.value
            if default is None:
                marks = {
                    last_name(n) for n in ast.walk(field.annotation) if isinstance(n, ast.expr)
                }
                if marks & _OPTIONAL_MARKERS or any(
                    isinstance(n, ast.Constant) and n.value is None
                    for n in ast.walk(field.annotation)
                ):
                    return "`always=` on an optional field without a default"
                continue  # required: v1 never validated a missing value either
            if isinstance(default, ast.Call) and last_name(default.func) == "Field":
                if names.qualified(dotted(default.func) or "") not in _PYDANTIC_FIELD:
                    return "the field's `Field` is not Pydantic's"
                if any(kw.arg is None or kw.arg == "validate_default" for kw in default.keywords):
                    return "the field's `Field(...)` already sets `validate_default` or `**kwargs`"
                close = (
                    text.offset(default.end_lineno or default.lineno, default.end_col_offset or 0)
                    - 1
                )
                before = close
                while before > 0 and text.text[before - 1] in " \t\r\n":
                    before -= 1
                # Same line as the last argument (line numbers must not move), keeping
                # a trailing comma where there was one.
                if text.text[before - 1] == ",":
                    edits.append(TextEdit(before, before, " validate_default=True,"))
                elif text.text[before - 1] == "(":
                    edits.append(TextEdit(before, before, "validate_default=True"))
                else:
                    edits.append(TextEdit(before, before, ", validate_default=True"))
            else:
                start = text.offset(default.lineno, default.col_offset)
                end = text.offset(default.end_lineno or default.lineno, default.end_col_offset or 0)
                edits.append(TextEdit(start, start, "Field("))
                edits.append(TextEdit(end, end, ", validate_default=True)"))
                needs_field = True
    # Drop the keyword (and the comma before it) from the decorator.
    start = text.offset(keyword.lineno, keyword.col_offset)
    end = text.offset(keyword.end_lineno or keyword.lineno, keyword.end_col_offset or 0)
    cut = start
    while cut > 0 and text.text[cut - 1] in " \t":
        cut -= 1
    if text.text[cut - 1] == ",":
        cut -= 1
    else:  # the first argument: drop the comma after it instead
        while end < len(text.text) and text.text[end] in " \t":
            end += 1
        if text.text[end : end + 1] == ",":
            end += 1
            while end < len(text.text) and text.text[end] in " \t":
                end += 1
    edits.append(TextEdit(cut, end, ""))
    return edits, needs_field


def _validator_problem(func: ast.FunctionDef | ast.AsyncFunctionDef, kind: str) -> str | None:
    decorator = func.decorator_list[0]
    others = func.decorator_list[1:]
    if others and not (
        len(others) == 1 and isinstance(others[0], ast.Name) and others[0].id == "classmethod"
    ):
        return "the validator has other decorators as well"
    if not isinstance(decorator, ast.Call):
        return f"bare `@{kind}` without arguments"
    if not isinstance(decorator.func, ast.Name) or decorator.func.id != kind:
        return f"`{kind}` is imported under another name"
    args = func.args
    if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs or args.defaults:
        return "the validator takes more than `(cls, value)`"
    if len(args.args) != 2 and not (kind == "validator" and len(args.args) == 3):
        return "the validator reads `values`/`field`/`config`, which v2 passes differently"
    allowed = _FIELD_KWARGS if kind == "validator" else _ROOT_KWARGS
    allowed = allowed | {"always"} if kind == "validator" else allowed
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


@dataclass
class ValidatorPlan:
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    edits: list[TextEdit] = field(default_factory=list)
    imports: list[tuple[str, str]] = field(default_factory=list)


def plan_validators(tree: ast.Module, names: ModuleNames, text: SourceText) -> ValidatorPlan:
    """Validator functions that can be rewritten (with the text edits that bring their
    v1-only forms to v2 first), and skips for the rest. A function name used twice in
    the file is not rewritten (the rewrite finds it by name)."""
    plan = ValidatorPlan()
    seen: dict[str, int] = {}
    candidates: list[
        tuple[ast.ClassDef, ast.FunctionDef | ast.AsyncFunctionDef, str, ast.expr]
    ] = []
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
                        candidates.append((cls, func, kind, decorator))
    for cls, func, kind, decorator in candidates:
        problem = _validator_problem(func, kind)
        new_name = "field_validator" if kind == "validator" else "model_validator"
        if problem is None and seen[func.name] > 1:
            problem = f"`{func.name}` is defined more than once in this file"
        if problem is None and not names.free_for(new_name, f"pydantic.{new_name}"):
            problem = f"`{new_name}` already means something else in this file"
        if problem is None and "classmethod" in names.bound:
            problem = "`classmethod` is redefined in this file"
        edits: list[TextEdit] = []
        imports: list[tuple[str, str]] = []
        if problem is None and len(func.args.args) == 3:
            found = _values_edits(func, text)
            if isinstance(found, str):
                problem = found
            elif not names.free_for("ValidationInfo", "pydantic.ValidationInfo"):
                problem = "`ValidationInfo` already means something else in this file"
            else:
                edits += found
                imports.append(("pydantic", "ValidationInfo"))
        if (
            problem is None
            and isinstance(decorator, ast.Call)
            and any(kw.arg == "always" for kw in decorator.keywords)
        ):
            moved = _always_edits(cls, decorator, text, names)
            if isinstance(moved, str):
                problem = moved
            elif moved[1] and not names.free_for("Field", "pydantic.Field"):
                problem = "`Field` already means something else in this file"
            else:
                edits += moved[0]
                if moved[1]:
                    imports.append(("pydantic", "Field"))
        if problem is None:
            plan.functions.append(func)
            plan.edits += edits
            plan.imports += imports
        else:
            plan.skips.append(Skip("PD003", decorator.lineno, problem))
    return plan
