"""Check a finding the model reported against the checkout before anything is stored.

The path must be one of the files under review (inside the checkout: no ``..``, absolute
path, NUL or link), the line must exist and show the quoted code after white-space
normalisation. A wrong line number is corrected by searching nearby, then the whole file
(the nearest match wins). Anything else is rejected with a reason. Django-free.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from reviewer.agents.tools import Checkout, ReportedFinding, ToolError, lines_of
from reviewer.engine.types import normalise_line

NEARBY_LINES = 10
#: A quote shorter than this must match the whole line; a longer one may be part of it.
MIN_PARTIAL_QUOTE = 12


@dataclass(frozen=True)
class Verified:
    finding: ReportedFinding
    path: str
    line: int
    snippet: str
    moved_from: int | None = None


@dataclass(frozen=True)
class Rejected:
    finding: ReportedFinding
    reason: str


def quote_of(code: str) -> str:
    """The first non-blank line of the quote, normalised."""
    for line in lines_of(code):
        if line.strip():
            return normalise_line(line)
    return ""


def _matches(quote: str, line: str) -> bool:
    text = normalise_line(line)
    if not text:
        return False
    return text == quote or (len(quote) >= MIN_PARTIAL_QUOTE and quote in text)


def verify(
    finding: ReportedFinding,
    checkout: Checkout,
    allowed: Collection[str],
    texts: Mapping[str, str] | None = None,
) -> Verified | Rejected:
    """Verify one reported finding. ``allowed`` are the paths under review; ``texts`` may
    hold their contents already read."""
    try:
        path = checkout.clean(finding.path.removeprefix("./"))
    except ToolError as exc:
        return Rejected(finding, f"bad path: {exc}")
    if path not in allowed:
        return Rejected(finding, "path is not one of the files under review")
    try:
        text = texts[path] if texts and path in texts else checkout.read_text(path)
    except ToolError as exc:
        return Rejected(finding, str(exc))
    quote = quote_of(finding.code)
    if not quote:
        return Rejected(finding, "no code quoted")
    lines = lines_of(text)
    found = locate(lines, finding.line, quote)
    if found is None:
        return Rejected(finding, "quoted code not found in the file")
    return Verified(
        finding,
        path,
        found,
        lines[found - 1].strip()[:1000],
        moved_from=None if found == finding.line else finding.line,
    )


def locate(lines: list[str], line: int, quote: str) -> int | None:
    """The 1-based line showing ``quote``: the given one, else the nearest one."""
    if 1 <= line <= len(lines) and _matches(quote, lines[line - 1]):
        return line
    for distance in range(1, NEARBY_LINES + 1):
        for candidate in (line - distance, line + distance):
            if 1 <= candidate <= len(lines) and _matches(quote, lines[candidate - 1]):
                return candidate
    hits = [n for n, text in enumerate(lines, start=1) if _matches(quote, text)]
    if not hits:
        return None
    return min(hits, key=lambda n: abs(n - line))
