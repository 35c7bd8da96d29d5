"""A repository-wide index of classes, built with ``ast`` (nothing is imported).

The codemods need facts that one file does not hold: that ``UserCreate`` (imported from
``app.schemas``) is a Pydantic model, that ``Item`` is a mapped SQLAlchemy class, that
some model overrides ``dict()``, that a relationship is loaded with a join. Classes are
matched by name across files; a name defined twice with different answers counts as
unknown, which makes the codemods leave its uses alone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field

from reviewer.paydown.names import dotted, last_name

PYDANTIC_ROOTS = frozenset({"BaseModel", "BaseSettings", "GenericModel"})
# Methods whose v1 names the pydantic codemod renames: a model that defines one of them
# itself would be bypassed by the rename, so its presence anywhere stops the rename.
V1_METHODS = frozenset(
    {"dict", "json", "copy", "parse_obj", "parse_raw", "from_orm", "construct", "schema"}
)


@dataclass
class ClassInfo:
    name: str
    path: str
    bases: tuple[str, ...]  # last names of the bases
    methods: frozenset[str]
    declarative_root: bool  # declarative_base() result, DeclarativeBase subclass, ...
    joined_relationships: bool  # a relationship loaded with lazy="joined"/False


@dataclass
class RepoIndex:
    classes: dict[str, list[ClassInfo]] = field(default_factory=dict)
    pydantic: frozenset[str] = frozenset()
    settings: frozenset[str] = frozenset()
    mapped: frozenset[str] = frozenset()
    overridden_v1_methods: frozenset[str] = frozenset()
    joined_eager: frozenset[str] = frozenset()

    def is_pydantic(self, name: str) -> bool:
        return name in self.pydantic

    def is_mapped(self, name: str) -> bool:
        return name in self.mapped


def _declarative_names(tree: ast.Module) -> set[str]:
    """Names this module binds to a declarative base made by a factory."""
    found: set[str] = set()
    for node in tree.body:
        value = getattr(node, "value", None)
        if (
            isinstance(node, ast.Assign | ast.AnnAssign)
            and isinstance(value, ast.Call)
            and last_name(value.func) in {"declarative_base", "generate_base"}
        ):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found.update(t.id for t in targets if isinstance(t, ast.Name))
    return found


def _has_joined_relationship(cls: ast.ClassDef) -> bool:
    for node in ast.walk(cls):
        if isinstance(node, ast.Call) and last_name(node.func) == "relationship":
            for kw in node.keywords:
                if (
                    kw.arg == "lazy"
                    and isinstance(kw.value, ast.Constant)
                    and kw.value.value in ("joined", False)
                ):
                    return True
    return False


def classes_of(path: str, tree: ast.Module) -> list[ClassInfo]:
    roots = _declarative_names(tree)
    found: list[ClassInfo] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        bases = tuple(last_name(b) for b in node.bases if dotted(b) is not None)
        decorated = any(
            last_name(d.func if isinstance(d, ast.Call) else d) == "as_declarative"
            for d in node.decorator_list
        )
        methods = frozenset(
            s.name for s in node.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)
        )
        found.append(
            ClassInfo(
                name=node.name,
                path=path,
                bases=bases,
                methods=methods,
                declarative_root=decorated
                or "DeclarativeBase" in bases
                or "DeclarativeBaseNoMeta" in bases,
                joined_relationships=_has_joined_relationship(node),
            )
        )
    for name in roots:
        found.append(ClassInfo(name, path, (), frozenset(), True, False))
    return found


def _closure(classes: dict[str, list[ClassInfo]], roots: set[str]) -> set[str]:
    """Names whose every definition derives (through names) from ``roots``."""
    members = set(roots)
    changed = True
    while changed:
        changed = False
        for name, infos in classes.items():
            if name in members:
                continue
            if all(any(b in members for b in info.bases) for info in infos):
                members.add(name)
                changed = True
    return members


def build_index(files: Iterable[tuple[str, ast.Module]]) -> RepoIndex:
    classes: dict[str, list[ClassInfo]] = {}
    for path, tree in files:
        for info in classes_of(path, tree):
            classes.setdefault(info.name, []).append(info)
    # Roots defined in the repository itself are only roots if every definition is one.
    pydantic = _closure(classes, set(PYDANTIC_ROOTS - classes.keys()))
    settings = _closure(classes, {"BaseSettings"} - classes.keys())
    declarative = {n for n, infos in classes.items() if all(i.declarative_root for i in infos)}
    mapped = _closure(classes, declarative) - declarative
    overridden = frozenset(
        method
        for name in pydantic
        for info in classes.get(name, [])
        for method in info.methods & V1_METHODS
    )
    joined = frozenset(
        name for name in mapped if any(i.joined_relationships for i in classes.get(name, []))
    )
    return RepoIndex(
        classes=classes,
        pydantic=frozenset(pydantic),
        settings=frozenset(settings),
        mapped=frozenset(mapped),
        overridden_v1_methods=overridden,
        joined_eager=joined,
    )
