"""SA004: ``Base = declarative_base()`` -> ``class Base(DeclarativeBase): pass``.

Rewritten: a module-level assignment with no arguments, ``metadata=`` (kept as the
class's ``metadata`` attribute) and ``cls=`` naming a plain class of the same module
that defines no constructor or registry of its own (it becomes a mixin base in front of
``DeclarativeBase``). Other arguments (``name``, ``metaclass``, ``constructor``,
``class_registry``, ``mapper``, ``bind``) change how the base behaves and are left for a
person, as are bases in files whose models carry non-``Mapped`` annotations (the new
base would refuse them).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import libcst as cst

from reviewer.paydown.names import ModuleNames, dotted, last_name
from reviewer.paydown.types import Skip

_MIXIN_FORBIDDEN = frozenset(
    {"__init__", "__init_subclass__", "metadata", "registry", "__class_getitem__", "__new__"}
)


@dataclass(frozen=True)
class BaseRewrite:
    name: str
    mixin: str | None
    metadata: bool  # keeps a metadata= argument as the class attribute
    first: int  # the lines of the assignment
    last: int
    factory: str  # how the file spells declarative_base (for dropping its import)


def _mixin_problem(tree: ast.Module, name: str) -> str | None:
    defs = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name]
    if len(defs) != 1:
        return f"`cls={name}` is not one class of this module"
    mixin = defs[0]
    if mixin.keywords or any(last_name(b) != "object" for b in mixin.bases):
        return f"`{name}` has bases or a metaclass of its own"
    for stmt in mixin.body:
        defined: list[str] = []
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined = [stmt.name]
        elif isinstance(stmt, ast.Assign):
            defined = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            defined = [stmt.target.id]
        if set(defined) & _MIXIN_FORBIDDEN:
            return f"`{name}` defines {', '.join(sorted(set(defined) & _MIXIN_FORBIDDEN))}"
    return None


def _legacy_annotations(tree: ast.Module) -> bool:
    """A class attribute annotated with something other than ``Mapped[...]`` and
    assigned a ``Column``/``relationship``: DeclarativeBase raises on those."""
    for cls in ast.walk(tree):
        if not isinstance(cls, ast.ClassDef):
            continue
        for stmt in cls.body:
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.value, ast.Call)
                and last_name(stmt.value.func) in {"Column", "relationship", "column_property"}
            ):
                annotation = stmt.annotation
                head = annotation.value if isinstance(annotation, ast.Subscript) else annotation
                if last_name(head) != "Mapped":
                    return True
    return False


def plan_base(
    tree: ast.Module, lines: list[str], names: ModuleNames
) -> tuple[dict[str, BaseRewrite], list[Skip]]:
    rewrites: dict[str, BaseRewrite] = {}
    skips: list[Skip] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        spelled = dotted(node.func) or ""
        qualified = names.qualified(spelled) or ""
        if not (qualified.startswith("sqlalchemy") and qualified.endswith(".declarative_base")):
            continue
        statement = next(
            (s for s in tree.body if isinstance(s, ast.Assign | ast.AnnAssign) and s.value is node),
            None,
        )
        problem = None
        target = None
        if statement is None:
            problem = "`declarative_base()` is not a plain module-level assignment"
        else:
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if len(targets) != 1 or not isinstance(targets[0], ast.Name):
                problem = "assigned to more than one name"
            else:
                target = targets[0].id
        keywords = {kw.arg: kw.value for kw in node.keywords}
        mixin = None
        if problem is None and (node.args or None in keywords):
            problem = "positional or `**` arguments"
        if problem is None:
            unknown = sorted(str(k) for k in set(keywords) - {"metadata", "cls"})
            if unknown:
                problem = f"`{unknown[0]}=` changes how the base behaves"
        if problem is None and "cls" in keywords:
            cls_value = keywords["cls"]
            if not isinstance(cls_value, ast.Name):
                problem = "`cls=` is not a class of this module"
            else:
                mixin = cls_value.id
                problem = _mixin_problem(tree, mixin)
        if problem is None and target is not None and names._bound_once.get(target, 0) != 1:
            problem = f"`{target}` is bound more than once in this file"
        if problem is None and not names.free_for(
            "DeclarativeBase", "sqlalchemy.orm.DeclarativeBase"
        ):
            problem = "`DeclarativeBase` already means something else in this file"
        if problem is None and _legacy_annotations(tree):
            problem = "models here use non-`Mapped` annotations, which `DeclarativeBase` refuses"
        if problem is None and statement is not None:
            end = statement.end_lineno or statement.lineno
            if any("#" in text for text in lines[statement.lineno - 1 : end]):
                problem = "a comment on the assignment"
        if problem is not None or target is None:
            skips.append(Skip("SA004", node.lineno, problem or "unknown"))
            continue
        assert statement is not None
        rewrites[target] = BaseRewrite(
            target,
            mixin,
            "metadata" in keywords,
            statement.lineno,
            statement.end_lineno or statement.lineno,
            spelled,
        )
    return rewrites, skips


class RewriteBase(cst.CSTTransformer):
    def __init__(self, rewrites: dict[str, BaseRewrite]) -> None:
        super().__init__()
        self.rewrites = rewrites
        self.depth = 0
        self.done = 0

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.depth += 1

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        self.depth -= 1
        return updated_node

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement:
        if self.depth or len(updated_node.body) != 1:
            return updated_node
        statement = updated_node.body[0]
        if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
            target = statement.targets[0].target
        elif isinstance(statement, cst.AnnAssign):
            target = statement.target
        else:
            return updated_node
        if not isinstance(target, cst.Name) or target.value not in self.rewrites:
            return updated_node
        call = statement.value
        if not isinstance(call, cst.Call):
            return updated_node
        rewrite = self.rewrites[target.value]
        body: list[cst.BaseStatement] = []
        if rewrite.metadata:
            metadata = next(
                a.value for a in call.args if a.keyword and a.keyword.value == "metadata"
            )
            body.append(
                cst.SimpleStatementLine(
                    [cst.Assign([cst.AssignTarget(cst.Name("metadata"))], metadata)]
                )
            )
        else:
            body.append(cst.SimpleStatementLine([cst.Pass()]))
        bases = [cst.Arg(cst.Name("DeclarativeBase"))]
        if rewrite.mixin:
            bases.insert(
                0,
                cst.Arg(
                    cst.Name(rewrite.mixin),
                    comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
                ),
            )
        self.done += 1
        return cst.ClassDef(
            name=cst.Name(rewrite.name),
            body=cst.IndentedBlock(body),
            bases=bases,
            leading_lines=updated_node.leading_lines,
        )
