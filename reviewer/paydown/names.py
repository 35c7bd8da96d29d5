"""What a module's names refer to, read with ``ast`` from the original source.

The codemods use it to know that ``Column`` is SQLAlchemy's, that ``validator`` is
Pydantic's, and whether a name they want to introduce (``select``, ``Mapped``,
``ConfigDict``, ``Optional``...) is free: a name bound anywhere in the file to something
else makes the rewrite unsafe, and the finding is left for a person.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field


@dataclass
class ModuleNames:
    # local name -> what it imports ("sqlalchemy.Column"; "sqlalchemy" for a module)
    imports: dict[str, str] = field(default_factory=dict)
    # every name bound anywhere in the file (imports, defs, classes, targets, parameters)
    bound: set[str] = field(default_factory=set)
    star_modules: set[str] = field(default_factory=set)
    future_annotations: bool = False

    def qualified(self, dotted: str) -> str | None:
        """``sa.Column`` -> ``sqlalchemy.Column`` when ``sa`` is an import; else None."""
        head, _, rest = dotted.partition(".")
        origin = self.imports.get(head)
        if origin is None:
            return None
        return f"{origin}.{rest}" if rest else origin

    def is_from(self, dotted: str, modules: tuple[str, ...], name: str) -> bool:
        """``dotted`` is ``name`` imported from one of ``modules`` (or a submodule)."""
        qualified = self.qualified(dotted)
        if qualified is None:
            return False
        module, _, last = qualified.rpartition(".")
        return last == name and (module in modules or module.startswith(tuple(modules)))

    def free_for(self, name: str, qualified: str) -> bool:
        """Whether ``name`` can be used for ``qualified``: unbound, or bound only by an
        import of exactly that object."""
        if name not in self.bound:
            return True
        return self.imports.get(name) == qualified and self._bound_once.get(name, 0) == 1

    _bound_once: dict[str, int] = field(default_factory=dict)


def module_names(tree: ast.Module) -> ModuleNames:
    names = ModuleNames()
    counts: dict[str, int] = {}

    def bind(name: str) -> None:
        names.bound.add(name)
        counts[name] = counts.get(name, 0) + 1

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.partition(".")[0]
                names.imports[local] = alias.name if alias.asname else local
                bind(local)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                module = "." * node.level + module
            if module == "__future__" and any(a.name == "annotations" for a in node.names):
                names.future_annotations = True
            for alias in node.names:
                if alias.name == "*":
                    names.star_modules.add(module)
                    continue
                local = alias.asname or alias.name
                names.imports[local] = f"{module}.{alias.name}"
                bind(local)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bind(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            bind(node.id)
        elif isinstance(node, ast.arg):
            bind(node.arg)
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
            bind(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            for name in node.names:
                bind(name)
    names._bound_once = counts
    return names


def dotted(expr: ast.expr) -> str | None:
    """``a.b.c`` for a chain of names and attributes; None for anything else."""
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if isinstance(expr, ast.Name):
        parts.append(expr.id)
        return ".".join(reversed(parts))
    return None


def last_name(expr: ast.expr) -> str:
    return (dotted(expr) or "").rsplit(".", 1)[-1]
