"""SA002: ``name = Column(Type, ...)`` on a mapped class ->
``name: Mapped[T] = mapped_column(Type, ...)``.

The column keeps its explicit type and every argument, so the table is the same; the
annotation only has to say the Python type and the nullability ``mapped_column`` would
otherwise derive differently: ``Column`` is nullable unless ``nullable=False`` or
``primary_key=True``, ``mapped_column`` takes NOT NULL from a non-``Optional``
annotation, so a nullable column gets ``Optional[T]``. Types whose Python side cannot be
read from the code (custom types, ``JSON``, ``ARRAY``, a PostgreSQL ``UUID`` without
``as_uuid``), unusual arguments (``key=``, ``type_=``, constraints other than
``ForeignKey``/``Sequence``), and annotations whose names are taken in the module or
class are left for a person.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

import libcst as cst

from reviewer.paydown.index import FileView, class_nodes
from reviewer.paydown.names import ModuleNames, dotted, last_name
from reviewer.paydown.types import Skip

# SQLAlchemy type -> (module, name) of the Python type; module "" for builtins.
_PYTHON_TYPES: dict[str, tuple[str, str]] = {
    "Integer": ("", "int"),
    "BigInteger": ("", "int"),
    "SmallInteger": ("", "int"),
    "INTEGER": ("", "int"),
    "BIGINT": ("", "int"),
    "SMALLINT": ("", "int"),
    "String": ("", "str"),
    "Text": ("", "str"),
    "Unicode": ("", "str"),
    "UnicodeText": ("", "str"),
    "VARCHAR": ("", "str"),
    "CHAR": ("", "str"),
    "TEXT": ("", "str"),
    "Boolean": ("", "bool"),
    "BOOLEAN": ("", "bool"),
    "Float": ("", "float"),
    "FLOAT": ("", "float"),
    "REAL": ("", "float"),
    "LargeBinary": ("", "bytes"),
    "DateTime": ("datetime", "datetime"),
    "TIMESTAMP": ("datetime", "datetime"),
    "Date": ("datetime", "date"),
    "Time": ("datetime", "time"),
    "Interval": ("datetime", "timedelta"),
    "Numeric": ("decimal", "Decimal"),
    "DECIMAL": ("decimal", "Decimal"),
    "Uuid": ("uuid", "UUID"),
}
_SAFE_KWARGS = frozenset(
    {
        "primary_key",
        "nullable",
        "default",
        "server_default",
        "onupdate",
        "server_onupdate",
        "index",
        "unique",
        "autoincrement",
        "doc",
        "comment",
        "info",
        "name",
        "quote",
    }
)
_SCHEMA_ITEMS = frozenset({"ForeignKey", "Sequence"})


@dataclass(frozen=True)
class ColumnRewrite:
    annotation: str  # the text inside Mapped[...]
    imports: tuple[tuple[str, str], ...]  # (module, name) to import
    owner: ast.ClassDef
    column_origin: str  # "sqlalchemy.Column" when imported by name, else ""


def _is_sqlalchemy(names: ModuleNames, expr: ast.expr) -> bool:
    spelled = dotted(expr)
    if spelled is None:
        return False
    qualified = names.qualified(spelled) or ""
    return qualified.startswith("sqlalchemy")


def _literal(node: ast.expr | None) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    return ...


class _TypeNames:
    """Spelling a Python type in this module, adding an import where one is needed."""

    def __init__(self, names: ModuleNames, shadowed: set[str]) -> None:
        self.names = names
        self.shadowed = shadowed

    def spell(self, module: str, name: str) -> tuple[str, tuple[tuple[str, str], ...]] | None:
        names = self.names
        if not module:
            ok = name not in names.bound and name not in self.shadowed
            return (name, ()) if ok else None
        for local, origin in names.imports.items():
            if origin == f"{module}.{name}" and names.free_for(local, origin):
                return (local, ()) if local not in self.shadowed else None
        for local, origin in names.imports.items():
            if origin == module and names.free_for(local, origin) and local not in self.shadowed:
                return (f"{local}.{name}", ())
        if name not in names.bound and name not in self.shadowed:
            return (name, ((module, name),))
        if module not in names.bound and module not in self.shadowed and "." not in module:
            return (f"{module}.{name}", ((module, ""),))  # `import uuid` -> uuid.UUID
        return None


def _python_type(
    names: ModuleNames, type_arg: ast.expr, spell: _TypeNames
) -> tuple[str, tuple[tuple[str, str], ...]] | str:
    """The Python type of a column type (text and imports), or why it is unknown."""
    call = type_arg if isinstance(type_arg, ast.Call) else None
    target = call.func if call is not None else type_arg
    if not _is_sqlalchemy(names, target):
        return "a type that is not SQLAlchemy's own: its Python type is unknown"
    kind = last_name(target)
    if kind == "UUID":
        as_uuid: Any = ...
        for kw in call.keywords if call else []:
            if kw.arg == "as_uuid":
                as_uuid = _literal(kw.value)
        if as_uuid is True:
            kind = "Uuid"
        elif as_uuid is False:
            kind = "String"
        else:
            return "`UUID` without `as_uuid=`: str or uuid.UUID depends on the version"
    if kind == "Enum" and call is not None:
        if call.args and all(
            isinstance(a, ast.Constant) and isinstance(a.value, str) for a in call.args
        ):
            found = spell.spell("", "str")
            return found or "`str` is taken in this module or class"
        if len(call.args) == 1 and isinstance(call.args[0], ast.Name):
            enum_name = call.args[0].id
            if enum_name in spell.shadowed or enum_name not in names.bound:
                return f"`{enum_name}` is not clearly the enum class here"
            return (enum_name, ())
        return "an `Enum` whose Python type cannot be read"
    if kind not in _PYTHON_TYPES:
        return f"`{kind}` has no single Python type"
    module, name = _PYTHON_TYPES[kind]
    found = spell.spell(module, name)
    return found or f"`{name}` is taken in this module or class"


def _column_problem(call: ast.Call) -> str | None:
    if any(isinstance(a, ast.Starred) for a in call.args) or any(
        kw.arg is None for kw in call.keywords
    ):
        return "`*args`/`**kwargs` in the column"
    for kw in call.keywords:
        if kw.arg not in _SAFE_KWARGS:
            return f"`{kw.arg}=` on the column"
    for kw in call.keywords:
        if kw.arg in {"nullable", "primary_key"} and not isinstance(_literal(kw.value), bool):
            return f"`{kw.arg}=` is not a literal True/False"
    return None


def _nullable(call: ast.Call) -> bool:
    values = {kw.arg: _literal(kw.value) for kw in call.keywords}
    if "nullable" in values:
        return values["nullable"] is True
    return values.get("primary_key") is not True


def _class_bindings(cls: ast.ClassDef) -> set[str]:
    bound: set[str] = set()
    for stmt in cls.body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                bound.add(node.id)
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(stmt.name)
    return bound


def _is_mapped_class(cls: ast.ClassDef, index: FileView) -> bool:
    if cls.name in index.mapped:
        return True
    # Mixins holding columns for the models that use them.
    bases = [last_name(b) for b in cls.bases]
    return cls.name.endswith("Mixin") and all(b == "object" or b.endswith("Mixin") for b in bases)


def plan_columns(
    tree: ast.Module, names: ModuleNames, index: FileView
) -> tuple[dict[tuple[str, str], ColumnRewrite], list[Skip]]:
    """Rewrites keyed by (class, attribute); skips for the columns left alone."""
    rewrites: dict[tuple[str, str], ColumnRewrite] = {}
    skips: list[Skip] = []
    class_counts: dict[str, int] = {}
    classes = class_nodes(tree)
    for node in classes:
        class_counts[node.name] = class_counts.get(node.name, 0) + 1
    header_problem = None
    if not names.free_for("Mapped", "sqlalchemy.orm.Mapped"):
        header_problem = "`Mapped` already means something else in this file"
    elif not names.free_for("mapped_column", "sqlalchemy.orm.mapped_column"):
        header_problem = "`mapped_column` already means something else in this file"
    for cls in classes:
        if not any(
            isinstance(s, ast.Assign | ast.AnnAssign)
            and isinstance(s.value, ast.Call)
            and last_name(s.value.func) == "Column"
            for s in cls.body
        ):
            continue
        shadowed = _class_bindings(cls)
        spell = _TypeNames(names, shadowed)
        attributes: dict[str, int] = {}
        for stmt in cls.body:
            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        attributes[target.id] = attributes.get(target.id, 0) + 1
        for stmt in cls.body:
            value = getattr(stmt, "value", None)
            if not isinstance(stmt, ast.Assign | ast.AnnAssign) or not isinstance(value, ast.Call):
                continue
            if not (_is_sqlalchemy(names, value.func) and last_name(value.func) == "Column"):
                continue

            def skip(reason: str, *, stmt: ast.stmt = stmt) -> None:
                skips.append(Skip("SA002", stmt.lineno, reason))

            if isinstance(stmt, ast.AnnAssign):
                skip("the column already has an annotation to reconcile")
                continue
            if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                skip("the column is assigned to more than one name")
                continue
            attribute = stmt.targets[0].id
            problem = header_problem
            if problem is None and not _is_mapped_class(cls, index):
                problem = f"cannot tell that `{cls.name}` is a mapped class"
            if problem is None and (class_counts[cls.name] > 1 or attributes[attribute] > 1):
                problem = "the class or attribute is defined more than once in this file"
            if problem is None:
                problem = _column_problem(value)
            positional = list(value.args)
            if positional and isinstance(_literal(positional[0]), str):
                positional = positional[1:]  # the column name
            if problem is None and not positional:
                problem = "no type given: it would come from a foreign key"
            typed: tuple[str, tuple[tuple[str, str], ...]] | str = "unknown"
            if problem is None:
                for extra in positional[1:]:
                    if not (
                        isinstance(extra, ast.Call)
                        and last_name(extra.func) in _SCHEMA_ITEMS
                        and _is_sqlalchemy(names, extra.func)
                    ):
                        problem = "schema items other than ForeignKey/Sequence"
                        break
            first = positional[0] if positional else None
            if (
                problem is None
                and isinstance(first, ast.Call)
                and last_name(first.func) in _SCHEMA_ITEMS
            ):
                problem = "no type given: it would come from the foreign key"
            if problem is None:
                typed = _python_type(names, positional[0], spell)
                if isinstance(typed, str):
                    problem = typed
            if problem is not None or isinstance(typed, str):
                skip(problem or "unknown")
                continue
            text, imports = typed
            if _nullable(value):
                optional = spell.spell("typing", "Optional")
                if optional is None:
                    skip("`Optional` is taken in this module or class")
                    continue
                text = f"{optional[0]}[{text}]"
                imports = imports + optional[1]
            if "Mapped" in shadowed or "mapped_column" in shadowed:
                skip("the class defines `Mapped`/`mapped_column` itself")
                continue
            column = dotted(value.func) or ""
            origin = names.imports.get(column, "")
            rewrites[(cls.name, attribute)] = ColumnRewrite(text, imports, cls, origin)
    return rewrites, skips


class RewriteColumns(cst.CSTTransformer):
    def __init__(self, rewrites: dict[tuple[str, str], ColumnRewrite]) -> None:
        super().__init__()
        self.rewrites = rewrites
        self.classes: list[str] = []
        self.done = 0

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(node.name.value)

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        self.classes.pop()
        return updated_node

    def leave_Assign(
        self, original_node: cst.Assign, updated_node: cst.Assign
    ) -> cst.Assign | cst.AnnAssign:
        if not self.classes or len(updated_node.targets) != 1:
            return updated_node
        target = updated_node.targets[0].target
        if not isinstance(target, cst.Name):
            return updated_node
        rewrite = self.rewrites.get((self.classes[-1], target.value))
        if rewrite is None or not isinstance(updated_node.value, cst.Call):
            return updated_node
        self.done += 1
        return cst.AnnAssign(
            target=target,
            annotation=cst.Annotation(
                annotation=cst.parse_expression(f"Mapped[{rewrite.annotation}]"),
                whitespace_before_indicator=cst.SimpleWhitespace(""),
            ),
            value=updated_node.value.with_changes(func=cst.Name("mapped_column")),
            equal=cst.AssignEqual(),
        )
