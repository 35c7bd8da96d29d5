"""Run ruff once over the reviewed files and turn its JSON into our findings.

ruff runs ``--isolated`` (the scanned repository's ruff configuration cannot change what
we report) with our own ``--select`` (``ruff_codes.RUFF_CODES``). Findings keep ruff's
code as ``ruff:CODE``. A missing or failing ruff binary gives a Note, never a crash.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from pathlib import Path

from reviewer.engine.registry import agent_for
from reviewer.engine.ruff_codes import lookup, ruff_selection
from reviewer.engine.types import Issue, Note

RUFF_PREFIX = "ruff:"
#: Paths per ruff invocation (keeps the command line well under the OS limit).
CHUNK = 2000
TIMEOUT_SECONDS = 600


def ruff_binary() -> str | None:
    try:
        from ruff.__main__ import find_ruff_bin
    except ImportError:  # pragma: no cover - ruff is a declared dependency
        return None
    try:
        return str(find_ruff_bin())
    except FileNotFoundError:  # pragma: no cover
        return None


def checklist_id(rule_id: str) -> str:
    """The checklist row a ``ruff:CODE`` id stands for (``ruff:ASYNC251`` -> AS001)."""
    meta = lookup(rule_id.removeprefix(RUFF_PREFIX))
    return meta.checklist if meta is not None else rule_id


def run_ruff(root: Path, paths: Sequence[str]) -> tuple[list[Issue], list[Note]]:
    """ruff's findings on ``paths`` (POSIX, relative to ``root``)."""
    if not paths:
        return [], []
    binary = ruff_binary()
    if binary is None:
        return [], [Note(".", "ruff is not installed: its checks were not run")]
    issues: list[Issue] = []
    notes: list[Note] = []
    select = ",".join(ruff_selection())
    for start in range(0, len(paths), CHUNK):
        chunk = list(paths[start : start + CHUNK])
        command = [
            binary,
            "check",
            "--isolated",
            "--no-cache",
            "--exit-zero",
            "--no-fix",
            "--target-version",
            "py312",
            "--output-format",
            "json",
            "--select",
            select,
            "--",
            *chunk,
        ]
        try:
            done = subprocess.run(
                command, cwd=root, capture_output=True, timeout=TIMEOUT_SECONDS, check=False
            )
            records = json.loads(done.stdout or b"[]")
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            notes.append(Note(".", f"ruff failed ({type(exc).__name__}); its checks were skipped"))
            continue
        if done.returncode not in (0, 1):
            notes.append(Note(".", f"ruff exited with status {done.returncode}"))
        lines_cache: dict[str, list[str]] = {}
        for record in records:
            issue = _issue(root, record, lines_cache)
            if issue is not None:
                issues.append(issue)
    return issues, notes


def _line(root: Path, rel: str, number: int, cache: dict[str, list[str]]) -> str:
    if rel not in cache:
        try:
            cache[rel] = (root / rel).read_text("utf-8", errors="replace").splitlines()
        except OSError:
            cache[rel] = []
    lines = cache[rel]
    return lines[number - 1] if 0 < number <= len(lines) else ""


#: Codes about application code only: scripts, tests and entry points may print and go
#: without return annotations.
_APP_ONLY = ("T201", "ANN")
_NOT_APP_DIRS = frozenset({"scripts", "script", "bin", "tests", "test", "examples", "docs"})


def _application_code(rel: str) -> bool:
    parts = rel.split("/")
    name = parts[-1]
    if any(p in _NOT_APP_DIRS for p in parts[:-1]):
        return False
    return not (
        name.startswith("test_")
        or name.endswith("_test.py")
        or name in {"conftest.py", "manage.py", "__main__.py", "setup.py", "noxfile.py"}
    )


def _issue(root: Path, record: dict[str, object], cache: dict[str, list[str]]) -> Issue | None:
    code = record.get("code")
    if not isinstance(code, str) or not code:
        return None  # a syntax error: PARSE001 reports it
    meta = lookup(code)
    if meta is None:
        return None
    filename = Path(str(record.get("filename", "")))
    try:
        rel = filename.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None
    if code.startswith(_APP_ONLY) and not _application_code(rel):
        return None
    location = record.get("location")
    line = int(location.get("row", 1)) if isinstance(location, dict) else 1
    column = int(location.get("column", 1)) - 1 if isinstance(location, dict) else 0
    return Issue(
        rule_id=RUFF_PREFIX + code,
        path=rel,
        line=line,
        column=max(column, 0),
        title=meta.title,
        message=f"{record.get('message', meta.title)} [{meta.checklist}]",
        severity=meta.severity,
        confidence=meta.confidence,
        category=meta.category,
        agent=agent_for(meta.checklist),
        debt_kind=meta.debt_kind,
        debt_minutes=meta.debt_minutes,
        snippet=_line(root, rel, line, cache)[:1000],
    )
