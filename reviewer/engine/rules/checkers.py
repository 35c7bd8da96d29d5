"""PR004: no linter or type checker set up. Reads pyproject.toml, setup.cfg, tox.ini,
pre-commit and CI configuration and the declared development dependencies; the finding
lands on the ``[project]`` (or ``[tool.poetry]``) header, else on line 1 of the file that
makes the folder a Python project."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from reviewer.engine.context import ProjectContext
from reviewer.engine.registry import Hit, project_rule
from reviewer.engine.repo_files import RepoFiles, for_project
from reviewer.engine.rules import dependency_files as deps
from reviewer.engine.rules import file_formats as ff

_CHECKERS = frozenset(
    {
        "ruff",
        "mypy",
        "pyright",
        "basedpyright",
        "flake8",
        "pylint",
        "pyre-check",
        "pytype",
        "pyflakes",
        "pycodestyle",
        "ty",
    }
)
_CHECKER_TABLES = frozenset(
    {"ruff", "mypy", "pyright", "basedpyright", "pylint", "flake8", "flakeheaven", "pyre", "ty"}
)
_CHECKER_FILES = (
    "ruff.toml",
    ".ruff.toml",
    "mypy.ini",
    ".mypy.ini",
    "pyrightconfig.json",
    ".flake8",
    ".pylintrc",
    "pylintrc",
)
_CHECKER_SECTION = re.compile(r"^(flake8|mypy|mypy-.+|pylint.*|pycodestyle|pyflakes)$", re.I)
_CHECKER_WORD = re.compile(
    r"(?<![\w-])(ruff|mypy|pyright|basedpyright|flake8|pylint|pytype|pyre)(?![\w-])"
)
# Files that run tools (hooks, CI jobs, task runners): a checker named there is set up.
_RUNNERS = (
    ".pre-commit-config.yaml",
    "Makefile",
    "justfile",
    "Justfile",
    "noxfile.py",
    "tox.ini",
    ".gitlab-ci.yml",
    ".travis.yml",
    "azure-pipelines.yml",
    "bitbucket-pipelines.yml",
    "Jenkinsfile",
)
# A pyproject string that installs or runs a checker: a hatch/pdm/poe environment's
# dependency (``"ruff>=0.6"``) or script (``lint = "ruff check ."``).
_CHECKER_STRING = re.compile(
    r"[\"']\s*(?:(?:uv|poetry|pdm|hatch) run\s+|python -m\s+)?"
    r"(ruff|mypy|pyright|basedpyright|flake8|pylint|pytype)(?![\w-])"
)


def _checker_configured(files: RepoFiles, pyproject: dict[str, Any]) -> bool:
    if set(deps.table(pyproject, "tool")) & _CHECKER_TABLES:
        return True
    if any(files.has(name) for name in _CHECKER_FILES):
        return True
    if any(_CHECKER_SECTION.match(s) for _, s in ff.ini_sections(files.lines("setup.cfg"))):
        return True
    if _CHECKER_STRING.search(files.text("pyproject.toml") or ""):
        return True
    runners = [*_RUNNERS, *files.matching(".github/workflows/*"), *files.matching(".circleci/*")]
    if any(_CHECKER_WORD.search(files.text(rel) or "") for rel in runners):
        return True
    names = _dependency_names(files, pyproject)
    return bool(names & _CHECKERS) or any(name.startswith("flake8-") for name in names)


def _dependency_names(files: RepoFiles, pyproject: dict[str, Any]) -> set[str]:
    """Every dependency named anywhere: pyproject's project, optional and group
    dependencies, uv/pdm/Poetry dev tables, Pipfile, requirements files."""
    names: set[str] = set()
    project = deps.table(pyproject, "project")
    names |= ff.requirement_names(project.get("dependencies"))
    for group in (project.get("optional-dependencies"), pyproject.get("dependency-groups")):
        if isinstance(group, dict):
            for specs in group.values():
                names |= ff.requirement_names(specs)
    names |= ff.requirement_names(deps.table(pyproject, "tool", "uv").get("dev-dependencies"))
    for specs in deps.table(pyproject, "tool", "pdm", "dev-dependencies").values():
        names |= ff.requirement_names(specs)
    poetry = deps.table(pyproject, "tool", "poetry")
    names |= ff.requirement_names(deps.table(poetry, "dependencies"))
    names |= ff.requirement_names(deps.table(poetry, "dev-dependencies"))
    for group in deps.table(poetry, "group").values():
        if isinstance(group, dict):
            names |= ff.requirement_names(deps.table(group, "dependencies"))
    pipfile = ff.load_toml(files.text("Pipfile")) or {}
    names |= ff.requirement_names(deps.table(pipfile, "packages"))
    names |= ff.requirement_names(deps.table(pipfile, "dev-packages"))
    for rel in deps.requirement_files(files):
        names |= {r.name for r in ff.requirements(files.lines(rel))}
    return names


def _project_anchor(files: RepoFiles, pyproject: dict[str, Any]) -> tuple[str, int] | None:
    """Where a finding about the whole Python project lands, or None when the root is not
    a Python project (no pyproject ``[project]``/``[tool.poetry]``, setup file, Pipfile
    or requirements file)."""
    lines = files.lines("pyproject.toml")
    for table in ("project", "tool.poetry"):
        if deps.table(pyproject, *table.split(".")):
            return "pyproject.toml", ff.toml_header_line(lines, table) or 1
    for name in ("setup.py", "setup.cfg", "Pipfile"):
        if files.has(name):
            return name, 1
    requirement_files = deps.requirement_files(files)
    if requirement_files:
        return requirement_files[0], 1
    return None


@project_rule(
    id="PR004",
    title="No linter or type checker set up",
    severity="suggestion",
    confidence=75,
    category="project",
    debt_kind="tooling",
    debt_minutes=30,
    explanation=(
        "A Python project with no linter and no type checker relies on review to catch "
        "unused imports, shadowed names, `None` passed where a value is required and "
        "calls with the wrong arguments, which machines find faster and more reliably. "
        "Nothing in this repository configures or runs one (no `[tool.ruff]`/`[tool.mypy]` "
        "table, no ruff.toml/mypy.ini/pyrightconfig.json, no pre-commit hook, CI job or "
        "dev dependency naming ruff, mypy, pyright, flake8 or pylint). Add ruff for "
        "linting and mypy or pyright for types, configure them in pyproject.toml and run "
        "them in CI."
    ),
    before=('[project]\nname = "shop"\ndependencies = ["fastapi>=0.110"]\n'),
    after=(
        "[project]\n"
        'name = "shop"\n'
        'dependencies = ["fastapi>=0.110"]\n'
        "\n"
        "[dependency-groups]\n"
        'dev = ["ruff>=0.6", "mypy>=1.11"]\n'
        "\n"
        "[tool.ruff.lint]\n"
        'select = ["E", "F", "B", "UP"]\n'
        "\n"
        "[tool.mypy]\n"
        "strict = true\n"
    ),
)
def check_checkers_configured(ctx: ProjectContext) -> Iterator[Hit]:
    if not ctx.paths:
        return  # nothing to lint
    files = for_project(ctx)
    if files.has("pyproject.toml") and files.text("pyproject.toml") is not None:
        pyproject = ff.load_toml(files.text("pyproject.toml"))
        if pyproject is None:
            return  # unreadable: do not guess
    else:
        pyproject = {}
    anchor = _project_anchor(files, pyproject)
    if anchor is None or _checker_configured(files, pyproject):
        return
    path, line = anchor
    yield Hit(
        line,
        0,
        "No linter or type checker is configured or run for this project (ruff, mypy, "
        "pyright, flake8, pylint).",
        path=path,
    )
