"""Reading a clone: renames between commits, blob ids, weekly commits, last change dates,
exporting a commit's tree and reading one blob. Nothing here touches the network."""

from __future__ import annotations

import os
import re
import tarfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reviewer.git.errors import RepoError, RepoTimeoutError
from reviewer.git.run import (
    LOCAL_COMMAND_TIMEOUT,
    Deadline,
    check,
    check_sha,
    kill_group,
    reason,
    run,
    start,
)
from reviewer.git.urls import validate_branch
from reviewer.git.worktree import parse_diff

#: Where :func:`reviewer.git.clone.fetch_branches` keeps the other branches it fetched.
BRANCHES_REF = "refs/reviewdeck/branches/"


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """Paths changed between two commits (repository-relative, ``/``-separated).

    A renamed file appears only in ``renamed`` (old path -> new path), even when its
    content changed too; ``modified`` includes type changes (file <-> symlink).
    """

    renamed: dict[str, str] = field(default_factory=dict)
    deleted: frozenset[str] = frozenset()
    added: frozenset[str] = frozenset()
    modified: frozenset[str] = frozenset()


def _require_commit(dest: Path, sha: str, deadline: Deadline) -> None:
    done = run(
        ["cat-file", "-e", f"{sha}^{{commit}}"], cwd=dest, deadline=deadline, doing="reading"
    )
    if done.returncode != 0:
        raise RepoError(f"Commit {sha[:12]} is not in the clone (history rewritten or shallow).")


def changed_paths(
    dest: Path, old_sha: str, new_sha: str, *, timeout: int = LOCAL_COMMAND_TIMEOUT
) -> ChangeSet:
    """What changed from ``old_sha`` to ``new_sha``, with git's rename detection (``-M``).

    Raises :class:`RepoError` when either commit is not in the clone (a force push rewrote
    history, or a shallow clone lacks it): the caller decides what that means — the scanner
    then tracks findings by content alone. Equal commits give an empty :class:`ChangeSet`.
    """
    check_sha(old_sha)
    check_sha(new_sha)
    deadline = Deadline(timeout)
    _require_commit(dest, old_sha, deadline)
    _require_commit(dest, new_sha, deadline)
    done = check(
        run(
            [
                "diff",
                "--no-ext-diff",
                "--no-textconv",
                "--no-color",
                "--name-status",
                "-z",
                "-M",
                old_sha,
                new_sha,
                "--",
            ],
            cwd=dest,
            deadline=deadline,
            doing="comparing commits",
        ),
        "Could not compare the commits",
    )
    fields = [os.fsdecode(part) for part in done.stdout.split(b"\x00")]
    renamed: dict[str, str] = {}
    buckets: dict[str, set[str]] = {"D": set(), "A": set(), "M": set()}
    index = 0
    while index < len(fields) and fields[index]:
        status = fields[index]
        kind = status[0]
        if kind in "RC":
            old, new = fields[index + 1], fields[index + 2]
            if kind == "R":
                renamed[old] = new
            else:
                buckets["A"].add(new)
            index += 3
            continue
        path = fields[index + 1]
        if kind in "MT":
            buckets["M"].add(path)
        elif kind in buckets:
            buckets[kind].add(path)
        index += 2
    return ChangeSet(
        renamed=renamed,
        deleted=frozenset(buckets["D"]),
        added=frozenset(buckets["A"]),
        modified=frozenset(buckets["M"]),
    )


def blob_ids(
    dest: Path,
    paths: Iterable[str] | None = None,
    *,
    rev: str = "HEAD",
    timeout: int = LOCAL_COMMAND_TIMEOUT,
) -> dict[str, str]:
    """Map repository-relative paths to their blob ids at ``rev`` (``git ls-tree -r``).

    ``paths=None`` returns every file; requested paths that are not files at ``rev`` are
    left out. Submodule entries (commits) are never included; symlinks are (their blob is
    the link target).
    """
    if rev != "HEAD":
        check_sha(rev)
    deadline = Deadline(timeout)
    done = check(
        run(
            ["ls-tree", "-r", "-z", "--full-tree", rev],
            cwd=dest,
            deadline=deadline,
            doing="listing files",
        ),
        "Could not list the files",
    )
    wanted = None if paths is None else set(paths)
    found: dict[str, str] = {}
    for entry in done.stdout.split(b"\x00"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        _mode, kind, sha = meta.decode("ascii").split(" ")
        path = os.fsdecode(raw_path)
        if kind == "blob" and (wanted is None or path in wanted):
            found[path] = sha
    return found


def weekly_commits(
    dest: Path,
    branch: str = "",
    weeks: int = 12,
    *,
    now: datetime | None = None,
    rev: str = "",
    timeout: int = LOCAL_COMMAND_TIMEOUT,
) -> list[tuple[str, datetime]]:
    """The last commit of each of the last ``weeks`` calendar weeks, oldest first.

    Weeks are ISO weeks (Monday 00:00 UTC) and include the current one. The branch's
    first-parent history is walked (``branch`` empty = ``HEAD``) and each week keeps its
    newest commit by committer date; weeks without commits are skipped. Dates are UTC.
    ``rev`` (a commit id) walks back from that commit instead of the branch.
    """
    if weeks < 1:
        return []
    branch_rev = f"refs/heads/{validate_branch(branch)}" if branch else "HEAD"
    rev = check_sha(rev) if rev else branch_rev
    now = (now or datetime.now(UTC)).astimezone(UTC)
    this_monday = (now - timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    start = this_monday - timedelta(weeks=weeks - 1)
    deadline = Deadline(timeout)
    done = check(
        run(
            [
                "log",
                "--first-parent",
                "--no-show-signature",
                "--format=%H%x00%cI",
                f"--since={start.isoformat()}",
                rev,
                "--",
            ],
            cwd=dest,
            deadline=deadline,
            doing="reading history",
        ),
        "Could not read the history",
    )
    newest: dict[datetime, tuple[str, datetime]] = {}
    for line in os.fsdecode(done.stdout).splitlines():
        sha, _, raw_date = line.partition("\x00")
        date = datetime.fromisoformat(raw_date).astimezone(UTC)
        if date < start or date > now:
            continue
        week = (date - timedelta(days=date.weekday())).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        if week not in newest or date > newest[week][1]:
            newest[week] = (sha, date)
    return [newest[week] for week in sorted(newest)]


def commit_date(dest: Path, commit: str, *, timeout: int = LOCAL_COMMAND_TIMEOUT) -> datetime:
    """The committer date (UTC) of ``commit``, the date weekly history is placed by."""
    done = check(
        run(
            ["log", "-1", "--no-show-signature", "--format=%cI", check_sha(commit), "--"],
            cwd=dest,
            deadline=Deadline(timeout),
            doing="reading history",
        ),
        "Could not read the history",
    )
    return datetime.fromisoformat(os.fsdecode(done.stdout).strip()).astimezone(UTC)


def last_commit_dates(
    dest: Path,
    commit: str,
    paths: Iterable[str],
    *,
    max_commits: int = 5000,
    timeout: int = LOCAL_COMMAND_TIMEOUT,
) -> dict[str, datetime]:
    """The date (UTC) of the last commit up to ``commit`` that changed each path.

    One walk of at most ``max_commits`` commits; paths not changed in that window are
    left out (callers treat them as "older than that").
    """
    wanted = set(paths)
    if not wanted:
        return {}
    done = check(
        run(
            [
                "log",
                f"-n{max_commits}",
                "--no-renames",
                "--no-show-signature",
                "--format=%x00%cI",
                "--name-only",
                check_sha(commit),
                "--",
            ],
            cwd=dest,
            deadline=Deadline(timeout),
            doing="reading history",
        ),
        "Could not read the history",
    )
    found: dict[str, datetime] = {}
    date: datetime | None = None
    for line in os.fsdecode(done.stdout).splitlines():
        if line.startswith("\x00"):
            date = datetime.fromisoformat(line[1:]).astimezone(UTC)
        elif line and date is not None and line in wanted and line not in found:
            found[line] = date
            if len(found) == len(wanted):
                break
    return found


def _private(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo:
    """tarfile's "data" filter (no absolute paths, no ``..``, no links leaving ``dest``),
    then the owner's permissions only: repository contents stay private like a clone."""
    safe = tarfile.data_filter(member, dest)
    if safe.mode is None:
        return safe
    floor = 0o700 if safe.isdir() else 0o600
    return safe.replace(mode=(safe.mode & 0o700) | floor, deep=False)


def export_tree(
    dest: Path, commit: str, target: Path, *, timeout: int = LOCAL_COMMAND_TIMEOUT
) -> None:
    """Write the files of ``commit`` into the empty directory ``target`` (no checkout, no
    filters, no hooks): ``git archive`` streamed through tarfile's "data" filter, which
    refuses absolute paths, ``..`` and links that point outside ``target``; files are
    the owner's only (0600, 0700 when executable)."""
    deadline = Deadline(timeout)
    proc = start(["archive", "--format=tar", check_sha(commit)], cwd=dest)
    timer = threading.Timer(deadline.remaining(), kill_group, args=(proc,))
    timer.start()
    try:
        assert proc.stdout is not None
        with tarfile.open(fileobj=proc.stdout, mode="r|") as archive:
            for member in archive:
                if member.isfile() or member.isdir():
                    archive.extract(member, target, filter=_private)
        stderr = proc.stderr.read() if proc.stderr else b""
        code = proc.wait()
    except tarfile.TarError as exc:
        kill_group(proc)
        proc.wait()
        raise RepoError(f"Could not read commit {commit[:12]}: {exc}") from exc
    finally:
        timer.cancel()
    if deadline.remaining() <= 0:
        raise RepoTimeoutError(f"Timed out after {timeout} s while exporting {commit[:12]}.")
    if code != 0:
        raise RepoError(f"Could not read commit {commit[:12]}: {reason(stderr.decode())}")


def read_blob(
    dest: Path,
    commit: str,
    path: str,
    *,
    max_bytes: int = 2_000_000,
    timeout: int = LOCAL_COMMAND_TIMEOUT,
) -> bytes | None:
    """The content of ``path`` at ``commit`` in the clone, or None when it is absent, not a
    regular file or larger than ``max_bytes``. Read from git's object store: nothing in
    the work tree (which may have moved on) and no filters are involved."""
    if "\x00" in path or path.startswith(("/", "-")) or ".." in path.split("/"):
        return None
    deadline = Deadline(timeout)
    spec = f"{check_sha(commit)}:{path}"
    size = run(["cat-file", "-s", spec], cwd=dest, deadline=deadline, doing="reading a file")
    kind = run(["cat-file", "-t", spec], cwd=dest, deadline=deadline, doing="reading a file")
    if size.returncode != 0 or kind.returncode != 0 or kind.stdout.strip() != b"blob":
        return None
    if int(size.stdout.strip() or 0) > max_bytes:
        return None
    blob = run(["cat-file", "blob", spec], cwd=dest, deadline=deadline, doing="reading a file")
    return blob.stdout if blob.returncode == 0 else None


@dataclass(frozen=True, slots=True)
class Fork:
    """Where another branch left the checked-out one: their merge base."""

    branch: str
    commit: str
    date: datetime  # the merge base's committer date, in UTC


def _version_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """``release/1.10`` after ``release/1.9``: digits compare as numbers."""
    parts = re.split(r"(\d+)", name)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)


def newest_fork(
    repo: Path, pattern: str, exclude: str = "", timeout: float = LOCAL_COMMAND_TIMEOUT
) -> Fork | None:
    """Of the branches fetched under :data:`BRANCHES_REF` named like ``pattern`` (one
    ``*``, which may span ``/`` as in refspecs), but ``exclude``, the one that left ``HEAD``
    last: the newest merge base (then the highest version in its name). None when there
    is none, or none shares history with ``HEAD``."""
    head, _, tail = pattern.partition("*")
    deadline = Deadline(timeout)
    listed = check(
        run(
            ["for-each-ref", "--format=%(refname)", "--", BRANCHES_REF],
            cwd=repo,
            deadline=deadline,
            doing="listing the fetched branches",
        ),
        "Could not list the fetched branches",
    )
    forks: list[Fork] = []
    for ref in os.fsdecode(listed.stdout).split():
        name = ref.removeprefix(BRANCHES_REF)
        named_so = name.startswith(head) and name.endswith(tail) and len(name) > len(pattern) - 1
        if not named_so or name == exclude:
            continue
        base = run(["merge-base", ref, "HEAD"], cwd=repo, deadline=deadline, doing="merge-base")
        if base.returncode != 0:
            continue  # no common history with the scanned branch
        commit = os.fsdecode(base.stdout).strip()
        shown = check(
            run(
                ["show", "-s", "--no-show-signature", "--format=%cI", check_sha(commit), "--"],
                cwd=repo,
                deadline=deadline,
                doing="reading a merge base",
            ),
            "Could not read a merge base",
        )
        date = datetime.fromisoformat(os.fsdecode(shown.stdout).strip()).astimezone(UTC)
        forks.append(Fork(name, commit, date))
    if not forks:
        return None
    return max(forks, key=lambda f: (f.date, _version_key(f.branch)))


def changed_lines(
    dest: Path, old_sha: str, new_sha: str, *, timeout: int = LOCAL_COMMAND_TIMEOUT
) -> dict[str, set[int]]:
    """The new-side line numbers each path changed in from ``old_sha`` to ``new_sha``
    (``git diff --unified=0``, renames followed); a path whose change only deleted lines
    has none. RepoError when either commit is not in the clone."""
    check_sha(old_sha)
    check_sha(new_sha)
    deadline = Deadline(timeout)
    _require_commit(dest, old_sha, deadline)
    _require_commit(dest, new_sha, deadline)
    done = check(
        run(
            [
                "diff",
                "--no-ext-diff",
                "--no-textconv",
                "--no-color",
                "--unified=0",
                "-M",
                old_sha,
                new_sha,
                "--",
            ],
            cwd=dest,
            deadline=deadline,
            doing="comparing commits",
        ),
        "Could not compare the commits",
    )
    return parse_diff(done.stdout)


def commit_messages(
    dest: Path,
    old_sha: str,
    new_sha: str,
    *,
    limit: int = 50,
    timeout: int = LOCAL_COMMAND_TIMEOUT,
) -> list[str]:
    """``short sha  subject`` of the first-parent commits after ``old_sha`` up to
    ``new_sha``, newest first, at most ``limit``."""
    check_sha(old_sha)
    check_sha(new_sha)
    deadline = Deadline(timeout)
    done = check(
        run(
            [
                "log",
                "--first-parent",
                "--no-color",
                f"--max-count={limit}",
                "--format=%h %s",
                f"{old_sha}..{new_sha}",
                "--",
            ],
            cwd=dest,
            deadline=deadline,
            doing="reading commit messages",
        ),
        "Could not read the commit messages",
    )
    return [line for line in done.stdout.decode("utf-8", "replace").splitlines() if line]
