"""PR002: dependencies that are not locked. Reads pyproject.toml, Pipfile, requirements
and constraints files and the lock files next to them; a missing lock lands on the
``dependencies`` declaration, the ``[packages]`` table or the first loose requirement."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from reviewer.engine.context import ProjectContext
from reviewer.engine.registry import Hit, project_rule
from reviewer.engine.repo_files import RepoFiles, for_project
from reviewer.engine.rules import file_formats as ff

LOCK_FILES = (
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
    "Pipfile.lock",
    "pylock.toml",
    "python.lock",  # Pants' resolve lockfile
    "requirements.lock",
    "requirements-dev.lock",
    "conda-lock.yml",
)
_REQUIREMENT_FILES = ("requirements*.txt", "requirements/*.txt", "constraints*.txt")


def requirement_files(files: RepoFiles) -> list[str]:
    found: list[str] = []
    for pattern in _REQUIREMENT_FILES:
        found.extend(p for p in files.matching(pattern) if p not in found)
    return found


def _has_lock(files: RepoFiles) -> bool:
    """A lock file, or a requirements/constraints file in which every requirement is an
    exact pin (pip-compile's or ``uv pip compile``'s output is a lock by another name)."""
    if any(files.has(name) for name in LOCK_FILES) or files.matching("pylock.*.toml"):
        return True
    for rel in requirement_files(files):
        found = ff.requirements(files.lines(rel))
        if found and all(r.pinned for r in found):
            return True
    return False


@project_rule(
    id="PR002",
    title="Dependencies declared without a lock file",
    severity="suggestion",
    confidence=80,
    category="project",
    debt_kind="tooling",
    debt_minutes=20,
    explanation=(
        "Version ranges such as `fastapi>=0.110` say what the code accepts, not what was "
        "tested. Without a lock file every fresh install (CI, a new laptop, the next "
        "image build) resolves the newest versions of the whole dependency tree that day, "
        "so two builds of the same commit can differ and a release of some transitive "
        "package can break production with no change in the repository. Commit the "
        "lock your tool writes (`uv lock`, `poetry lock`, `pdm lock`) or a fully pinned "
        "requirements file compiled from the ranges (`uv pip compile`, `pip-compile`), and "
        "install from it in CI and images."
    ),
    before=(
        "# pyproject.toml (and no uv.lock in the repository)\n"
        "[project]\n"
        'dependencies = ["fastapi>=0.110", "sqlalchemy>=2.0"]\n'
    ),
    after=(
        "# pyproject.toml, plus the uv.lock written by `uv lock`, committed\n"
        "[project]\n"
        'dependencies = ["fastapi>=0.110", "sqlalchemy>=2.0"]\n'
    ),
)
def check_lock_file(ctx: ProjectContext) -> Iterator[Hit]:
    files = for_project(ctx)
    if _has_lock(files):
        return
    pyproject_lines = files.lines("pyproject.toml")
    pyproject = ff.load_toml(files.text("pyproject.toml")) or {}
    project = pyproject.get("project")
    if isinstance(project, dict) and ff.requirement_names(project.get("dependencies")):
        line = ff.toml_key_line(pyproject_lines, "project", "dependencies") or 1
        yield Hit(
            line,
            0,
            "Dependencies are declared here but no lock file is committed (uv.lock, "
            "poetry.lock, pdm.lock, or a fully pinned requirements file).",
            path="pyproject.toml",
        )
        return
    poetry = table(pyproject, "tool", "poetry", "dependencies")
    if set(poetry) - {"python"}:
        line = ff.toml_header_line(pyproject_lines, "tool.poetry.dependencies") or 1
        yield Hit(
            line,
            0,
            "Poetry dependencies are declared but `poetry.lock` is not committed.",
            path="pyproject.toml",
        )
        return
    pipfile = ff.load_toml(files.text("Pipfile")) or {}
    if table(pipfile, "packages"):
        line = ff.toml_header_line(files.lines("Pipfile"), "packages") or 1
        yield Hit(
            line,
            0,
            "Pipfile packages are declared but `Pipfile.lock` is not committed.",
            path="Pipfile",
        )
        return
    for rel in requirement_files(files):
        loose = [r for r in ff.requirements(files.lines(rel)) if not r.pinned]
        if loose:
            yield Hit(
                loose[0].line,
                0,
                f"`{rel}` gives version ranges (`{loose[0].name}` is not pinned) and no lock "
                "file is committed; compile a pinned file or commit a lock.",
                path=rel,
            )
            return


def table(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    current: Any = data
    for key in keys:
        current = current.get(key) if isinstance(current, dict) else None
    return current if isinstance(current, dict) else {}
