"""Which major version of a library a reviewed project runs on, from its dependency files.

Some rules describe what breaks on a new major version (Pydantic v2: PD002, PD005,
PD006). On a project that pins the old major version nothing breaks today: the finding
would claim a bug that is not there, while the migration debt is already carried by the
modernisation rules (PD001, PD003, PD004, PD007). The evidence is read from the usual
files at the root and one folder down (``backend/requirements.txt``): requirement
specifiers (``pydantic==1.10.7``, ``pydantic<2``, Poetry's ``^1.10``) and lock files
(``uv.lock``, ``poetry.lock``). Any sign of v2 wins over signs of v1, so a project that
is half-way through a migration keeps the findings.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from reviewer.engine.files import SKIP_DIRS, SourceError, read_source

#: Rules about what fails on Pydantic v2: not reported when the project pins v1.
PYDANTIC_V2_BREAKAGE_RULES = frozenset({"PD002", "PD005", "PD006"})

_FILES = re.compile(
    r"^(requirements[\w.\-]*\.(txt|in)|constraints[\w.\-]*\.txt|pyproject\.toml|uv\.lock|"
    r"poetry\.lock|Pipfile|Pipfile\.lock|setup\.cfg|setup\.py)$"
)
_MAX_BYTES = 2_000_000
# ``pydantic==1.10.7``, ``pydantic[email]>=1.8,<2.0``, ``"pydantic~=1.10"``
_SPECIFIER = re.compile(
    r"""(?<![\w.\-])pydantic(?:\[[^\]]*\])?\s*(?P<spec>(?:[=<>!~]=?=?\s*[\w.*]+\s*,?\s*)+)""",
    re.I,
)
# Poetry / Pipfile tables: ``pydantic = "^1.10"`` or ``pydantic = {version = "^1.10", ...}``
_TABLE = re.compile(
    r"""^\s*["']?pydantic["']?\s*=\s*(?:\{[^}]*version\s*=\s*)?["'](?P<spec>[^"']+)["']""",
    re.I | re.M,
)
# Lock files: ``name = "pydantic"`` followed by ``version = "1.10.7"``
_LOCKED = re.compile(r'name\s*=\s*"pydantic"\s*\n\s*version\s*=\s*"(?P<version>[\d.]+)', re.I)


def _majors(spec: str) -> set[int]:
    """The major versions a specifier allows, as far as it tells (empty: no bound)."""
    found: set[int] = set()
    for op, version in re.findall(r"(===?|~=|\^|~|<=?|>=?|!=)?\s*v?(\d+)(?:\.[\d*]+)*", spec):
        major = int(version)
        if op in ("==", "===", "~=", "^", "~", ""):
            found.add(major)
        elif op == "<":
            found.add(major - 1)
        elif op == "<=":
            found.add(major)
    return found


def _evidence(text: str) -> set[int]:
    majors: set[int] = set()
    for match in _LOCKED.finditer(text):
        majors.add(int(match.group("version").split(".", 1)[0]))
    for match in _SPECIFIER.finditer(text):
        majors |= _majors(match.group("spec"))
    for match in _TABLE.finditer(text):
        majors |= _majors(match.group("spec"))
    return majors


def _candidates(root: Path) -> list[str]:
    found: list[str] = []
    folders = [("", root)]
    try:
        for entry in os.scandir(root):
            if entry.is_dir(follow_symlinks=False) and entry.name not in SKIP_DIRS:
                folders.append((entry.name + "/", Path(entry.path)))
    except OSError:
        return found
    for prefix, folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_file(follow_symlinks=False) and _FILES.match(entry.name):
                found.append(prefix + entry.name)
    return sorted(found)


def pydantic_v1_only(root: Path) -> bool:
    """Whether the project's dependency files pin Pydantic 1.x and nothing says 2.x."""
    majors: set[int] = set()
    for rel in _candidates(root):
        try:
            text = read_source(root, rel, _MAX_BYTES)
        except SourceError:
            continue
        if "pydantic" in text.lower():
            majors |= _evidence(text)
    return majors == {1}
