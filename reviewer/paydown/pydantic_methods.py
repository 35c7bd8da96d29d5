"""PD004: v1 model methods -> their v2 names (bump-pydantic has no codemod for these).

A rename is only made where the receiver is known to be a Pydantic model: a class the
repository index knows as one (``UserOut.parse_obj``), ``self`` in a model's method, a
parameter annotated with a model type (or a TypeVar bound to one), a local assigned once
from a model constructor, or a call whose keywords only Pydantic's ``dict()``/``json()``
take (``exclude_unset=True``...). Every other v1-looking call is left for a person.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from reviewer.paydown.index import FileView
from reviewer.paydown.names import dotted, last_name
from reviewer.paydown.source import SourceText, TextEdit
from reviewer.paydown.types import Skip

_CLASS_RENAMES = {
    "parse_obj": "model_validate",
    "from_orm": "model_validate",
    "parse_raw": "model_validate_json",
    "construct": "model_construct",
    "update_forward_refs": "model_rebuild",
    "schema": "model_json_schema",
}
_CLASS_ONLY_FOR_A_PERSON = {
    "parse_file": "`parse_file` reads a path; v2 has no direct equivalent",
    "schema_json": "`schema_json` has no v2 method (json.dumps of `model_json_schema()`)",
}
_DUMP_KWARGS = frozenset(
    {"include", "exclude", "by_alias", "exclude_unset", "exclude_defaults", "exclude_none"}
)
# Keywords no other common ``dict()``/``json()`` method takes.
_PYDANTIC_ONLY_KWARGS = frozenset(
    {"by_alias", "exclude_unset", "exclude_defaults", "exclude_none", "skip_defaults"}
)
_FIELDS_USES = frozenset({"keys", "__contains__"})
_FIELDS_CALLERS = frozenset({"list", "len", "set", "sorted", "tuple", "frozenset"})


@dataclass(frozen=True)
class Rename:
    new: str
    add_from_attributes: bool = False


def _annotation_names(annotation: ast.expr | None) -> list[str]:
    """Type names an annotation allows: ``X``, ``Optional[X]``, ``X | None``, ``"X"``."""
    if annotation is None:
        return []
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return []
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return _annotation_names(annotation.left) + _annotation_names(annotation.right)
    if isinstance(annotation, ast.Constant) and annotation.value is None:
        return ["None"]
    if isinstance(annotation, ast.Subscript) and last_name(annotation.value) == "Optional":
        return [*_annotation_names(annotation.slice), "None"]
    name = dotted(annotation)
    return [name.rsplit(".", 1)[-1]] if name else ["?"]


def _typevars_bound_to_models(tree: ast.Module, index: FileView) -> set[str]:
    found: set[str] = set()
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call)
            and last_name(node.value.func) == "TypeVar"
        ):
            for kw in node.value.keywords:
                if kw.arg == "bound" and all(
                    n in index.pydantic for n in _annotation_names(kw.value) if n != "None"
                ):
                    found.add(node.targets[0].id)
    return found


class _Scope:
    """Names of one function that are known to hold a model instance."""

    def __init__(
        self, func: ast.FunctionDef | ast.AsyncFunctionDef, owner: str | None, models: set[str]
    ) -> None:
        stores: dict[str, int] = {}
        typed: set[str] = set()
        args = func.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
            stores[arg.arg] = stores.get(arg.arg, 0) + 1
            names = [n for n in _annotation_names(arg.annotation) if n != "None"]
            if names and all(n in models for n in names):
                typed.add(arg.arg)
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                stores[extra.arg] = stores.get(extra.arg, 0) + 2
        for node in _own_nodes(func):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
                stores[node.id] = stores.get(node.id, 0) + 1
            elif isinstance(node, ast.Global | ast.Nonlocal):
                for name in node.names:
                    stores[name] = stores.get(name, 0) + 2
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name) and _builds_model(node.value, models):
                    typed.add(target.id)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names = [n for n in _annotation_names(node.annotation) if n != "None"]
                if names and all(n in models for n in names):
                    typed.add(node.target.id)
        self.instances = {name for name in typed if stores.get(name, 0) == 1}
        first = args.posonlyargs + args.args
        is_method = (
            owner in models
            and first
            and not any(
                last_name(d) in {"staticmethod", "classmethod"} for d in func.decorator_list
            )
        )
        if is_method and stores.get(first[0].arg, 0) == 1:
            self.instances.add(first[0].arg)


def _own_nodes(func: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function body, without descending into nested functions/classes."""
    stack = list(ast.iter_child_nodes(func))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))


def _builds_model(value: ast.expr, models: set[str]) -> bool:
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    if last_name(func) in models and dotted(func) is not None:
        return True
    return (
        isinstance(func, ast.Attribute)
        and func.attr in {"parse_obj", "from_orm", "model_validate", "construct", "parse_raw"}
        and last_name(func.value) in models
    )


def _rename_edits(
    text: SourceText, attr: ast.Attribute, call: ast.Call | None, rename: Rename
) -> list[TextEdit]:
    end_line = attr.end_lineno or attr.lineno
    end = text.offset(end_line, attr.end_col_offset or 0)
    edits = [TextEdit(end - len(attr.attr), end, rename.new)]
    if rename.add_from_attributes and call is not None:
        close = text.offset(call.end_lineno or call.lineno, call.end_col_offset or 0) - 1
        before = close
        while before > 0 and text.text[before - 1] in " \t\r\n":
            before -= 1
        if text.text[before - 1] == ",":
            edits.append(TextEdit(before, before, " from_attributes=True,"))
        else:
            edits.append(TextEdit(before, before, ", from_attributes=True"))
    return edits


def plan_methods(
    tree: ast.Module, text: SourceText, index: FileView
) -> tuple[list[TextEdit], list[Skip]]:
    """Text edits renaming the v1 methods that are provably called on models."""
    models = set(index.pydantic) | _typevars_bound_to_models(tree, index)
    edits: list[TextEdit] = []
    skips: list[Skip] = []
    parents: dict[int, ast.AST] = {}
    scopes: dict[int, _Scope] = {}
    owners: dict[int, str | None] = {}

    def visit(node: ast.AST, scope: _Scope | None, owner: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, _Scope(child, owner, models), None)
            elif isinstance(child, ast.ClassDef):
                visit(child, scope, child.name)
            else:
                if scope is not None:
                    scopes[id(child)] = scope
                owners[id(child)] = owner
                visit(child, scope, owner)

    visit(tree, None, None)

    def known_instance(receiver: ast.expr) -> bool:
        scope = scopes.get(id(receiver))
        return (
            isinstance(receiver, ast.Name) and scope is not None and receiver.id in scope.instances
        )

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "__fields__":
            parent = parents.get(id(node))
            receiver_ok = last_name(node.value) in index.pydantic or known_instance(node.value)
            use_ok = (
                (isinstance(parent, ast.Attribute) and parent.attr in _FIELDS_USES)
                or (isinstance(parent, ast.For | ast.comprehension) and parent.iter is node)
                or (
                    isinstance(parent, ast.Compare)
                    and node in parent.comparators
                    and all(isinstance(op, ast.In | ast.NotIn) for op in parent.ops)
                )
                or (
                    isinstance(parent, ast.Call)
                    and last_name(parent.func) in _FIELDS_CALLERS
                    and parent.args == [node]
                )
            )
            if receiver_ok and use_ok:
                edits += _rename_edits(text, node, None, Rename("model_fields"))
            else:
                why = "field objects differ in v2" if receiver_ok else "unknown receiver"
                skips.append(
                    Skip("PD004", node.lineno, f"`__fields__` used beyond its names ({why})")
                )
            continue
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        func = node.func
        name = func.attr
        receiver = func.value
        kwargs = {kw.arg for kw in node.keywords}
        if name in _CLASS_RENAMES or name in _CLASS_ONLY_FOR_A_PERSON:
            receiver_name = last_name(receiver)
            if receiver_name not in index.pydantic or not receiver_name[:1].isupper():
                if receiver_name.endswith(("Schema", "Model", "In", "Out", "Create", "Update")):
                    skips.append(
                        Skip(
                            "PD004",
                            node.lineno,
                            f"cannot tell that `{receiver_name}` is a Pydantic model",
                        )
                    )
                continue
            if name in _CLASS_ONLY_FOR_A_PERSON:
                skips.append(Skip("PD004", node.lineno, _CLASS_ONLY_FOR_A_PERSON[name]))
                continue
            problem = None
            if name in index.overridden_v1_methods:
                problem = f"a model in this repository defines its own `{name}`"
            elif name in {"parse_obj", "from_orm", "parse_raw"} and (
                len(node.args) != 1 or node.keywords
            ):
                problem = f"`{name}` called with arguments v2 takes differently"
            elif name == "update_forward_refs" and (node.args or node.keywords):
                problem = (
                    "`update_forward_refs(**localns)` becomes `model_rebuild(_types_namespace=...)`"
                )
            elif name == "schema" and (node.args or kwargs - {"by_alias"}):
                problem = "`schema()` arguments differ in v2"
            if problem:
                skips.append(Skip("PD004", node.lineno, problem))
                continue
            rename = Rename(_CLASS_RENAMES[name], name == "from_orm")
            edits += _rename_edits(text, func, node, rename)
            continue
        if name not in {"dict", "json", "copy"}:
            continue
        if name == "copy" and "update" not in kwargs:
            continue
        if name == "json" and not kwargs & _DUMP_KWARGS:
            continue
        dotted_receiver = dotted(receiver) or ""
        if name == "dict" and not (
            (not node.args and not node.keywords and dotted_receiver not in {"", "self.__dict__"})
            or kwargs & _DUMP_KWARGS
        ):
            continue
        if dotted_receiver in {"collections", "typing", "builtins"}:
            continue
        allowed_kwargs = {
            "dict": _DUMP_KWARGS | {"skip_defaults"},
            "json": _DUMP_KWARGS | {"indent", "skip_defaults"},
            "copy": frozenset({"update", "deep"}),
        }[name]
        evidence = (
            known_instance(receiver)
            or _builds_model(receiver, models)
            or (name in {"dict", "json"} and bool(kwargs & _PYDANTIC_ONLY_KWARGS))
        )
        problem = None
        if not evidence:
            problem = f"cannot tell that `{dotted_receiver or '...'}` is a Pydantic model"
        elif name in index.overridden_v1_methods:
            problem = f"a model in this repository defines its own `{name}()`"
        elif node.args or None in kwargs or not kwargs <= allowed_kwargs:
            problem = f"`.{name}()` arguments that v2 takes differently"
        elif {"skip_defaults", "exclude_unset"} <= kwargs:
            problem = "both `skip_defaults` and `exclude_unset` are given"
        if problem:
            skips.append(Skip("PD004", node.lineno, problem))
            continue
        new = {"dict": "model_dump", "json": "model_dump_json", "copy": "model_copy"}[name]
        edits += _rename_edits(text, func, node, Rename(new))
        for kw in node.keywords:
            if kw.arg == "skip_defaults":  # v1's old spelling of exclude_unset
                start = text.offset(kw.lineno, kw.col_offset)
                edits.append(TextEdit(start, start + len(kw.arg), "exclude_unset"))
    return edits, skips
