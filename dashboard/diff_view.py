"""A unified diff as highlighted lines for a template.

Pygments' diff lexer classifies each line (added, removed, hunk header, file header);
the template writes every line with Django's autoescaping, so repository content is
never trusted as HTML. Class names are Pygments' short ones (``gi``, ``gd``, ``gu``,
``gh``), styled by the shared ``pygments.css``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pygments import lex
from pygments.lexers import DiffLexer
from pygments.token import STANDARD_TYPES

MAX_LINES = 5000


@dataclass(frozen=True)
class DiffLine:
    css: str
    text: str


def diff_lines(diff: str, limit: int = MAX_LINES) -> tuple[list[DiffLine], int]:
    """The first ``limit`` lines of ``diff`` with their classes, and how many were cut."""
    lines: list[DiffLine] = []
    current: list[str] = []
    css = ""
    total = diff.count("\n") + (0 if diff.endswith("\n") or not diff else 1)
    for token, value in lex(diff, DiffLexer()):
        for piece in value.splitlines(keepends=True):
            current.append(piece)
            css = css or STANDARD_TYPES.get(token, "")
            if piece.endswith("\n"):
                lines.append(DiffLine(css, "".join(current).rstrip("\r\n")))
                current, css = [], ""
                if len(lines) >= limit:
                    return lines, total - len(lines)
    if current:
        lines.append(DiffLine(css, "".join(current)))
    return lines, max(total - len(lines), 0)
