"""``--diff REF``: which lines changed since the merge base of REF and HEAD.

Plain ``git`` in a subprocess (the user's own checkout, read only): ``git merge-base``,
then ``git diff --unified=0`` from that commit to the working tree, plus the untracked
files (all their lines are new). External diff drivers and text conversion filters are
switched off so a repository's configuration cannot run a program through us.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.engine.types import Issue, Note, ReviewResult

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_GIT_TIMEOUT = 60
#: git options that keep the user's configuration from running programs or recolouring.
_SAFE = ("-c", "core.quotePath=false", "-c", "color.ui=false", "-c", "core.fsmonitor=false")


class DiffError(Exception):
    """REF is unknown, or the path is not inside a git work tree."""


@dataclass(slots=True)
class ChangedLines:
    base: str  # the merge-base commit
    lines: dict[str, set[int]] = field(default_factory=dict)  # path -> changed new lines
    whole: set[str] = field(default_factory=set)  # untracked files: every line is new

    def __contains__(self, where: tuple[str, int]) -> bool:
        path, line = where
        return path in self.whole or line in self.lines.get(path, ())

    def touches(self, path: str) -> bool:
        return path in self.whole or path in self.lines


def _git(root: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", *_SAFE, *args],
            cwd=root,
            capture_output=True,
            timeout=_GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError as exc:
        raise DiffError("git is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise DiffError(f"git {args[0]} took longer than {_GIT_TIMEOUT} s") from exc
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DiffError(f"git {args[0]} failed: {reason[-1] if reason else done.returncode}")
    return done.stdout


def _unquote(name: bytes) -> str:
    """A path as git prints it in a diff header (C-quoted when it has odd characters)."""
    if name.startswith(b'"') and name.endswith(b'"'):
        name = name[1:-1].decode("unicode_escape").encode("latin-1")
    return name.decode("utf-8", "surrogateescape")


def parse_diff(text: bytes) -> dict[str, set[int]]:
    """Changed line numbers (new side) per path from ``git diff --unified=0`` output."""
    lines: dict[str, set[int]] = {}
    current: set[int] | None = None
    for raw in text.splitlines():
        if raw.startswith(b"+++ "):
            target = raw[4:]
            if target == b"/dev/null":
                current = None  # a deleted file has no new lines
                continue
            name = _unquote(target)
            current = lines.setdefault(name.removeprefix("b/"), set())
        elif raw.startswith(b"@@") and current is not None:
            hunk = _HUNK.match(raw)
            if hunk:
                start = int(hunk.group(1))
                count = int(hunk.group(2)) if hunk.group(2) is not None else 1
                current.update(range(start, start + count))
    return {path: found for path, found in lines.items() if found}


def changed_since(root: Path, ref: str) -> ChangedLines:
    """Lines under ``root`` (paths relative to it) changed since merge-base(REF, HEAD)."""
    if ref.startswith("-"):
        raise DiffError(f"{ref!r} is not a git revision")
    base = _git(root, "merge-base", ref, "HEAD").decode().strip()
    diff = _git(
        root,
        "diff",
        "--unified=0",
        "--no-ext-diff",
        "--no-textconv",
        "--no-color",
        "--relative",
        "-M",
        base,
        "--",
        ".",
    )
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z", "--", ".")
    whole = {name.decode("utf-8", "surrogateescape") for name in untracked.split(b"\0") if name}
    return ChangedLines(base=base, lines=parse_diff(diff), whole=whole)


def only_changed(result: ReviewResult, changed: ChangedLines) -> ReviewResult:
    """``result`` with only the findings on changed lines (and notes of changed files)."""
    issues: Sequence[Issue] = [i for i in result.issues if (i.path, i.line) in changed]
    notes: Sequence[Note] = [n for n in result.notes if n.path == "." or changed.touches(n.path)]
    return ReviewResult(
        issues=list(issues),
        notes=list(notes),
        files_reviewed=result.files_reviewed,
        unreadable=list(result.unreadable),
        stats={**result.stats, "diff_base": changed.base},
    )
