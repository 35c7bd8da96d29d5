"""The code around each finding, cut from the reviewed tree when the finding is written.

Pages show this stored excerpt and never read a worker's clone (a web server has none).
The excerpt is one of the fields a scan compares before writing a finding, so it is
rewritten only when the code around the finding changed.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from reviewer.engine.files import SourceError, check_relative
from reviewer.models import Finding

#: Lines kept on each side of the flagged line.
EXCERPT_LINES = 8
#: A longer line is cut (minified or generated code would make the excerpt huge).
MAX_LINE_CHARS = 500

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


class Excerpts:
    """Excerpts from one reviewed tree; each file is read at most once."""

    def __init__(self, root: Path | None, max_bytes: int) -> None:
        self.root, self.max_bytes = root, max_bytes
        self._lines: dict[str, list[str] | None] = {}

    def around(self, path: str, line: int) -> tuple[int, str]:
        """``(first line number, text)`` of the lines around ``line`` of ``path``, or
        ``(0, "")`` when the file cannot be read (the page then says so)."""
        lines = self._file(path)
        if not lines or line < 1:
            return 0, ""
        start = max(1, line - EXCERPT_LINES)
        end = min(len(lines), line + EXCERPT_LINES)
        if start > end:
            return 0, ""
        return start, "\n".join(text[:MAX_LINE_CHARS] for text in lines[start - 1 : end])

    def fill(self, finding: Finding) -> None:
        finding.excerpt_start, finding.excerpt = self.around(finding.path, finding.line)

    def _file(self, path: str) -> list[str] | None:
        if path not in self._lines:
            self._lines[path] = self._read(path)
        return self._lines[path]

    def _read(self, path: str) -> list[str] | None:
        """A regular file inside the tree (no symbolic links), split at newlines only as
        git and editors count lines (a form feed or U+2028 is not a line break)."""
        if self.root is None:
            return None
        try:
            rel = check_relative(self.root, path)
        except SourceError:
            return None
        full = self.root / rel
        try:
            info = os.lstat(full)
            if not stat.S_ISREG(info.st_mode) or info.st_size > self.max_bytes:
                return None
            with os.fdopen(os.open(full, _OPEN_FLAGS), "rb") as handle:
                data = handle.read(self.max_bytes + 1)
        except OSError:
            return None
        if len(data) > self.max_bytes or b"\0" in data:
            return None
        text = data.decode("utf-8", "replace").removeprefix("\ufeff")
        lines = [line.removesuffix("\r") for line in text.split("\n")]
        if lines and not lines[-1]:
            lines.pop()  # the newline that ends the last line starts no line
        return lines
