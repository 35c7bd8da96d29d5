"""Pydantic field typing (PD008): ``Any`` where a concrete type fits, and unions of models
with no ``Literal`` discriminator."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from reviewer.engine.context import FileContext
from reviewer.engine.names import dotted_name
from reviewer.engine.registry import Hit, rule
from reviewer.engine.rules.helpers import keyword, last_name
from reviewer.engine.rules.pydantic import pydantic_models

_ANY = frozenset({"typing.Any", "typing_extensions.Any"})
# Containers whose element type ``Any`` leaves undescribed (mappings of arbitrary JSON
# are left alone: ``dict[str, Any]`` is the honest type of a free-form object).
_SEQUENCES = frozenset(
    {"list", "List", "set", "Set", "frozenset", "FrozenSet", "Sequence", "tuple", "Tuple"}
)
_OPTIONAL = frozenset({"Optional"})
_UNION = frozenset({"Union"})
# Field names that announce a free-form value: Any is the honest type there.
_FREE_FORM = frozenset(
    {
        "data",
        "payload",
        "extra",
        "extras",
        "metadata",
        "meta",
        "value",
        "values",
        "context",
        "details",
        "detail",
        "raw",
        "params",
        "args",
        "kwargs",
        "body",
        "result",
        "results",
        "default",
        "example",
        "examples",
        "json_data",
        "attributes",
        "options",
        "settings",
        "config",
        "const",
        "enum",
    }
)


def _imports_pydantic(ctx: FileContext) -> bool:
    return any(
        origin == "pydantic" or origin.startswith("pydantic.")
        for origin in [*ctx.imports.aliases.values(), *ctx.imports.star_modules]
    )


def _is_any(ctx: FileContext, node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        named_any = node.id == "Any" or node.id in ctx.imports.aliases
    else:
        named_any = isinstance(node, ast.Attribute) and node.attr == "Any"
    return named_any and ctx.qualified(node) in _ANY


def _union_members(node: ast.expr) -> list[ast.expr] | None:
    """The members of ``A | B | C`` or ``Union[A, B, C]``; None when ``node`` is no union."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left = _union_members(node.left) or [node.left]
        right = _union_members(node.right) or [node.right]
        return left + right
    if isinstance(node, ast.Subscript) and last_name(node.value) in _UNION:
        inner = node.slice
        return list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
    return None


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _without_none(node: ast.expr) -> ast.expr:
    """``X | None``, ``Optional[X]``, ``Union[X, None]`` -> ``X`` (other nodes unchanged)."""
    if isinstance(node, ast.Subscript) and last_name(node.value) in _OPTIONAL:
        return node.slice
    members = _union_members(node)
    if members is not None:
        rest = [m for m in members if not _is_none(m)]
        if len(rest) == 1:
            return rest[0]
    return node


def _any_in(ctx: FileContext, annotation: ast.expr) -> bool:
    """``Any``, ``Any | None``, ``list[Any]``, ``tuple[Any, ...]``, ``Sequence[Any] | None``."""
    node = _without_none(annotation)
    if _is_any(ctx, node):
        return True
    if isinstance(node, ast.Subscript) and last_name(node.value) in _SEQUENCES:
        inner = node.slice
        elts = inner.elts if isinstance(inner, ast.Tuple) else [inner]
        elts = [e for e in elts if not (isinstance(e, ast.Constant) and e.value is Ellipsis)]
        return bool(elts) and all(_is_any(ctx, e) for e in elts)
    return False


def _field_call(value: ast.expr | None) -> ast.Call | None:
    if isinstance(value, ast.Call) and last_name(value.func) == "Field":
        return value
    return None


def _declares_union_handling(call: ast.Call | None) -> bool:
    return call is not None and (
        keyword(call, "discriminator") is not None or keyword(call, "union_mode") is not None
    )


def _unwrap_annotated(annotation: ast.expr) -> tuple[ast.expr, list[ast.expr]]:
    """``Annotated[T, meta...]`` -> (T, [meta...]); other annotations -> (itself, [])."""
    if isinstance(annotation, ast.Subscript) and last_name(annotation.value) == "Annotated":
        inner = annotation.slice
        if isinstance(inner, ast.Tuple) and inner.elts:
            return inner.elts[0], list(inner.elts[1:])
    return annotation, []


def _model_union(annotation: ast.expr, models: dict[str, ast.ClassDef]) -> list[str] | None:
    """The model names of a union of two or more models of this module, also inside
    ``list[...]``/``Sequence[...]`` or ``dict[K, ...]``; None otherwise."""
    node = _without_none(annotation)
    if isinstance(node, ast.Subscript) and last_name(node.value) in _SEQUENCES | {
        "dict",
        "Dict",
        "Mapping",
    }:
        inner = node.slice
        node = inner.elts[-1] if isinstance(inner, ast.Tuple) and inner.elts else inner
        node, meta = _unwrap_annotated(node)
        if any(_is_discriminator(m) for m in meta):
            return None
    members = _union_members(node)
    if members is None:
        return None
    names = [m for m in members if not _is_none(m)]
    if len(names) < 2:
        return None
    found: list[str] = []
    for member in names:
        dotted = dotted_name(member)
        if dotted is None or dotted not in models:
            return None  # a scalar or a model we cannot see: no claim
        found.append(dotted)
    return found


def _is_discriminator(meta: ast.expr) -> bool:
    if isinstance(meta, ast.Call):
        return last_name(meta.func) == "Discriminator" or _declares_union_handling(
            _field_call(meta)
        )
    return False


def _literal_fields(cls: ast.ClassDef) -> set[str]:
    return {
        stmt.target.id
        for stmt in cls.body
        if isinstance(stmt, ast.AnnAssign)
        and isinstance(stmt.target, ast.Name)
        and isinstance(stmt.annotation, ast.Subscript)
        and last_name(stmt.annotation.value) == "Literal"
    }


def _fields(cls: ast.ClassDef) -> Iterator[ast.AnnAssign]:
    for stmt in cls.body:
        if (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and not stmt.target.id.startswith("_")
            and last_name(
                stmt.annotation.value
                if isinstance(stmt.annotation, ast.Subscript)
                else stmt.annotation
            )
            != "ClassVar"
        ):
            yield stmt


@rule(
    id="PD008",
    title="Loosely typed model field: Any, or an untagged union of models",
    severity="suggestion",
    confidence=65,
    category="pydantic",
    explanation=(
        "A model field typed `Any` (or `list[Any]`) accepts whatever arrives and "
        "documents nothing: the OpenAPI schema is empty, typos in the payload pass, and "
        "the code reading the field has to guess. When the field holds one of several "
        "models, a plain `A | B` makes Pydantic try each model in turn, which is slower, "
        "gives confusing error messages and can pick the wrong model when the shapes "
        "overlap. Use the concrete type; for a union of models, give each model a "
        "`Literal` tag field and name it with `Field(discriminator=...)`."
    ),
    before=(
        "class Card(BaseModel):\n"
        "    number: str\n"
        "\n"
        "class Transfer(BaseModel):\n"
        "    iban: str\n"
        "\n"
        "class Payment(BaseModel):\n"
        "    amount: Any\n"
        "    method: Card | Transfer\n"
    ),
    after=(
        "class Card(BaseModel):\n"
        '    kind: Literal["card"] = "card"\n'
        "    number: str\n"
        "\n"
        "class Transfer(BaseModel):\n"
        '    kind: Literal["transfer"] = "transfer"\n'
        "    iban: str\n"
        "\n"
        "class Payment(BaseModel):\n"
        "    amount: Decimal\n"
        '    method: Card | Transfer = Field(discriminator="kind")\n'
    ),
)
def check_loose_field_types(ctx: FileContext) -> Iterator[Hit]:
    """Fields of Pydantic models (in modules that import pydantic) typed ``Any``,
    ``Any | None`` or a sequence of ``Any`` (mappings such as ``dict[str, Any]`` and
    fields named like free-form data — ``payload``, ``metadata``, ``extra`` — are left
    alone; so is ``Annotated[Any, ...]``, which carries its own handling); and fields
    typed as a union of two or more models of the module with no ``discriminator`` (or
    ``union_mode``) declared."""
    if not _imports_pydantic(ctx):
        return
    classes = pydantic_models(ctx)
    if not classes:
        return
    models = {cls.name: cls for cls in classes}
    for cls in classes:
        for field in _fields(cls):
            assert isinstance(field.target, ast.Name)
            name = field.target.id
            annotation, meta = _unwrap_annotated(field.annotation)
            if not meta and name.lower() not in _FREE_FORM and _any_in(ctx, annotation):
                yield Hit.at(
                    field,
                    f"`{cls.name}.{name}` is typed `{ast.unparse(field.annotation)}`: "
                    "nothing is validated or documented; use the concrete type.",
                )
                continue
            if _declares_union_handling(_field_call(field.value)) or any(
                _is_discriminator(m) for m in meta
            ):
                continue
            members = _model_union(annotation, models)
            if members is None:
                continue
            shared = set.intersection(*(_literal_fields(models[m]) for m in members))
            if shared:
                advice = f'declare `Field(discriminator="{sorted(shared)[0]}")`'
                confidence: int | None = None
            else:
                # Models of an outside format (JSON Schema's `Schema | Reference`) may
                # have no room for a tag; a callable `Discriminator` still helps there.
                advice = "give each model a `Literal` tag field and declare it as discriminator"
                confidence = 50
            yield Hit.at(
                field,
                f"`{cls.name}.{name}` is a union of models ({', '.join(members)}) with no "
                f"discriminator: {advice}.",
                confidence=confidence,
            )
