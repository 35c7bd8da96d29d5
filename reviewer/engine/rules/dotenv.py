"""PR006: committed dotenv values (secrets in a .env file) and no example file. Reads the
dotenv files (at most 4 folders down) and the settings modules' environment reads; a
missing example lands on the settings class or the first variable read."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import Any

from reviewer.engine.context import FileContext, ProjectContext
from reviewer.engine.names import dotted_name
from reviewer.engine.registry import Hit, project_rule
from reviewer.engine.repo_files import for_project
from reviewer.engine.rules import file_formats as ff

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


def in_tests(rel: str) -> bool:
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
_LOCATION_SUFFIXES = ("_PATH", "_DIR", "_HOME", "_FILE")
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
    # A variable saying where a config file or folder lives (``APP_CONFIG_PATH``) locates
    # the settings; it is not one of them.
    kept = sorted(
        (n, name)
        for n, name in reads
        if name and name not in _STANDARD_VARIABLES and not name.endswith(_LOCATION_SUFFIXES)
    )
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
        if suffix in _EXAMPLE_SUFFIXES or suffix in _TEST_SUFFIXES or in_tests(rel):
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
    if any(not in_tests(rel) for rel in env_files):
        return
    settings = ctx.summaries(summarize_settings)
    for path in sorted(settings):
        if in_tests(path) or _TOOLING_PARTS & set(PurePosixPath(path).parts[:-1]):
            continue
        line, read = settings[path]
        names = list(dict.fromkeys(read))  # one variable read in several places: named once
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
