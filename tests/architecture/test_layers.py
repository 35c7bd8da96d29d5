"""The layering of the code, read from its imports with ``ast`` (nothing is imported).

Layers, lowest first; a module may import its own layer and the ones below it:

    engine  <-  git  <-  domain  <-  workflows  <-  tasks  <-  web / commands

Also: no import cycle outside the engine (its rule registry and rules import each other
by design), and no project import inside a function (that is how cycles were hidden).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("reviewer", "dashboard")
SKIP_PARTS = {"migrations", "demo", "__pycache__"}

LAYERS = ["engine", "git", "domain", "workflows", "tasks", "web"]
# Longest prefix wins; a module under none of these is "domain".
PREFIXES = {
    "reviewer.engine": "engine",
    "reviewer.git": "git",
    # The outbound network policy (stdlib only) the git layer enforces on every host.
    "reviewer.outbound": "git",
    "reviewer.scanning": "workflows",
    "reviewer.backfill": "workflows",
    "reviewer.patches": "workflows",
    "reviewer.digests": "workflows",
    "reviewer.agents.run": "workflows",
    "reviewer.agents.plan": "workflows",
    "reviewer.agents.live": "workflows",
    "reviewer.agents.batch": "workflows",
    "reviewer.agents.cli": "workflows",
    "reviewer.broker": "tasks",
    "reviewer.tasks": "tasks",
    "reviewer.agents.tasks": "tasks",
    "reviewer.webhooks": "tasks",  # a verified push queues a scan
    "reviewer.management": "web",
    "reviewer.cli": "web",
    "reviewer.admin": "web",
    "reviewer.agents.admin": "web",
    "dashboard": "web",
    "dashboard.models": "domain",
    "dashboard.env": "domain",
}


def layer_of(module: str) -> str:
    best = ""
    for prefix in PREFIXES:
        if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best):
            best = prefix
    return PREFIXES[best] if best else "domain"


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    line: int
    in_function: bool
    type_only: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if SKIP_PARTS.isdisjoint(path.relative_to(ROOT).parts):
                found[module_name(path)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(name: str, path: Path, known: set[str]) -> Iterator[Import]:
    tree = ast.parse(path.read_text(), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def resolve(target: str) -> str | None:
        # The longest known module the import names (``from reviewer import git`` names
        # the package reviewer.git, ``from reviewer.git import sync`` names reviewer.git).
        while target and target not in known:
            target = target.rpartition(".")[0]
        return target or None

    def visit(node: ast.AST, in_function: bool, type_only: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            func = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            typed = type_only or (isinstance(child, ast.If) and _is_type_checking(child))
            targets: list[str] = []
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [f"{base}.{alias.name}" for alias in child.names] or [base]
            for raw in targets:
                target = resolve(raw)
                if target and target != name:
                    line = getattr(child, "lineno", 0)
                    yield Import(name, target, line, in_function, type_only)
            yield from visit(child, func, typed)

    yield from visit(tree, False, False)


def all_imports() -> list[Import]:
    found = modules()
    known = set(found)
    return [imp for name, path in found.items() for imp in imports_of(name, path, known)]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return found


def test_the_analysis_sees_the_code() -> None:
    found = all_imports()
    assert layer_of("reviewer.scanning") == "workflows"
    assert layer_of("reviewer.models") == "domain"
    assert layer_of("reviewer.engine.rules.fastapi_routes") == "engine"
    assert any(i.source == "reviewer.scanning" and i.target == "reviewer.git" for i in found)
    assert any(i.source == "reviewer.tasks" and i.target == "reviewer.scanning" for i in found)


def test_no_module_imports_a_higher_layer() -> None:
    rank = {layer: n for n, layer in enumerate(LAYERS)}
    wrong = [
        f"{i.source}:{i.line} ({layer_of(i.source)}) imports {i.target} ({layer_of(i.target)})"
        for i in all_imports()
        if not i.type_only and rank[layer_of(i.target)] > rank[layer_of(i.source)]
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle_outside_the_engine() -> None:
    edges: dict[str, set[str]] = {}
    for i in all_imports():
        if i.type_only or (layer_of(i.source) == layer_of(i.target) == "engine"):
            continue
        edges.setdefault(i.source, set()).add(i.target)
    assert not cycles(edges), cycles(edges)


# Imports deferred on purpose, none of them to break a cycle: the Claude modules pull in
# the anthropic SDK, whose import takes seconds, for work only a Claude worker or a keyed
# CLI run does; the reviewdeck CLI loads a subcommand's helpers only when it runs.
DEFERRED = {
    ("reviewer.agents.tasks", "reviewer.agents.batch"),
    ("reviewer.agents.tasks", "reviewer.agents.live"),
    ("reviewer.agents.tasks", "reviewer.agents.run"),
    ("reviewer.management.commands.review", "reviewer.agents.cli"),
    ("reviewer.management.commands.review", "reviewer.cli.review_command"),
    ("reviewer.cli.main", "reviewer.cli.gate_client"),
    ("reviewer.cli.review_command", "reviewer.cli.changed_lines"),
}


def test_no_project_import_inside_a_function() -> None:
    hidden = [
        f"{i.source}:{i.line} imports {i.target} inside a function"
        for i in all_imports()
        if i.in_function and layer_of(i.source) != "engine" and (i.source, i.target) not in DEFERRED
    ]
    assert not hidden, "\n".join(hidden)


def _module_level_closure(start: str) -> set[str]:
    edges: dict[str, set[str]] = {}
    for i in all_imports():
        if not i.in_function and not i.type_only:
            edges.setdefault(i.source, set()).add(i.target)
    seen, todo = set(), [start]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(edges.get(module, ()))
    return seen


def test_the_web_process_never_imports_the_anthropic_sdk() -> None:
    """Its import takes seconds: a web worker (and the scans queue) must not pay it."""
    found = modules()
    reached = _module_level_closure("dashboard.urls") | _module_level_closure("reviewer.tasks")
    importers = []
    for name in sorted(reached):
        tree = ast.parse(found[name].read_text())
        for node in tree.body:
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n == "anthropic" or n.startswith("anthropic.") for n in names):
                importers.append(name)
    assert "reviewer.scanning" in reached and "dashboard.views.scans" in reached
    assert not importers, importers


def test_the_checks_catch_a_cycle_and_a_climb() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    source = ROOT / "reviewer" / "models.py"
    found = list(imports_of("reviewer.models", source, {"reviewer.models", "reviewer.lookups"}))
    assert [i.target for i in found if not i.type_only] == ["reviewer.lookups"]


#: How a module can start a program: these modules, and these functions of ``os``.
PROCESS_MODULES = {"subprocess", "pty", "asyncio.subprocess"}
OS_PROCESS_CALLS = ("system", "popen", "exec", "spawn", "posix_spawn")


def _starts_processes(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name in PROCESS_MODULES for a in node.names):
            return True
        names = node.names if isinstance(node, ast.ImportFrom) else []
        if isinstance(node, ast.ImportFrom) and (
            node.module in PROCESS_MODULES
            or (node.module == "os" and any(a.name.startswith(OS_PROCESS_CALLS) for a in names))
            or (node.module == "asyncio" and any("subprocess" in a.name for a in names))
        ):
            return True
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
            and node.attr.startswith(OS_PROCESS_CALLS)
        ):
            return True
    return False


def _names_git(tree: ast.Module) -> list[int]:
    """Lines with a string that is the git program (``"git"``, ``"/usr/bin/git"``, a
    ``"git ..."`` command line)."""
    return sorted(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.split(" ", 1)[0].rsplit("/", 1)[-1] == "git"
    )


def git_runners() -> list[str]:
    """Modules outside the git layer that can start a process and name the git program."""
    found = []
    for name, path in sorted(modules().items()):
        if name == "reviewer.git" or name.startswith("reviewer.git."):
            continue
        tree = ast.parse(path.read_text(), str(path))
        if _starts_processes(tree):
            lines = _names_git(tree)
            if lines:
                found.append(f"{name} (lines {', '.join(map(str, lines))})")
    return found


def test_only_the_git_layer_runs_git() -> None:
    """Every git process starts in reviewer/git (hardened config and environment,
    deadline, process group); nothing else runs git through subprocess, os or pty."""
    assert git_runners() == []


def test_the_git_runner_check_sees_a_git_call() -> None:
    caught = ast.parse("import subprocess\nsubprocess.run(['git', 'diff'], check=True)\n")
    assert _starts_processes(caught) and _names_git(caught) == [2]
    via_os = ast.parse("import os\nos.execvp('/usr/bin/git', ['git'])\n")
    assert _starts_processes(via_os) and _names_git(via_os) == [2, 2]
    assert _names_git(ast.parse("os.system('git apply -')\n")) == [1]
    # Prose that mentions git, or a process that is not git, is not a git call.
    assert _names_git(ast.parse("x = 'a git repository'\ny = 'github'\n")) == []
    assert not _starts_processes(ast.parse("import os\nos.path.join('a', 'b')\n"))
    assert _starts_processes(ast.parse("from subprocess import run\n"))
