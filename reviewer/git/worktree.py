"""A user's own work tree, read only: the lines changed since a ref (``reviewdeck review
--diff REF``).

``git merge-base REF HEAD``, then ``git diff --unified=0`` from that commit to the work
tree, plus the untracked files (all their lines are new). Every call goes through
:func:`reviewer.git.run.run` (hardened config and environment, deadline, process group),
and the work tree's own configuration cannot run a program through us: external diff
drivers and text conversion are off (``--no-ext-diff --no-textconv``), every filter
driver the repository's config defines is emptied for the call (``git diff`` against the
work tree would run its ``clean`` command), fsmonitor and hooks are off, and no transport
is allowed (a partial clone cannot fetch a missing object through ``core.sshCommand``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.git.errors import RepoError
from reviewer.git.run import LOCAL_COMMAND_TIMEOUT, Deadline, reason, run

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
#: For local reads: no transport at all, plain output, paths as they are.
_LOCAL_ONLY = (
    "-c",
    "protocol.allow=never",
    "-c",
    "protocol.https.allow=never",
    "-c",
    "protocol.ssh.allow=never",
    "-c",
    "protocol.git.allow=never",
    "-c",
    "protocol.file.allow=never",
    "-c",
    "core.sshCommand=false",
    "-c",
    "core.quotePath=false",
    "-c",
    "color.ui=false",
)
_LOCAL_ENV = {"GIT_NO_LAZY_FETCH": "1"}
_FILTER_KEY = re.compile(r"^filter\.(.+)\.[a-z]+$")


class DiffError(RepoError):
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


def _git(root: Path, deadline: Deadline, *args: str, options: tuple[str, ...] = ()) -> bytes:
    done = run(
        [*_LOCAL_ONLY, *options, *args],
        cwd=root,
        deadline=deadline,
        doing=f"running git {args[0]}",
        network=((), _LOCAL_ENV),
    )
    if done.returncode != 0:
        raise DiffError(f"git {args[0]} failed: {reason(done.stderr)}")
    return done.stdout


def _no_filters(root: Path, deadline: Deadline) -> tuple[str, ...]:
    """``-c`` options that empty every filter driver the repository's config defines."""
    done = run(
        [*_LOCAL_ONLY, "config", "-z", "--get-regexp", r"^filter\."],
        cwd=root,
        deadline=deadline,
        doing="reading the filter drivers",
        network=((), _LOCAL_ENV),
    )
    if done.returncode not in (0, 1):  # 1: no such key
        raise DiffError(f"git config failed: {reason(done.stderr)}")
    names = set()
    for entry in done.stdout.split(b"\0"):
        key = entry.split(b"\n", 1)[0].decode("utf-8", "surrogateescape")
        found = _FILTER_KEY.match(key)
        if found:
            names.add(found.group(1))
    options: list[str] = []
    for name in sorted(names):
        if "=" in name or "\n" in name:
            raise DiffError(f"the repository defines a filter driver git cannot override: {name!r}")
        for part in ("clean", "smudge", "process"):
            options += ["-c", f"filter.{name}.{part}="]
        options += ["-c", f"filter.{name}.required=false"]
    return tuple(options)


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


def changed_since(root: Path, ref: str, timeout: float = LOCAL_COMMAND_TIMEOUT) -> ChangedLines:
    """Lines under ``root`` (paths relative to it) changed since merge-base(REF, HEAD)."""
    if not ref or ref.startswith("-") or "\0" in ref:
        raise DiffError(f"{ref!r} is not a git revision")
    deadline = Deadline(timeout)
    base = _git(root, deadline, "merge-base", "--end-of-options", ref, "HEAD").decode().strip()
    diff = _git(
        root,
        deadline,
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
        options=_no_filters(root, deadline),
    )
    untracked = _git(root, deadline, "ls-files", "--others", "--exclude-standard", "-z", "--", ".")
    whole = {name.decode("utf-8", "surrogateescape") for name in untracked.split(b"\0") if name}
    return ChangedLines(base=base, lines=parse_diff(diff), whole=whole)
