"""Which files each agent is given: the Python code and the project files its checklist is
about (``pyproject.toml``, Dockerfiles, CI workflows, ``pytest.ini``, ``alembic.ini``, ...),
so what it reports on them is a file under review, not "not in the review". Django-free.

Project files are found like the engine's project rules find them (``repo_files.find``:
well-known names at the root, CI folders, Dockerfiles and dotenv files further down) plus a
bounded walk for the same names in sub-projects (``backend/pyproject.toml``) and for
Alembic, compose and docs configuration. No link is followed; git-ignored and excluded
files are dropped. Lock files are never sent (large and machine-written; their presence is
what matters and the tools show it).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from reviewer.agents.definition import AgentDefinition
from reviewer.engine import repo_files
from reviewer.engine.files import SKIP_DIRS
from reviewer.engine.project_config import excluded, git_ignored, load_config

WALK_DEPTH = 3
WALK_LIMIT = 200

#: Kinds of project file, by file-name pattern (matched on the name, any folder).
KINDS: dict[str, tuple[str, ...]] = {
    "packaging": (
        "pyproject.toml",
        "setup.cfg",
        "requirements*.txt",
        "constraints*.txt",
        "Pipfile",
        "tox.ini",
        "noxfile.py",
        "Makefile",
        "justfile",
    ),
    "test-config": ("pytest.ini", "pyproject.toml", "setup.cfg", "tox.ini", ".coveragerc"),
    "tool-config": (
        "mypy.ini",
        ".mypy.ini",
        ".flake8",
        ".isort.cfg",
        ".pylintrc",
        "pylintrc",
        "ruff.toml",
        ".ruff.toml",
        "pyrightconfig.json",
        ".pre-commit-config.yaml",
    ),
    "migrations": ("alembic.ini",),
    "containers": (
        "Dockerfile",
        "Dockerfile.*",
        "*.Dockerfile",
        "*.dockerfile",
        "Containerfile",
        "docker-compose*.yml",
        "docker-compose*.yaml",
        "compose.yml",
        "compose.yaml",
        "compose.*.yml",
        "compose.*.yaml",
    ),
    "ci": ("*.yml", "*.yaml", "Jenkinsfile"),  # only inside CI folders, see _is_ci
    "env": (".env", ".env.*", "*.env", "env.example", "env.sample", "env.template"),
    "docs": ("mkdocs.yml", "mkdocs.yaml"),
}
_CI_FOLDERS = (".github/workflows/", ".circleci/")
_CI_ROOT = (".gitlab-ci.yml", ".travis.yml", "azure-pipelines.yml", "bitbucket-pipelines.yml")
LOCK_FILES = (
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
    "Pipfile.lock",
    "*.lock",
    "pylock*.toml",
    "conda-lock.yml",
)

#: What each rule pack's checklist is about, besides Python code.
PACK_KINDS: dict[str, tuple[str, ...]] = {
    "FA": (),
    "SA": (),
    "PD": (),
    "AS": (),
    "AL": ("migrations",),
    "PT": ("test-config",),
    "CQ": ("env",),
    "PF": ("packaging", "containers"),
    "PR": ("packaging", "test-config", "tool-config", "containers", "ci", "env", "docs"),
}
#: An agent without rule packs (a team's own, a seed file) is given every kind.
ALL_KINDS = tuple(KINDS)


def kind_of(path: str) -> str | None:
    """The kind of a project file, or None (Python code, lock files and anything else)."""
    name = PurePosixPath(path).name
    if any(fnmatchcase(name, p) for p in LOCK_FILES):
        return None
    if path.startswith(_CI_FOLDERS) or path in _CI_ROOT:
        return "ci"
    for kind, patterns in KINDS.items():
        if kind != "ci" and any(fnmatchcase(name, p) for p in patterns):
            return kind
    return None


def kinds_of(path: str) -> set[str]:
    """Every kind a project file counts as (``pyproject.toml`` is packaging and test
    configuration)."""
    first = kind_of(path)
    if first is None:
        return set()
    if first == "ci":
        return {"ci"}
    name = PurePosixPath(path).name
    return {k for k, pats in KINDS.items() if k != "ci" and any(fnmatchcase(name, p) for p in pats)}


def project_files(root: Path) -> list[str]:
    """The project files of a checkout any agent may be given (relative POSIX paths)."""
    found = {p for p in repo_files.find(root).paths if kind_of(p)}
    found.update(_walk(root))
    config, _ = load_config(root)
    kept = sorted(p for p in found if not excluded(p, config))
    ignored = git_ignored(root, kept)
    return [p for p in kept if p not in ignored]


def _walk(root: Path) -> list[str]:
    found: list[str] = []
    top = os.fspath(root)
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        prefix = dirpath[len(top) :].strip(os.sep).replace(os.sep, "/")
        depth = prefix.count("/") + 1 if prefix else 0
        dirnames[:] = sorted(
            d
            for d in dirnames
            if depth < WALK_DEPTH
            and (d not in SKIP_DIRS or d in (".github", ".circleci"))
            and not os.path.islink(os.path.join(dirpath, d))
        )
        for name in sorted(filenames):
            rel = f"{prefix}/{name}" if prefix else name
            if kind_of(rel) and not os.path.islink(os.path.join(dirpath, name)):
                found.append(rel)
        if len(found) >= WALK_LIMIT:
            break
    return found


def subject_kinds(agent: AgentDefinition) -> tuple[str, ...]:
    if not agent.rules:
        return ALL_KINDS
    kinds: list[str] = []
    for prefix in agent.rules:
        for kind in PACK_KINDS.get(prefix[:2], ALL_KINDS):
            if kind not in kinds:
                kinds.append(kind)
    return tuple(kinds)


def files_for(agent: AgentDefinition, paths: Iterable[str]) -> list[str]:
    """The paths an agent reviews: every Python file, and the project files of the kinds
    its checklist is about."""
    wanted = set(subject_kinds(agent))
    return [p for p in paths if p.endswith(".py") or kinds_of(p) & wanted]
