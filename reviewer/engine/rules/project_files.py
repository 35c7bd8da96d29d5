"""Project-convention rules (PR) that read the repository's own files rather than its
Python code: where tool configuration lives, whether dependencies are locked, whether a
linter or type checker is set up, what user a container image runs as, and what a
committed dotenv file gives away. Which files are read, and how safely, is decided in
``reviewer.engine.repo_files``; this module only judges their content.

A finding about something *missing* lands on the line that asked for it: PR002 on the
``dependencies`` declaration (pyproject.toml), the ``[packages]`` table (Pipfile) or the
first loose requirement; PR004 on the ``[project]`` (or ``[tool.poetry]``) header, else
on line 1 of the file that makes the folder a Python project; PR005 on the final
``FROM``; PR006's missing example on the settings class or the first variable read.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import Any

from reviewer.engine.context import FileContext, ProjectContext
from reviewer.engine.names import dotted_name
from reviewer.engine.registry import Hit, project_rule
from reviewer.engine.repo_files import RepoFiles, for_project
from reviewer.engine.rules import file_formats as ff

# --------------------------------------------------------------------------------------
# PR001: tool configuration outside pyproject.toml

# Sections of setup.cfg / tox.ini that configure a tool pyproject.toml can configure.
_TOOL_SECTION = re.compile(
    r"^(tool:pytest|pytest|flake8|mypy|mypy-.+|isort|tool:isort|coverage:.+|pycodestyle|"
    r"pydocstyle|pylint|pylint\..+|yapf|bandit|codespell)$",
    re.IGNORECASE,
)
# Whole files that exist only to configure one tool, and where that tool's settings go.
_TOOL_FILES = {
    "pytest.ini": "`[tool.pytest.ini_options]`",
    "mypy.ini": "`[tool.mypy]` (per-module sections become `[[tool.mypy.overrides]]`)",
    ".mypy.ini": "`[tool.mypy]` (per-module sections become `[[tool.mypy.overrides]]`)",
    ".isort.cfg": "`[tool.isort]` (or drop isort for ruff's `I` rules)",
    ".coveragerc": "`[tool.coverage.run]` / `[tool.coverage.report]`",
    ".pylintrc": "`[tool.pylint.*]` tables",
    "pylintrc": "`[tool.pylint.*]` tables",
    ".flake8": "nowhere: flake8 cannot read pyproject.toml; ruff implements its rules and "
    "reads `[tool.ruff]`",
}


@project_rule(
    id="PR001",
    title="Tool configuration kept outside pyproject.toml",
    severity="suggestion",
    confidence=90,
    category="project",
    debt_kind="tooling",
    debt_minutes=15,
    explanation=(
        "pytest, mypy, coverage, isort, pylint and ruff all read their settings from "
        "`[tool.*]` tables in pyproject.toml. A repository that also keeps a pytest.ini, a "
        "mypy.ini or tool sections in setup.cfg/tox.ini spreads its configuration over "
        "several files with different syntaxes, and the files silently take precedence "
        "over each other (a stray pytest.ini makes pytest ignore pyproject.toml "
        "altogether). Move each tool's section into pyproject.toml and delete the old "
        "file or section, so there is one place to read and review. flake8 is the "
        "exception that cannot move: replacing it with ruff removes the file."
    ),
    before=("# setup.cfg\n[tool:pytest]\ntestpaths = tests\n\n[mypy]\nstrict = True\n"),
    after=(
        "# pyproject.toml\n"
        "[tool.pytest.ini_options]\n"
        'testpaths = ["tests"]\n'
        "\n"
        "[tool.mypy]\n"
        "strict = true\n"
    ),
)
def check_tool_config_files(ctx: ProjectContext) -> Iterator[Hit]:
    """One finding per root file that holds tool configuration: a single-tool file
    (pytest.ini, mypy.ini, .flake8, ...) with a section, or setup.cfg/tox.ini with tool
    sections (their packaging and tox sections are not tool configuration). It lands on
    the first tool section. ruff.toml is ruff's own first-class file and is left alone."""
    files = for_project(ctx)
    for name, target in _TOOL_FILES.items():
        sections = ff.ini_sections(files.lines(name))
        if sections:
            line = sections[0][0]
            yield Hit(
                line,
                0,
                f"`{name}` configures a tool outside pyproject.toml; its settings belong in "
                f"{target}.",
                path=name,
            )
    for name in ("setup.cfg", "tox.ini"):
        tools = [(n, s) for n, s in ff.ini_sections(files.lines(name)) if _TOOL_SECTION.match(s)]
        if tools:
            listed = ", ".join(f"`[{s}]`" for _, s in tools[:6])
            flake8 = any(s.lower() == "flake8" for _, s in tools)
            yield Hit(
                tools[0][0],
                0,
                f"`{name}` holds tool configuration ({listed}); move it to the matching "
                "`[tool.*]` tables of pyproject.toml"
                + (" (flake8 cannot read pyproject.toml; ruff can replace it)." if flake8 else "."),
                path=name,
            )


# --------------------------------------------------------------------------------------
# PR002: no lock file

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


def _requirement_files(files: RepoFiles) -> list[str]:
    found: list[str] = []
    for pattern in _REQUIREMENT_FILES:
        found.extend(p for p in files.matching(pattern) if p not in found)
    return found


def _has_lock(files: RepoFiles) -> bool:
    """A lock file, or a requirements/constraints file in which every requirement is an
    exact pin (pip-compile's or ``uv pip compile``'s output is a lock by another name)."""
    if any(files.has(name) for name in LOCK_FILES) or files.matching("pylock.*.toml"):
        return True
    for rel in _requirement_files(files):
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
    poetry = _table(pyproject, "tool", "poetry", "dependencies")
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
    if _table(pipfile, "packages"):
        line = ff.toml_header_line(files.lines("Pipfile"), "packages") or 1
        yield Hit(
            line,
            0,
            "Pipfile packages are declared but `Pipfile.lock` is not committed.",
            path="Pipfile",
        )
        return
    for rel in _requirement_files(files):
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


def _table(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    current: Any = data
    for key in keys:
        current = current.get(key) if isinstance(current, dict) else None
    return current if isinstance(current, dict) else {}


# --------------------------------------------------------------------------------------
# PR004: no linter or type checker

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
    if set(_table(pyproject, "tool")) & _CHECKER_TABLES:
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
    project = _table(pyproject, "project")
    names |= ff.requirement_names(project.get("dependencies"))
    for group in (project.get("optional-dependencies"), pyproject.get("dependency-groups")):
        if isinstance(group, dict):
            for specs in group.values():
                names |= ff.requirement_names(specs)
    names |= ff.requirement_names(_table(pyproject, "tool", "uv").get("dev-dependencies"))
    for specs in _table(pyproject, "tool", "pdm", "dev-dependencies").values():
        names |= ff.requirement_names(specs)
    poetry = _table(pyproject, "tool", "poetry")
    names |= ff.requirement_names(_table(poetry, "dependencies"))
    names |= ff.requirement_names(_table(poetry, "dev-dependencies"))
    for group in _table(poetry, "group").values():
        if isinstance(group, dict):
            names |= ff.requirement_names(_table(group, "dependencies"))
    pipfile = ff.load_toml(files.text("Pipfile")) or {}
    names |= ff.requirement_names(_table(pipfile, "packages"))
    names |= ff.requirement_names(_table(pipfile, "dev-packages"))
    for rel in _requirement_files(files):
        names |= {r.name for r in ff.requirements(files.lines(rel))}
    return names


def _project_anchor(files: RepoFiles, pyproject: dict[str, Any]) -> tuple[str, int] | None:
    """Where a finding about the whole Python project lands, or None when the root is not
    a Python project (no pyproject ``[project]``/``[tool.poetry]``, setup file, Pipfile
    or requirements file)."""
    lines = files.lines("pyproject.toml")
    for table in ("project", "tool.poetry"):
        if _table(pyproject, *table.split(".")):
            return "pyproject.toml", ff.toml_header_line(lines, table) or 1
    for name in ("setup.py", "setup.cfg", "Pipfile"):
        if files.has(name):
            return name, 1
    requirement_files = _requirement_files(files)
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


# --------------------------------------------------------------------------------------
# PR005: container image running as root

_ROOT_USERS = frozenset({"root", "0"})
# Privilege-dropping launchers: an image may start as root and switch in its entrypoint.
_DROPS_PRIVILEGES = re.compile(r"\b(gosu|su-exec|setpriv|runuser|s6-setuidgid|chpst)\b")
_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}?")


# Dockerfile.<x> / <x>.Dockerfile names (and folders) of images that are never deployed:
# a developer's environment, a CI or browser-test runner.
_DEV_IMAGE_WORDS = frozenset(
    {
        "dev",
        "develop",
        "development",
        "local",
        "test",
        "tests",
        "testing",
        "ci",
        "e2e",
        "playwright",
        "cypress",
        "selenium",
        "debug",
    }
)


def _dev_image(rel: str) -> bool:
    path = PurePosixPath(rel)
    words = set(re.split(r"[.\-_]", path.name.lower())) - {"dockerfile", "containerfile"}
    return bool(words & _DEV_IMAGE_WORDS) or _in_tests(rel)


# Official service images whose own entrypoint switches to an unprivileged user (the
# database or broker never runs as root), as long as the Dockerfile keeps that entrypoint.
_SELF_DROPPING_IMAGES = frozenset(
    {
        "postgres",
        "postgis/postgis",
        "mysql",
        "mariadb",
        "redis",
        "mongo",
        "rabbitmq",
        "memcached",
        "elasticsearch",
    }
)


def _image_name(image: str) -> str:
    """``docker.io/library/postgres:16-alpine@sha256:..`` -> ``postgres``."""
    name = image.lower().split("@", 1)[0]
    if ":" in name.rsplit("/", 1)[-1]:
        name = name.rsplit(":", 1)[0]
    parts = name.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]  # a registry host
    if parts[:1] == ["library"]:
        parts = parts[1:]
    return "/".join(parts)


_LAMBDA_IMAGES = ("public.ecr.aws/lambda/", "amazon/aws-lambda-")


def _non_root_image(image: str) -> bool:
    """Base images documented to run as a non-root user by default, and AWS Lambda base
    images (Lambda runs the function as its own unprivileged user, whatever the image
    says)."""
    lowered = image.lower()
    return (
        "nonroot" in lowered
        or lowered.startswith("cgr.dev/chainguard/")
        or lowered.startswith(_LAMBDA_IMAGES)
    )


class _Stage:
    def __init__(self, line: int, image: str, parent: _Stage | None) -> None:
        self.line = line
        self.image = image
        self.user: str | None = parent.user if parent else None
        self.user_line: int = parent.user_line if parent else 0
        self.non_root_base: bool = parent.non_root_base if parent else _non_root_image(image)
        self.drops: bool = parent.drops if parent else False
        self.own_entrypoint: bool = parent.own_entrypoint if parent else False
        self.variables: dict[str, str] = dict(parent.variables) if parent else {}


def _expand(value: str, variables: dict[str, str]) -> str | None:
    """``$NAME``/``${NAME:-default}`` from the stage's ARG/ENV defaults; None when a
    variable has no known value (then the user is unknown, not root)."""
    unknown = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal unknown
        if match.group(1) in variables:
            return variables[match.group(1)]
        if match.group(2) is not None:
            return match.group(2)
        unknown = True
        return ""

    expanded = _VARIABLE.sub(substitute, value)
    return None if unknown else expanded


def _assignments(args: str) -> dict[str, str]:
    """``ARG A=1 B`` / ``ENV A=1 B=2`` / legacy ``ENV A 1``: the names with a value."""
    found: dict[str, str] = {}
    tokens = args.split()
    if len(tokens) >= 2 and "=" not in tokens[0]:
        return {tokens[0]: " ".join(tokens[1:]).strip("\"'")}
    for token in tokens:
        name, sep, value = token.partition("=")
        if sep:
            found[name] = value.strip("\"'")
    return found


_DEV_STAGES = frozenset({"dev", "development", "debug", "test", "tests", "testing", "ci", "local"})


def _final_stage(instructions: list[ff.Instruction]) -> _Stage | None:
    stages: dict[str, _Stage] = {}
    shipped: _Stage | None = None  # the last stage that is not a dev/test target
    current: _Stage | None = None
    global_args: dict[str, str] = {}
    for ins in instructions:
        if ins.keyword == "FROM":
            tokens = [t for t in ins.args.split() if not t.startswith("--")]
            image = tokens[0] if tokens else ""
            current = _Stage(ins.line, image, stages.get(image.lower()))
            name = tokens[2].lower() if len(tokens) >= 3 and tokens[1].lower() == "as" else ""
            if name:
                stages[name] = current
            if name not in _DEV_STAGES:
                shipped = current
        elif current is None:
            if ins.keyword == "ARG":
                global_args.update(_assignments(ins.args))
        elif ins.keyword in {"ARG", "ENV"}:
            declared = _assignments(ins.args)
            for name in ins.args.split():
                if "=" not in name and name in global_args and ins.keyword == "ARG":
                    declared.setdefault(name, global_args[name])
            current.variables.update(declared)
        elif ins.keyword == "USER" and ins.args:
            current.user = _expand(ins.args.split()[0], current.variables) or "?"
            current.user_line = ins.line
        elif ins.keyword in {"ENTRYPOINT", "CMD"}:
            current.drops = bool(_DROPS_PRIVILEGES.search(ins.args))
            if ins.keyword == "ENTRYPOINT":
                current.own_entrypoint = True
    # A last stage named dev/test is a local target (``--target`` picks the shipped one).
    return shipped if shipped is not None else current


@project_rule(
    id="PR005",
    title="Container image runs as root",
    severity="important",
    confidence=85,
    category="project",
    explanation=(
        "Unless a Dockerfile says otherwise, the process in the container runs as root. "
        "If the application is compromised (a deserialisation bug, a path traversal, a "
        "vulnerable dependency), the attacker is root inside the container: they can "
        "rewrite the application's files, install tools, and exploit any kernel or "
        "runtime weakness with full privileges. Create an unprivileged user in the final "
        "stage and switch to it with `USER` before the `CMD`; files the app must write go "
        "in a directory that user owns. Builder stages may stay root, only the stage that "
        "ships matters."
    ),
    before=(
        "FROM python:3.12-slim\n"
        "WORKDIR /app\n"
        "COPY . .\n"
        "RUN pip install --no-cache-dir .\n"
        'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]\n'
    ),
    after=(
        "FROM python:3.12-slim\n"
        "RUN useradd --create-home --uid 10001 app\n"
        "WORKDIR /app\n"
        "COPY . .\n"
        "RUN pip install --no-cache-dir .\n"
        "USER app\n"
        'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]\n'
    ),
)
def check_container_user(ctx: ProjectContext) -> Iterator[Hit]:
    """The final stage of each Dockerfile: no ``USER`` (and none inherited from an earlier
    stage it builds on) lands on its ``FROM``; a last ``USER root``/``USER 0`` lands on
    that line. Not flagged: a user given by a variable with no known value, base images
    that run as non-root by default (``*nonroot*``, Chainguard), official database and
    broker images that switch user in their own entrypoint (postgres, redis, ...), an
    ``ENTRYPOINT``/
    ``CMD`` that drops privileges itself (gosu, su-exec, setpriv), and images that are
    never deployed (``Dockerfile.dev``, ``Dockerfile.test``, ``e2e.Dockerfile``, files
    under tests/ or docs/)."""
    files = for_project(ctx)
    for rel in files.dockerfiles():
        if _dev_image(rel):
            continue
        stage = _final_stage(ff.dockerfile_instructions(files.lines(rel)))
        if stage is None or stage.drops:
            continue
        if _image_name(stage.image) in _SELF_DROPPING_IMAGES and not stage.own_entrypoint:
            continue
        if stage.user is None:
            if not stage.non_root_base:
                yield Hit(
                    stage.line,
                    0,
                    f"The final stage (`FROM {stage.image}`) never switches `USER`, so the "
                    "container runs as root.",
                    path=rel,
                )
        elif stage.user.split(":", 1)[0].lower() in _ROOT_USERS:
            yield Hit(
                stage.user_line,
                0,
                "The final stage's last `USER` is root, so the container runs as root.",
                path=rel,
            )


# --------------------------------------------------------------------------------------
# PR006: committed dotenv values / no example file

_EXAMPLE_SUFFIXES = frozenset(
    {"example", "sample", "template", "tmpl", "tpl", "dist", "defaults", "default"}
)
_TEST_SUFFIXES = frozenset({"test", "testing", "tests", "ci"})
_SECRET_KEY = re.compile(
    r"(SECRET|PASSWORD|PASSWD|(^|_)PASS($|_)|(^|_)PWD($|_)|TOKEN|API_?KEY|ACCESS_?KEY|"
    r"PRIVATE_?KEY|CREDENTIALS?|(^|_)DSN($|_)|(^|_)KEY$)",
    re.I,
)
_NOT_SECRET_VALUE = re.compile(
    r"^(|\d+[smhd]?|true|false|yes|no|on|off|none|null|hs256|hs512|rs256)$", re.I
)
_PLACEHOLDER = re.compile(
    r"^(<.*>|\$\{?.*|\{\{.*\}\}|x{3,}|\*{3,}|\.{3}|.*change.?(me|this|it).*|"
    r".*replace.?me.*|your[-_ ].*|"
    r".*_here|.*-here|todo|tbd|fixme|example.*|dummy.*|placeholder.*|secret|password|"
    r"fill.?me.*|set.?me.*|insecure.*|not.?a.?secret.*)$",
    re.I,
)
_URL_CREDENTIALS = re.compile(r"^[a-z][a-z0-9+.\-]*://[^:/@\s]*:([^@/\s]+)@", re.I)


def _env_suffix(name: str) -> str:
    """``.env.production`` -> ``production``; ``prod.env`` -> ``prod``; ``.env`` -> ""."""
    if name.startswith(".env"):
        return name[4:].lstrip(".-_").lower()
    if name.startswith("env."):
        return name[4:].lower()
    return name.removesuffix(".env").lower()


def _is_example(name: str) -> bool:
    return _env_suffix(name) in _EXAMPLE_SUFFIXES


def _secret_value(entry: ff.EnvEntry) -> bool:
    value = entry.value.strip()
    url = _URL_CREDENTIALS.match(value)
    if url:
        return not _PLACEHOLDER.match(url.group(1))
    if not _SECRET_KEY.search(entry.key):
        return False
    user, sep, password = value.partition(":")
    if sep and user and user == password:
        return False  # "postgres:postgres": a well-known local default, not a secret
    return not (_NOT_SECRET_VALUE.match(value) or _PLACEHOLDER.match(value))


_TEST_PARTS = frozenset(
    {"tests", "test", "testing", "fixtures", "testdata", "docs", "docs_src", "examples", "example"}
)


# Folders of helper scripts and CI jobs: their settings are the CI's, not the app's.
_TOOLING_PARTS = frozenset({"scripts", "tools", "bin", ".github", "bench", "benchmarks"})


def _in_tests(rel: str) -> bool:
    path = PurePosixPath(rel)
    return (
        bool(_TEST_PARTS & set(path.parts[:-1]))
        or path.name.startswith("test_")
        or path.name == "conftest.py"
    )


# Environment variables every process has; reading them is not application settings.
_STANDARD_VARIABLES = frozenset(
    {
        "HOME",
        "PATH",
        "USER",
        "PWD",
        "SHELL",
        "TERM",
        "LANG",
        "TZ",
        "CI",
        "HOSTNAME",
        "TMPDIR",
        "PYTHONPATH",
        "VIRTUAL_ENV",
        "DJANGO_SETTINGS_MODULE",
    }
)
_SETTINGS_STEMS = frozenset({"settings", "config", "conf", "configuration", "env", "environment"})
_ENV_READERS = frozenset({"os.getenv", "os.environ.get", "decouple.config"})


def summarize_settings(file: FileContext) -> list[Any] | None:
    """Where a settings module reads environment variables, and the names it reads: a
    pydantic ``BaseSettings`` class (its fields), or, in a module named like settings or
    config, ``os.getenv("NAME")``/``os.environ["NAME"]``/decouple reads of a literal name
    that is not one every process has (HOME, CI, ...)."""
    for cls in sorted(file.nodes(ast.ClassDef), key=lambda c: c.lineno):
        if any((dotted_name(b) or "").rsplit(".", 1)[-1] == "BaseSettings" for b in cls.bases):
            fields = [
                s.target.id.upper()
                for s in cls.body
                if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
            ]
            return [cls.lineno, fields]
    stem = file.posix_path.stem
    if stem not in _SETTINGS_STEMS and "settings" not in file.posix_path.parts[:-1]:
        return None
    reads: list[tuple[int, str]] = []
    for call in file.nodes(ast.Call):
        qualified = file.qualified(call.func) or ""
        if qualified in _ENV_READERS:
            reads.append((call.lineno, _first_string(call.args)))
    for sub in file.nodes(ast.Subscript):
        if isinstance(sub.ctx, ast.Load) and file.qualified(sub.value) == "os.environ":
            reads.append((sub.lineno, _first_string([sub.slice])))
    # Only reads of a named variable: a helper reading ``os.environ.get(name)`` for its
    # caller is not itself a setting (``env_str("DATABASE_URL")`` in settings.py is).
    kept = sorted((n, name) for n, name in reads if name and name not in _STANDARD_VARIABLES)
    if not kept:
        return None
    return [kept[0][0], [name for _, name in kept]]


def _first_string(args: Iterable[ast.expr]) -> str:
    for arg in args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
        return ""
    return ""


@project_rule(
    id="PR006",
    title="Dotenv file with real values committed, or no .env.example",
    severity="critical",
    confidence=90,
    category="project",
    summarize=summarize_settings,
    explanation=(
        "A `.env` file holds the values one machine runs with, secrets included. Once it "
        "is committed, every clone, fork, CI log and backup has the database password and "
        "API keys, and removing the file later does not remove it from history: the "
        "values must be rotated. Keep `.env` out of git (`.gitignore`) and commit a "
        "`.env.example` that lists every variable with an empty or placeholder value, so "
        "a new developer or a deployment knows what to set. When the code reads its "
        "settings from the environment and no example file exists, the variables are "
        "documented nowhere but in the code (reported as a suggestion)."
    ),
    before=(
        "# .env (committed)\n"
        "DATABASE_URL=postgresql://shop:S3cr3t-pw@db/shop\n"
        "STRIPE_API_KEY=sk_live_51HfX...\n"
    ),
    after=(
        "# .env.example (committed; .env is in .gitignore)\n"
        "DATABASE_URL=postgresql://user:password@localhost/shop\n"
        "STRIPE_API_KEY=\n"
    ),
)
def check_dotenv(ctx: ProjectContext) -> Iterator[Hit]:
    """Committed dotenv files (not examples, not test/CI ones, not under test or docs
    folders): each line giving a secret-looking key a real value, or a URL with a
    password, is Critical. Placeholders (``changeme``, ``<token>``, ``${VAR}``, empty),
    numbers and booleans are not values to leak. Then, when a settings module reads the
    environment and no dotenv file is committed anywhere in the repository (outside
    tests and docs), one Suggestion on that settings module."""
    files = for_project(ctx)
    env_files = files.dotenvs()
    for rel in env_files:
        name = PurePosixPath(rel).name
        suffix = _env_suffix(name)
        if suffix in _EXAMPLE_SUFFIXES or suffix in _TEST_SUFFIXES or _in_tests(rel):
            continue
        for entry in ff.dotenv_entries(files.lines(rel)):
            if _secret_value(entry):
                yield Hit(
                    entry.line,
                    0,
                    f"`{entry.key}` has a real value in the committed `{name}`; remove the "
                    "file from git, rotate the value and commit an example file instead.",
                    path=rel,
                )
    # Any committed dotenv file (an example next to docker-compose.yml, a placeholder-only
    # .env) already tells a newcomer which variables exist.
    if any(not _in_tests(rel) for rel in env_files):
        return
    settings = ctx.summaries(summarize_settings)
    for path in sorted(settings):
        if _in_tests(path) or _TOOLING_PARTS & set(PurePosixPath(path).parts[:-1]):
            continue
        line, names = settings[path]
        shown = ", ".join(f"`{n}`" for n in names[:4]) + (", ..." if len(names) > 4 else "")
        yield Hit(
            line,
            0,
            "Settings are read from the environment"
            + (f" ({shown})" if shown else "")
            + " but no `.env.example` lists them.",
            severity="suggestion",
            confidence=70,
            path=path,
        )
        return
