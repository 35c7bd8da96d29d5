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
    facts: dict[str, FileFacts] = field(default_factory=dict)
    resolver: Resolver | None = None
    kinds: dict[Key, set[str]] = field(default_factory=dict)
    joined_keys: frozenset[Key] = frozenset()

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


def class_nodes(tree: ast.Module) -> list[ast.ClassDef]:
    """Classes at module level and nested in classes (not those inside functions, which
    no other module can name): a walk over statements only, not every expression."""
    found: list[ast.ClassDef] = []
    stack: list[ast.stmt] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.ClassDef):
            found.append(node)
            stack.extend(node.body)
        elif isinstance(node, ast.If | ast.Try | ast.With):
            stack.extend(node.body)
            stack.extend(getattr(node, "orelse", []))
            for handler in getattr(node, "handlers", []):
                stack.extend(handler.body)
    found.reverse()
    return found


def classes_of(path: str, tree: ast.Module, source: str = "lazy") -> list[ClassInfo]:
    roots = _declarative_names(tree)
    found: list[ClassInfo] = []
    look_for_lazy = "lazy" in source
    for node in class_nodes(tree):
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
                joined_relationships=look_for_lazy and _has_joined_relationship(node),
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


def build_index(
    files: Iterable[tuple[str, ast.Module]], sources: dict[str, str] | None = None
) -> RepoIndex:
    classes: dict[str, list[ClassInfo]] = {}
    facts: dict[str, FileFacts] = {}
    for path, tree in files:
        facts[path] = file_facts(path, tree)
        source = sources.get(path, "lazy") if sources is not None else "lazy"
        for info in classes_of(path, tree, source):
            classes.setdefault(info.name, []).append(info)
    by_name_pydantic = _closure(classes, set(PYDANTIC_ROOTS - classes.keys()))
    by_name_settings = _closure(classes, {"BaseSettings"} - classes.keys())
    by_name_roots = {n for n, infos in classes.items() if all(i.declarative_root for i in infos)}
    by_name_mapped = _closure(classes, by_name_roots) - by_name_roots
    resolver, kinds = classify(
        facts,
        {
            "pydantic": frozenset(by_name_pydantic),
            "settings": frozenset(by_name_settings),
            "mapped": frozenset(by_name_mapped),
            "root": frozenset(by_name_roots),
        },
    )
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
    joined_keys = frozenset(
        (info.path, info.name)
        for infos in classes.values()
        for info in infos
        if info.joined_relationships
    )
    return RepoIndex(
        facts=facts,
        resolver=resolver,
        kinds=kinds,
        joined_keys=joined_keys,
        classes=classes,
        pydantic=frozenset(pydantic),
        settings=frozenset(settings),
        mapped=frozenset(mapped),
        overridden_v1_methods=overridden,
        joined_eager=joined,
    )


# --------------------------------------------------------------------------------------
# Resolution through imports: the same name can be a model in one file and a schema in
# another (``Item`` in models/ and schemas/ of the FastAPI templates); a file's own
# classes and the names it imports are answered for the class they really name.

Key = tuple[str, str]  # (path, class name)


def module_of(path: str) -> str:
    parts = path[: -len(".py")].split("/") if path.endswith(".py") else path.split("/")
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


@dataclass
class FileFacts:
    path: str
    classes: dict[str, tuple[ast.ClassDef | None, list[str]]]  # name -> (node, base spellings)
    imports: dict[str, str]  # local name -> "module.Name" (relative resolved)
    roots: set[str]  # local names bound to declarative_base()


def _absolute(path: str, module: str) -> str:
    """``..db.base`` seen from ``app/crud/x.py`` -> ``app.db.base``."""
    if not module.startswith("."):
        return module
    level = len(module) - len(module.lstrip("."))
    package = module_of(path).split(".")
    if not path.endswith("__init__.py"):
        package = package[:-1]
    base = package[: len(package) - (level - 1)] if level > 1 else package
    rest = module.lstrip(".")
    return ".".join([*base, rest] if rest else base)


def file_facts(path: str, tree: ast.Module) -> FileFacts:
    classes: dict[str, tuple[ast.ClassDef | None, list[str]]] = {}
    imports: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            classes[node.name] = (node, [d for b in node.bases if (d := dotted(b))])
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(path, "." * node.level + (node.module or ""))
            for alias in node.names:
                if alias.name != "*":
                    imports[alias.asname or alias.name] = f"{module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                imports[alias.asname or alias.name.partition(".")[0]] = (
                    alias.name if alias.asname else alias.name.partition(".")[0]
                )
    return FileFacts(path, classes, imports, _declarative_names(tree))


class Resolver:
    """Finds the class a spelling names, through the repository's files and imports."""

    def __init__(self, facts: dict[str, FileFacts]) -> None:
        self.facts = facts
        self.by_module: dict[str, list[str]] = {}
        for path in facts:
            module = module_of(path)
            parts = module.split(".")
            # src/app/x.py is imported as app.x: index every suffix of the dotted path.
            for start in range(len(parts)):
                self.by_module.setdefault(".".join(parts[start:]), []).append(path)

    def _module_file(self, module: str) -> str | None:
        found = self.by_module.get(module, [])
        return found[0] if len(found) == 1 else None

    def resolve(self, path: str, spelled: str, depth: int = 0) -> Key | str | None:
        """A repository class key, an outside qualified name (``pydantic.BaseModel``),
        or None when it cannot be told."""
        if depth > 4 or path not in self.facts:
            return None
        facts = self.facts[path]
        head, _, rest = spelled.partition(".")
        if not rest:
            if head in facts.classes or head in facts.roots:
                return (path, head)
            qualified = facts.imports.get(head)
        else:
            origin = facts.imports.get(head)
            qualified = f"{origin}.{rest}" if origin else None
        if qualified is None:
            return None
        module, _, name = qualified.rpartition(".")
        target = self._module_file(module) if module else None
        if target is None:
            # Outside the repository: only the libraries the codemods know are answers.
            known = module.split(".")[0] in {"pydantic", "pydantic_settings", "sqlalchemy"}
            return qualified if known else None
        return self.resolve(target, name, depth + 1)


def classify(
    facts: dict[str, FileFacts], by_name: dict[str, frozenset[str]]
) -> tuple[Resolver, dict[Key, set[str]]]:
    """Each repository class key with its kinds: pydantic, settings, mapped, root. A base
    that cannot be followed through imports gets the name-based answer (``by_name``)."""
    resolver = Resolver(facts)
    kinds: dict[Key, set[str]] = {}
    bases: dict[Key, list[Key | str | None]] = {}
    for path, info in facts.items():
        for name in info.roots:
            kinds[(path, name)] = {"root"}
        for name, (node, spellings) in info.classes.items():
            key = (path, name)
            kinds.setdefault(key, set())
            if node is not None and any(
                last_name(d.func if isinstance(d, ast.Call) else d) == "as_declarative"
                for d in node.decorator_list
            ):
                kinds[key].add("root")
            bases[key] = [resolver.resolve(path, s) for s in spellings]
            for spelled, base in zip(spellings, bases[key], strict=True):
                last = spelled.rsplit(".", 1)[-1]
                if base is None:
                    for kind in ("pydantic", "settings", "mapped"):
                        if last in by_name[kind]:
                            kinds[key].add(kind)
                    if last in by_name["root"]:
                        kinds[key].add("mapped")
                outside = base if isinstance(base, str) else None
                if base is None and last in PYDANTIC_ROOTS:
                    outside = f"pydantic.{last}"
                if outside and outside.startswith("pydantic") and last in PYDANTIC_ROOTS:
                    kinds[key].add("pydantic")
                    if last == "BaseSettings":
                        kinds[key].add("settings")
                if (
                    outside
                    and outside.startswith("sqlalchemy")
                    and last
                    in {
                        "DeclarativeBase",
                        "DeclarativeBaseNoMeta",
                    }
                ):
                    kinds[key].add("root")
    changed = True
    while changed:
        changed = False
        for key, resolved in bases.items():
            for base in resolved:
                if not isinstance(base, tuple) or base not in kinds:
                    continue
                inherited = kinds[base] & {"pydantic", "settings", "mapped"}
                if "root" in kinds[base]:
                    inherited |= {"mapped"}
                if "root" in kinds[key]:
                    inherited -= {"mapped"}
                if not inherited <= kinds[key]:
                    kinds[key] |= inherited
                    changed = True
    return resolver, kinds


@dataclass
class FileView:
    """The index as one file sees it: name sets valid for that file's spellings."""

    pydantic: frozenset[str]
    settings: frozenset[str]
    mapped: frozenset[str]
    joined_eager: frozenset[str]
    overridden_v1_methods: frozenset[str]


def view_for(index: RepoIndex, path: str) -> FileView:
    if index.resolver is None or path not in index.facts:
        return FileView(
            index.pydantic,
            index.settings,
            index.mapped,
            index.joined_eager,
            index.overridden_v1_methods,
        )
    facts = index.facts[path]
    local = set(facts.classes) | set(facts.imports) | facts.roots
    sets: dict[str, set[str]] = {
        "pydantic": set(index.pydantic - local),
        "settings": set(index.settings - local),
        "mapped": set(index.mapped - local),
        "joined": set(index.joined_eager - local),
    }
    for name in local:
        key = index.resolver.resolve(path, name)
        if not isinstance(key, tuple):
            if isinstance(key, str) or key is None:
                # An outside class, or not known: the name-based answer stands.
                for kind, names in (
                    ("pydantic", index.pydantic),
                    ("settings", index.settings),
                    ("mapped", index.mapped),
                    ("joined", index.joined_eager),
                ):
                    if name in names and key is None:
                        sets[kind].add(name)
            continue
        kinds = index.kinds.get(key, set())
        for kind in ("pydantic", "settings", "mapped"):
            if kind in kinds:
                sets[kind].add(name)
        if key in index.joined_keys:
            sets["joined"].add(name)
    return FileView(
        frozenset(sets["pydantic"]),
        frozenset(sets["settings"]),
        frozenset(sets["mapped"]),
        frozenset(sets["joined"]),
        index.overridden_v1_methods,
    )
