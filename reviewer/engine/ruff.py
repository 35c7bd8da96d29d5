"""Run ruff once over the reviewed files and turn its JSON into our findings.

ruff runs ``--isolated`` (the scanned repository's ruff configuration cannot change what
we report) with our own ``--select`` (``ruff_codes.RUFF_CODES``). Findings keep ruff's
code as ``ruff:CODE``. A missing or failing ruff binary gives a Note, never a crash.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

from reviewer.engine.registry import agent_for
from reviewer.engine.ruff_codes import lookup, ruff_selection
from reviewer.engine.types import Issue, Note

RUFF_PREFIX = "ruff:"
#: Paths per ruff invocation (keeps the command line well under the OS limit).
CHUNK = 2000
TIMEOUT_SECONDS = 600


def ruff_binary() -> str | None:
    """The first ``ruff`` on ``PATH`` (under ``uv run``, the project's pinned one), else
    the one installed with the ``ruff`` package."""
    found = shutil.which("ruff")
    if found:
        return found
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


class RuffRun:
    """ruff started on ``paths`` (POSIX, relative to ``root``) in the background; its JSON
    goes to a temporary file (a pipe would fill up and stall it), read by :meth:`finish`."""

    def __init__(self, root: Path, paths: Sequence[str]) -> None:
        self.root = root
        self.notes: list[Note] = []
        # Files ruff did not check to the end, with why (see ReviewResult.incomplete).
        self.failed: dict[str, str] = {}
        self._runs: list[tuple[subprocess.Popen[bytes], IO[bytes], list[str]]] = []
        if not paths:
            return
        binary = ruff_binary()
        if binary is None:
            self.notes.append(Note(".", "ruff is not installed: its checks were not run"))
            self._fail(paths, "ruff is not installed")
            return
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
            output = tempfile.TemporaryFile()  # noqa: SIM115 - closed in finish()
            try:
                process = subprocess.Popen(
                    command, cwd=root, stdout=output, stderr=subprocess.DEVNULL
                )
            except OSError as exc:
                output.close()
                self.notes.append(
                    Note(".", f"ruff failed ({type(exc).__name__}); its checks were skipped")
                )
                self._fail(chunk, f"ruff could not start ({type(exc).__name__})")
                continue
            self._runs.append((process, output, chunk))

    def _fail(self, paths: Sequence[str], why: str) -> None:
        for rel in paths:
            self.failed.setdefault(rel, why)

    def finish_in_background(self) -> Callable[[], tuple[list[Issue], list[Note]]]:
        """Wait for ruff and read its JSON in a thread (the caller's process is free while
        its worker processes run the rules); returns what gives :meth:`finish`'s result."""
        box: list[tuple[list[Issue], list[Note]]] = []
        paths = [rel for _, _, chunk in self._runs for rel in chunk]

        def work() -> None:
            try:
                box.append(self.finish())
            except Exception as exc:  # never lose the review over ruff
                self._fail(paths, f"ruff failed ({type(exc).__name__})")
                box.append(([], [Note(".", f"ruff failed ({type(exc).__name__})")]))

        thread = threading.Thread(target=work, name="ruff-reader", daemon=True)
        thread.start()

        def result() -> tuple[list[Issue], list[Note]]:
            thread.join()
            return box[0]

        return result

    def finish(self) -> tuple[list[Issue], list[Note]]:
        """Wait for ruff; its findings and Notes for whatever went wrong."""
        issues: list[Issue] = []
        notes = list(self.notes)
        root_prefix = str(self.root.resolve()) + os.sep
        for process, output, chunk in self._runs:
            with output:
                # A blocking wait with a watchdog: ``wait(timeout=)`` polls with growing
                # sleeps and would notice the end of a 30 ms ruff run up to 25 ms late.
                expired = threading.Event()

                def expire(
                    process: subprocess.Popen[bytes] = process, expired: threading.Event = expired
                ) -> None:
                    expired.set()
                    process.kill()

                watchdog = threading.Timer(TIMEOUT_SECONDS, expire)
                watchdog.start()
                try:
                    process.wait()
                finally:
                    watchdog.cancel()
                if expired.is_set():
                    notes.append(Note(".", "ruff took too long; its checks were skipped"))
                    self._fail(chunk, f"ruff took longer than {TIMEOUT_SECONDS} s")
                    continue
                if process.returncode not in (0, 1):
                    notes.append(Note(".", f"ruff exited with status {process.returncode}"))
                    self._fail(chunk, f"ruff exited with status {process.returncode}")
                    continue
                output.seek(0)
                try:
                    records = json.loads(output.read() or b"[]")
                except ValueError as exc:
                    notes.append(
                        Note(".", f"ruff failed ({type(exc).__name__}); its checks were skipped")
                    )
                    self._fail(chunk, f"ruff's output was not readable ({type(exc).__name__})")
                    continue
            lines_cache: dict[str, list[str]] = {}
            for record in records:
                issue = _issue(self.root, root_prefix, record, lines_cache)
                if issue is not None:
                    issues.append(issue)
        self._runs = []
        return issues, notes


def _line(root: Path, rel: str, number: int, cache: dict[str, list[str]]) -> str:
    if rel not in cache:
        try:
            cache[rel] = (root / rel).read_text("utf-8", errors="replace").splitlines()
        except OSError:
            cache[rel] = []
    lines = cache[rel]
    return lines[number - 1] if 0 < number <= len(lines) else ""


#: Codes about application code only: scripts, tests and entry points may print.
_APP_ONLY = ("T201",)
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


#: Codes whose finding does not hold when the value is bound to a name on that line:
#: ``task = asyncio.create_task(...)`` keeps the task for the function's whole run
#: (RUF006); ``with pytest.raises(E) as caught:`` is there to inspect ``caught`` (PT011).
_KEPT_WHEN_BOUND = {
    "RUF006": re.compile(
        r"^\s*[A-Za-z_]\w*\s*(?::[^=]+)?=\s*(?:await\s+)?asyncio\.(?:create_task|ensure_future)\("
    ),
    "PT011": re.compile(r"\braises\(.*\)\s+as\s+[A-Za-z_]\w*\s*:"),
}


def _issue(
    root: Path, root_prefix: str, record: dict[str, object], cache: dict[str, list[str]]
) -> Issue | None:
    code = record.get("code")
    if not isinstance(code, str) or not code:
        return None  # a syntax error: PARSE001 reports it
    meta = lookup(code)
    if meta is None:
        return None
    filename = str(record.get("filename", ""))
    if not filename.startswith(root_prefix):
        # ruff reports absolute paths under the root as given; anything else is resolved
        try:
            rel = Path(filename).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return None
    else:
        rel = filename[len(root_prefix) :].replace(os.sep, "/")
    if code.startswith(_APP_ONLY) and not _application_code(rel):
        return None
    location = record.get("location")
    line = int(location.get("row", 1)) if isinstance(location, dict) else 1
    column = int(location.get("column", 1)) - 1 if isinstance(location, dict) else 0
    if code in _KEPT_WHEN_BOUND and _KEPT_WHEN_BOUND[code].search(_line(root, rel, line, cache)):
        return None
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
