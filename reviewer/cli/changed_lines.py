"""``--diff REF``: keep only the findings on lines changed since the merge base of REF and
HEAD. Which lines changed is asked of git through the hardened git layer
(:mod:`reviewer.git.worktree`); this module is imported only when ``--diff`` is given, so
the one-file path (pre-commit) never imports GitPython.
"""

from __future__ import annotations

from reviewer.engine.types import ReviewResult
from reviewer.git.worktree import ChangedLines, DiffError, changed_since

__all__ = ["ChangedLines", "DiffError", "changed_since", "only_changed"]


def only_changed(result: ReviewResult, changed: ChangedLines) -> ReviewResult:
    """``result`` with only the findings on changed lines (and notes of changed files)."""
    return ReviewResult(
        issues=[i for i in result.issues if (i.path, i.line) in changed],
        notes=[n for n in result.notes if n.path == "." or changed.touches(n.path)],
        files_reviewed=result.files_reviewed,
        unreadable=list(result.unreadable),
        stats={**result.stats, "diff_base": changed.base},
    )
