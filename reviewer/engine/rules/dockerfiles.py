"""PR005: a container image that runs as root. Reads the Dockerfiles (at most 4 folders
down) and judges the last stage that is not a dev/test target; the finding lands on its
``FROM``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath

from reviewer.engine.context import ProjectContext
from reviewer.engine.registry import Hit, project_rule
from reviewer.engine.repo_files import for_project
from reviewer.engine.rules import file_formats as ff
from reviewer.engine.rules.dotenv import in_tests

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
    return bool(words & _DEV_IMAGE_WORDS) or in_tests(rel)


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
        # PostgreSQL images built on the official one keep its entrypoint
        "pgvector/pgvector",
        "ankane/pgvector",
        "timescale/timescaledb",
        "timescale/timescaledb-ha",
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
        # COPY sources by destination, and the program the ENTRYPOINT (or CMD) starts:
        # an entrypoint script from the repository may drop privileges itself
        self.copies: list[tuple[list[str], str]] = list(parent.copies) if parent else []
        self.program: str = parent.program if parent else ""


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
        elif ins.keyword in {"COPY", "ADD"}:
            paths = [t for t in _tokens(ins.args) if not t.startswith("--")]
            if len(paths) >= 2 and "--from" not in ins.args:
                current.copies.append((paths[:-1], paths[-1]))
        elif ins.keyword in {"ENTRYPOINT", "CMD"}:
            current.drops = bool(_DROPS_PRIVILEGES.search(ins.args))
            if ins.keyword == "ENTRYPOINT":
                current.own_entrypoint = True
            if ins.keyword == "ENTRYPOINT" or not current.program:
                words = _tokens(ins.args)
                current.program = words[0] if words else ""
    # A last stage named dev/test is a local target (``--target`` picks the shipped one).
    return shipped if shipped is not None else current


def _tokens(args: str) -> list[str]:
    """The words of an instruction in exec form (``["a", "b"]``) or shell form."""
    text = args.strip()
    if text.startswith("["):
        return re.findall(r'"((?:[^"\\]|\\.)*)"', text)
    return text.split()


def _script_drops(stage: _Stage, dockerfile: str, text_of: Callable[[str], str | None]) -> bool:
    """Whether the program the image starts is a script copied from the repository that
    drops privileges itself (``exec gosu app ...`` in ``docker/entry.sh``)."""
    program = PurePosixPath(stage.program).name
    if not program or not program.endswith(".sh"):
        return False
    context_dirs = ["", str(PurePosixPath(dockerfile).parent)]
    for sources, dest in stage.copies:
        dest_name = PurePosixPath(dest).name
        for source in sources:
            source_name = PurePosixPath(source).name
            if program not in (dest_name, source_name):
                continue
            for base in context_dirs:
                rel = PurePosixPath(base, source.removeprefix("./")).as_posix().lstrip("/")
                if ".." in PurePosixPath(rel).parts:
                    continue
                text = text_of(rel)
                if text and any(
                    _DROPS_PRIVILEGES.search(line)
                    for line in text.splitlines()
                    if not line.lstrip().startswith("#")
                ):
                    return True
    return False


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
        if stage is None or stage.drops or _script_drops(stage, rel, files.any_text):
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
