"""Our metadata for the ruff rules the engine reuses (checklist rows marked ``ruff``).

Findings from ruff keep its code as ``ruff:CODE``; this table gives each code (or code
prefix) the checklist row it stands for, a category, a severity with the reason for it
(docs/severity.md), a precision figure and the profile that follows from it (below 0.8:
"extended" only), and a debt kind.

Left out on purpose (one finding per problem, docs/severity.md):

* ``S105``/``S106``/``S107`` (hard-coded passwords): CQ004 covers them with placeholder,
  mask (``"******"``) and test-code knowledge, so ruff's versions are not run.
* ``S608`` (SQL built from strings): SA007 covers it and knows bound parameters.
* ``S324`` (weak hashes): CQ005 covers it where it matters (passwords).
* ``ASYNC230``/``ASYNC251`` (open, time.sleep in async code): AS001 covers them with
  its cost model (``sleep(0)`` is not blocking, a local ``open()`` is Important).
* ``ANN*`` (per-function annotations): a finding per function floods the dashboard; the
  review's stats carry typing coverage as one number instead (``stats["typing_*"]``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

from reviewer.engine.measured import measured
from reviewer.engine.rule_policy import DEFAULT_PROFILE_MIN_PRECISION
from reviewer.engine.types import SeverityCode


@dataclass(frozen=True, slots=True)
class RuffCode:
    checklist: str  # the checklist row it stands for
    title: str
    severity: SeverityCode
    category: str
    debt_kind: str = ""
    debt_minutes: int = 0
    confidence: int = 90
    reason: str = ""  # why this severity (docs/severity.md)
    precision: float | None = None  # share of true findings on real code
    precision_measured: bool = False  # False: our estimate until labels exist
    run: bool = True  # False: documented (old findings keep a page) but not selected

    @property
    def profile(self) -> str:
        """The profile: "extended" when the precision is below the default's bar."""
        if self.precision is not None and self.precision < DEFAULT_PROFILE_MIN_PRECISION:
            return "extended"
        return "default"


_BLOCKING = "AS001"
_ASYNC_HYGIENE = "AS006"
_REAL_BLOCKING = (
    "Critical: blocks the event loop for as long as the network, the child process or the "
    "sleep takes, which stalls every request the process serves (in production code)."
)
_NOT_BLOCKING = "does not block the event loop; "

#: Longest matching prefix wins. This is also our ``--select`` for ruff.
RUFF_CODES: dict[str, RuffCode] = {
    "FAST001": RuffCode(
        "FA009",
        "Redundant response_model on a route",
        "suggestion",
        "fastapi",
        reason="Suggestion: style; the route behaves the same.",
        precision=0.9,
    ),
    "FAST002": RuffCode(
        "FA008",
        "Dependency not declared with Annotated[..., Depends()]",
        "suggestion",
        "fastapi",
        "fastapi",
        5,
        reason="Suggestion: modernisation; the dependency works either way.",
        precision=0.9,
    ),
    "FAST003": RuffCode(
        "FA009",
        "Path parameter not used by the route",
        "important",
        "fastapi",
        reason="Important: a path parameter the handler never receives is a likely bug.",
        precision=0.85,
    ),
    "RUF006": RuffCode(
        "AS005",
        "Task created and not kept",
        "important",
        "asyncio",
        reason="Important: the event loop keeps only a weak reference; the task can vanish "
        "mid-way (a likely bug, not certain data loss).",
        precision=0.85,
    ),
    # Real blocking calls: the network, child processes, sleeps.
    "ASYNC210": RuffCode(
        _BLOCKING,
        "Blocking HTTP call inside async def",
        "critical",
        "asyncio",
        reason=_REAL_BLOCKING,
        precision=0.9,
    ),
    "ASYNC212": RuffCode(
        _BLOCKING,
        "Blocking httpx call inside async def",
        "critical",
        "asyncio",
        reason=_REAL_BLOCKING,
        precision=0.9,
    ),
    "ASYNC220": RuffCode(
        _BLOCKING,
        "Subprocess started inside async def",
        "critical",
        "asyncio",
        reason=_REAL_BLOCKING,
        precision=0.85,
    ),
    "ASYNC221": RuffCode(
        _BLOCKING,
        "Subprocess run inside async def",
        "critical",
        "asyncio",
        reason=_REAL_BLOCKING,
        precision=0.85,
    ),
    "ASYNC222": RuffCode(
        _BLOCKING,
        "Waiting for a process inside async def",
        "critical",
        "asyncio",
        reason=_REAL_BLOCKING,
        precision=0.85,
    ),
    "ASYNC251": RuffCode(
        _BLOCKING,
        "time.sleep() inside async def",
        "critical",
        "asyncio",
        reason=_REAL_BLOCKING + " Not run: AS001 is the one finding (it skips sleep(0)).",
        precision=0.9,
        run=False,
    ),
    # Short local I/O: real, but usually milliseconds.
    "ASYNC230": RuffCode(
        _BLOCKING,
        "File opened synchronously inside async def",
        "important",
        "asyncio",
        reason="Important: a local file read or write blocks the loop only briefly unless "
        "the file is large; a real cost on a busy request path, rarely an outage. Not run: "
        "AS001 is the one finding.",
        precision=0.8,
        run=False,
    ),
    "ASYNC250": RuffCode(
        _BLOCKING,
        "input() inside async def",
        "important",
        "asyncio",
        reason="Important: waits for a terminal; a likely bug in server code. Extended "
        "profile only: on real code it fires almost only in interactive command-line "
        "clients and example scripts, where waiting for the user is the point (0 true of "
        "6 labeled)",
        precision=0.0,
    ),
    # Trivial syscalls (Path.resolve, os.path.exists): microseconds.
    "ASYNC240": RuffCode(
        _BLOCKING,
        "os.path / pathlib call inside async def",
        "suggestion",
        "asyncio",
        reason="Suggestion: stat-like calls (resolve, exists, is_file) are microseconds on a "
        "local disk; " + _NOT_BLOCKING + "kept for network file systems.",
        precision=0.3,
    ),
    # Not blocking calls at all: timeouts, polling, checkpoints.
    "ASYNC100": RuffCode(
        _ASYNC_HYGIENE,
        "Timeout scope with no await inside",
        "important",
        "asyncio",
        reason="Important: a timeout around code that never yields cannot fire (a likely bug).",
        precision=0.8,
    ),
    "ASYNC105": RuffCode(
        _ASYNC_HYGIENE,
        "trio async function called without await",
        "important",
        "asyncio",
        reason="Important: the call does nothing without await (a likely bug).",
        precision=0.9,
    ),
    "ASYNC109": RuffCode(
        _ASYNC_HYGIENE,
        "Async function takes a timeout parameter",
        "suggestion",
        "asyncio",
        reason="Suggestion: " + _NOT_BLOCKING + "style advice (let callers use asyncio.timeout()).",
        precision=0.4,
    ),
    "ASYNC110": RuffCode(
        _ASYNC_HYGIENE,
        "Polling loop around an async sleep",
        "suggestion",
        "asyncio",
        reason="Suggestion: " + _NOT_BLOCKING + "an Event would be cleaner than polling.",
        precision=0.5,
    ),
    "ASYNC115": RuffCode(
        _ASYNC_HYGIENE,
        "sleep(0) instead of a checkpoint",
        "suggestion",
        "asyncio",
        reason="Suggestion: " + _NOT_BLOCKING + "anyio/trio style only.",
        precision=0.3,
    ),
    "ASYNC116": RuffCode(
        _ASYNC_HYGIENE,
        "Very long sleep instead of sleeping forever",
        "suggestion",
        "asyncio",
        reason="Suggestion: " + _NOT_BLOCKING + "style.",
        precision=0.5,
    ),
    "E722": RuffCode(
        "CQ001",
        "Bare except",
        "important",
        "quality",
        reason="Important: also catches KeyboardInterrupt, SystemExit and task cancellation "
        "(a likely bug in async code).",
        precision=0.85,
    ),
    "BLE001": RuffCode(
        "CQ001",
        "Blind except Exception",
        "suggestion",
        "quality",
        reason="Suggestion: catching Exception at a boundary (a worker loop, a top-level "
        "handler) is usually deliberate; the finding is advice to narrow it.",
        precision=0.5,
    ),
    "S110": RuffCode(
        "CQ001",
        "Exception swallowed with pass",
        "suggestion",
        "quality",
        reason="Suggestion: often a deliberate optional step (a logger that may be missing, "
        "a best-effort cleanup); worth a look, rarely a bug.",
        precision=0.5,
    ),
    "T201": RuffCode(
        "CQ006",
        "print() in application code",
        "suggestion",
        "quality",
        reason="Suggestion: style (structured logging).",
        precision=0.8,
    ),
    "G004": RuffCode(
        "CQ006",
        "f-string in a logging call",
        "suggestion",
        "quality",
        reason="Suggestion: style (the message is formatted even when not logged).",
        precision=0.8,
    ),
    "TID252": RuffCode(
        "PR003",
        "Relative import",
        "suggestion",
        "project",
        reason="Suggestion: style.",
        precision=0.9,
    ),
    "PT028": RuffCode(
        "PT006",
        "Default value on a test function parameter",
        "suggestion",
        "tests",
        reason="Suggestion: test style. Extended profile only: ruff cannot tell a test from "
        "a production function named test_* (an API route such as `test_mcp_server`), "
        "which is where it fired on real code (0 true of 8 labeled)",
        precision=0.0,
    ),
    "PT": RuffCode(
        "PT006",
        "pytest style",
        "suggestion",
        "tests",
        reason="Suggestion: test style.",
        precision=0.8,
    ),
}


def ruff_selection() -> list[str]:
    return sorted(code for code, meta in RUFF_CODES.items() if meta.run)


@functools.lru_cache(maxsize=512)
def lookup(code: str) -> RuffCode | None:
    """Our metadata for a ruff code (the longest matching prefix), with the precision
    measured for that exact code (reviewer/engine/measured.py) when there is one."""
    code = code.upper()
    for length in range(len(code), 0, -1):
        found = RUFF_CODES.get(code[:length])
        if found is not None:
            figure = measured("ruff:" + code)
            if figure is not None:
                found = replace(found, precision=figure[0], precision_measured=True)
            return found
    return None
