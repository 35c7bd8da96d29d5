"""Small, forgiving readers for the non-Python files project rules look at: INI sections,
TOML table headers and keys (with their line numbers, which ``tomllib`` does not give),
requirement lines, dotenv entries and Dockerfile instructions. Each takes the lines of a
file and never raises on odd input: a repository's files are untrusted and often sloppy."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

# --------------------------------------------------------------------------------------
# INI (setup.cfg, tox.ini, pytest.ini, .flake8, mypy.ini)

_INI_SECTION = re.compile(r"^\[([^\]\n]+)\]")


def ini_sections(lines: list[str]) -> list[tuple[int, str]]:
    """``(line, section name)`` for every ``[section]`` header, in order."""
    found = []
    for number, line in enumerate(lines, 1):
        match = _INI_SECTION.match(line.strip())
        if match:
            found.append((number, match.group(1).strip()))
    return found


# --------------------------------------------------------------------------------------
# TOML (pyproject.toml, Pipfile)

_TOML_HEADER = re.compile(r"^\[\[?\s*([^\]]+?)\s*\]\]?")


def load_toml(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):  # deep nesting exhausts tomllib's stack
        return None


def _table_name(raw: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in raw.split("."))


def toml_header_line(lines: list[str], table: str) -> int | None:
    """The line of ``[table]`` (quoted parts allowed), or None."""
    for number, line in enumerate(lines, 1):
        match = _TOML_HEADER.match(line.strip())
        if match and _table_name(match.group(1)) == table:
            return number
    return None


def toml_key_line(lines: list[str], table: str, key: str) -> int | None:
    """The line of ``key = ...`` directly inside ``[table]``, or None."""
    start = toml_header_line(lines, table)
    if start is None:
        return None
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number in range(start + 1, len(lines) + 1):
        line = lines[number - 1]
        if _TOML_HEADER.match(line.strip()):
            return None
        if pattern.match(line):
            return number
    return None


# --------------------------------------------------------------------------------------
# requirements*.txt

_REQUIREMENT_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._\-]*)")


@dataclass(frozen=True, slots=True)
class Requirement:
    line: int
    name: str  # normalised: lower case, "_" and "." as "-"
    pinned: bool  # an exact version (``==1.2.3`` / ``===``), as a lock would have


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(lines: list[str]) -> list[Requirement]:
    """The requirement lines of a pip requirements file. Options (``-r``, ``-c``,
    ``--hash``, ``-e``), comments and continuation lines are skipped; a direct URL
    reference counts as neither pinned nor loose and is left out."""
    found = []
    continued = False
    for number, raw in enumerate(lines, 1):
        line = raw.split(" #", 1)[0].strip()
        was_continued, continued = continued, line.endswith("\\")
        line = line.rstrip("\\").strip()
        if was_continued or not line or line.startswith(("#", "-")):
            continue
        match = _REQUIREMENT_NAME.match(line)
        if not match or "://" in line or " @ " in line:
            continue
        spec = line[match.end() :].split(";", 1)[0]
        exact = re.search(r"===?\s*([^\s,]+)", spec)
        pinned = bool(exact) and "*" not in (exact.group(1) if exact else "") and "," not in spec
        found.append(Requirement(number, normalise(match.group(1).split("[", 1)[0]), pinned))
    return found


def requirement_names(specs: Any) -> set[str]:
    """Names in a list of PEP 508 strings (or a table keyed by name, as Poetry and Pipfile
    write them); anything else gives nothing."""
    names: set[str] = set()
    if isinstance(specs, dict):
        return {normalise(str(k)) for k in specs}
    if isinstance(specs, list):
        for spec in specs:
            if isinstance(spec, str):
                match = _REQUIREMENT_NAME.match(spec.strip())
                if match:
                    names.add(normalise(match.group(1)))
    return names


# --------------------------------------------------------------------------------------
# dotenv

_DOTENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(.*)$")


@dataclass(frozen=True, slots=True)
class EnvEntry:
    line: int
    key: str
    value: str


def dotenv_entries(lines: list[str]) -> list[EnvEntry]:
    """``KEY=value`` lines (``export`` allowed); quotes are removed, and so is a trailing
    `` # comment`` after an unquoted value, as python-dotenv reads them. Multi-line
    quoted values keep their first line only (enough to tell empty from set)."""
    found = []
    for number, raw in enumerate(lines, 1):
        match = _DOTENV_LINE.match(raw)
        if not match or raw.lstrip().startswith("#"):
            continue
        value = match.group(2).strip()
        if value[:1] in {"'", '"'}:
            quote = value[0]
            end = value.find(quote, 1)
            value = value[1:end] if end > 0 else value[1:]
        else:
            value = re.split(r"\s+#", value, maxsplit=1)[0].strip()
        found.append(EnvEntry(number, match.group(1), value))
    return found


# --------------------------------------------------------------------------------------
# Dockerfile

_DIRECTIVE = re.compile(r"^#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$")
_HEREDOC = re.compile(r"<<(-?)\s*[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?")


@dataclass(frozen=True, slots=True)
class Instruction:
    line: int  # where the instruction starts
    keyword: str  # upper case: FROM, USER, RUN, ...
    args: str  # the rest, continuation lines joined with a space


def dockerfile_instructions(lines: list[str]) -> list[Instruction]:
    """The instructions of a Dockerfile: comments dropped, line continuations joined (the
    ``# escape=`` parser directive is honoured), here-documents skipped so a line in an
    embedded script is never taken for an instruction."""
    escape = "\\"
    for raw in lines:
        directive = _DIRECTIVE.match(raw.strip())
        if not directive:
            break
        if directive.group(1).lower() == "escape" and directive.group(2) in {"\\", "`"}:
            escape = directive.group(2)
    found: list[Instruction] = []
    index = 0
    while index < len(lines):
        start = index + 1
        text = lines[index].strip()
        index += 1
        if not text or text.startswith("#"):
            continue
        parts = [text]
        while parts[-1].endswith(escape) and index < len(lines):
            parts[-1] = parts[-1][: -len(escape)].rstrip()
            following = lines[index].strip()
            index += 1
            if following and not following.startswith("#"):
                parts.append(following)
        keyword, _, args = " ".join(parts).partition(" ")
        keyword = keyword.upper()
        if keyword in {"RUN", "COPY", "ADD"}:
            for strip_tabs, delimiter in _HEREDOC.findall(args):
                while index < len(lines):
                    body = lines[index].lstrip("\t") if strip_tabs else lines[index]
                    index += 1
                    if body.rstrip() == delimiter:
                        break
        found.append(Instruction(start, keyword, args.strip()))
    return found
