"""Positions and edits on source text.

``ast`` reports columns in UTF-8 bytes; edits are made on the text in characters. Small
renames (a method or keyword name) are made directly on the text at the position
``ast`` gives, which keeps every other character of the file as it was.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TextEdit:
    start: int  # character offsets in the whole text
    end: int
    replacement: str


class SourceText:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.starts: list[int] = []
        offset = 0
        for line in self.lines:
            self.starts.append(offset)
            offset += len(line)
        self.starts.append(offset)

    def offset(self, line: int, byte_col: int) -> int:
        """Character offset of ``ast``'s (1-based line, byte column)."""
        if line > len(self.lines):
            return len(self.text)
        text = self.lines[line - 1]
        column = len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))
        return self.starts[line - 1] + column

    def char_col(self, line: int, byte_col: int) -> int:
        return self.offset(line, byte_col) - self.starts[line - 1]

    @property
    def newline(self) -> str:
        first = self.lines[0] if self.lines else "\n"
        return "\r\n" if first.endswith("\r\n") else "\n"


def apply_edits(text: str, edits: list[TextEdit]) -> str:
    """Apply non-overlapping edits (overlapping ones after the first are dropped)."""
    out: list[str] = []
    position = len(text)
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        if edit.end > position:
            continue
        out.append(text[edit.end : position])
        out.append(edit.replacement)
        position = edit.start
    out.append(text[:position])
    return "".join(reversed(out))
