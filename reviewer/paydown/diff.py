"""Git-style unified diffs (``a/`` and ``b/`` paths) that ``git apply`` accepts."""

from __future__ import annotations

import difflib

NO_NEWLINE = "\\ No newline at end of file\n"


def file_diff(path: str, before: str, after: str, context: int = 3) -> str:
    if before == after:
        return ""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
        n=context,
    )
    out = [f"diff --git a/{path} b/{path}\n"]
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:  # the last line of a file without a final newline
            out.append(line + "\n" + NO_NEWLINE)
    return "".join(out)


def patch_text(changes: list[tuple[str, str, str]]) -> str:
    """One patch for ``(path, before, after)`` triples, in path order."""
    return "".join(file_diff(path, before, after) for path, before, after in sorted(changes))
