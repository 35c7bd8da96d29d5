"""A per-machine cache of a repository's objects, and trees of exact commits taken from it.

A worker never reviews "whatever its clone holds". :func:`fetch` brings the branch's head
(or one named commit) into a local repository that has no checked-out files, and
:func:`tree` writes the files of one exact commit into a folder of its own (``git
archive``, cached per commit). So any worker, on any machine, can take any scan or
Claude run: it fetches what it lacks and reads the very commit the scan names.

The local repository lives where the old full clone lived (``dest``; a clone left by an
earlier release is reused as is: only its object store and refs are used). The same
protections as :func:`reviewer.git.sync` hold: the URL and branch validated again, every
git call through :mod:`reviewer.git.run` (no hooks, filters, submodules, system or global
config, transports allow-listed, deadline, process-group kill), the outbound policy's
pinned address for network remotes, credentials through askpass only, and an exclusive
``flock`` beside ``dest`` while objects and refs change. The lock is per machine: it
guards this machine's cache only; which worker scans a project is decided in the
database (the scan claim and an advisory lock, see ``reviewer.locks``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from reviewer.git import reach
from reviewer.git.clone import (
    Network,
    SyncResult,
    _check_dest,
    _default_branch,
    _described,
    _locked,
    _remote_run,
    _remove_stale_locks,
    _remove_tree,
)
from reviewer.git.errors import RepoError
from reviewer.git.history import export_tree
from reviewer.git.redact import redact_url
from reviewer.git.run import Deadline, check, check_sha, failure, run
from reviewer.git.urls import Remote, parse_remote, resolve_credentials, validate_branch
from reviewer.outbound import Policy

HEAD_REF = "refs/reviewdeck/target"
_PINNED_PREFIX = "refs/reviewdeck/commits/"


def fetch(
    url: str,
    dest: Path,
    branch: str = "",
    *,
    commit: str = "",
    timeout: int = 120,
    local_roots: Sequence[Path | str],
    workdir: Path | None = None,
    policy: Policy | None = None,
) -> SyncResult:
    """Bring the head of ``branch`` (the default branch if empty) of ``url`` into the
    local repository ``dest`` and return it; with ``commit``, make sure that commit is
    there (fetched by branch, then by id) and return it instead of the head.

    Nothing is checked out: read files through :func:`tree`. Raises :class:`RepoError`
    (:class:`RepoTimeoutError` on timeout) with a user-facing message."""
    remote = resolve_credentials(parse_remote(url, local_roots), os.environ)
    branch = validate_branch(branch)
    if commit:
        check_sha(commit)
    dest = _check_dest(dest, workdir)
    deadline = Deadline(timeout)
    pinned = reach.route(remote, policy or Policy())
    network: Network = (pinned.config, pinned.env) if pinned else ((), {})
    with _locked(dest, deadline):
        _prepare(dest, remote, deadline)
        os.utime(dest)  # in use: machine housekeeping (prune_clone) keeps it
        if commit and _has_commit(dest, commit, deadline):
            return _described(dest, commit, branch, deadline)
        target = _fetch_head(dest, remote, branch, deadline, network)
        _point_head(dest, target, deadline)
        if not commit:
            return _described(dest, HEAD_REF, target, deadline)
        if not _has_commit(dest, commit, deadline):
            _fetch_commit(dest, remote, commit, deadline, network)
        return _described(dest, commit, target, deadline)


def _prepare(dest: Path, remote: Remote, deadline: Deadline) -> None:
    """Make ``dest`` a repository of ``remote`` (created, or reused when it is one)."""
    for stale in dest.parent.iterdir():
        if stale.name.startswith(f".{dest.name}.tmp-"):
            _remove_tree(stale)
    if (dest / ".git").is_dir():
        _remove_stale_locks(dest / ".git")
        origin = run(
            ["config", "--get", "remote.origin.url"], cwd=dest, deadline=deadline, doing="checking"
        )
        if origin.returncode == 0 and os.fsdecode(origin.stdout).strip() == remote.git_url:
            return
    if dest.exists() and not dest.is_dir():
        raise RepoError(f"{dest} exists and is not a directory.")
    if dest.exists() and not (dest / ".git").exists() and any(dest.iterdir()):
        raise RepoError(f"{dest} exists and is not a clone; refusing to overwrite it.")
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    try:
        check(
            run(
                ["init", "--quiet", "--template=", str(tmp)],
                cwd=dest.parent,
                deadline=deadline,
                doing="creating the local repository",
            ),
            "Could not create the local repository",
        )
        for key, value in (
            ("core.hooksPath", os.devnull),
            ("submodule.recurse", "false"),
            ("core.fsmonitor", "false"),
            ("remote.origin.url", remote.git_url),
        ):
            check(
                run(
                    ["config", key, value],
                    cwd=tmp,
                    deadline=deadline,
                    doing="creating the local repository",
                ),
                "Could not create the local repository",
            )
        if dest.exists():
            _remove_tree(dest)
        tmp.rename(dest)
    finally:
        if tmp.exists():
            _remove_tree(tmp)


def _has_commit(dest: Path, commit: str, deadline: Deadline) -> bool:
    done = run(
        ["cat-file", "-e", f"{commit}^{{commit}}"], cwd=dest, deadline=deadline, doing="reading"
    )
    return done.returncode == 0


def _fetch_head(
    dest: Path, remote: Remote, branch: str, deadline: Deadline, network: Network
) -> str:
    """Fetch the branch's head into HEAD_REF; returns the branch's name ("" when the
    remote's HEAD is detached)."""
    shown = redact_url(remote.url)
    target = branch or _default_branch(dest, remote, deadline, network)
    source = f"refs/heads/{target}" if target else "HEAD"
    args = ["fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--no-write-fetch-head"]
    args += ["--", "origin", f"+{source}:{HEAD_REF}"]
    done = _remote_run(
        remote, args, cwd=dest, deadline=deadline, doing=f"fetching {shown}", network=network
    )
    if done.returncode != 0:
        lowered = done.stderr.lower()
        if "couldn't find remote ref" in lowered:
            if branch:
                raise RepoError(f"Branch '{branch}' does not exist in {shown}.")
            raise RepoError("The repository is empty: nothing to scan.")
        raise failure(f"Could not fetch {shown}", done.stderr)
    return target


def _point_head(dest: Path, branch: str, deadline: Deadline) -> None:
    """Keep ``HEAD`` (and the local branch) at the fetched head, as a clone's would be:
    readers that ask for ``HEAD`` (merge bases of release branches) see the branch's head.
    Refs only: nothing is checked out."""
    sha = (
        check(
            run(
                ["rev-parse", "--verify", "-q", f"{HEAD_REF}^{{commit}}"],
                cwd=dest,
                deadline=deadline,
                doing="reading the local repository",
            ),
            "Could not read the fetched head",
        )
        .stdout.decode()
        .strip()
    )
    if branch:
        steps = [
            ["update-ref", f"refs/heads/{branch}", sha],
            ["symbolic-ref", "HEAD", f"refs/heads/{branch}"],
        ]
    else:
        steps = [["update-ref", "--no-deref", "HEAD", sha]]
    for step in steps:
        check(
            run(step, cwd=dest, deadline=deadline, doing="updating the local repository"),
            "Could not update the local repository",
        )


def _fetch_commit(
    dest: Path, remote: Remote, commit: str, deadline: Deadline, network: Network
) -> None:
    """Fetch one commit by id (it left the branch: a force push). Servers allow it for
    reachable commits; otherwise the commit is gone and the error says so."""
    shown = redact_url(remote.url)
    args = ["fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--no-write-fetch-head"]
    args += ["--", "origin", f"+{commit}:{_PINNED_PREFIX}{commit}"]
    done = _remote_run(
        remote, args, cwd=dest, deadline=deadline, doing=f"fetching {shown}", network=network
    )
    if done.returncode != 0 or not _has_commit(dest, commit, deadline):
        raise RepoError(f"Commit {commit[:12]} is no longer in {shown} (the branch was rewritten).")


def tree(
    repo: Path,
    commit: str,
    root: Path,
    *,
    keep_seconds: float,
    timeout: int = 300,
) -> Path:
    """The files of ``commit`` (in ``repo``) under ``root/<commit>``: exported once with
    ``git archive`` (no checkout, no filters; links pointing outside are refused) and
    reused by every later scan or Claude run of that commit on this machine.

    Each use refreshes the folder's time; other commits' trees under ``root`` not used
    for ``keep_seconds`` are removed (keep it above the longest task, so a tree is never
    removed under a run that reads it)."""
    commit = check_sha(commit)
    if len(commit) != 40 or not commit.isalnum():
        raise RepoError(f"Not a full commit id: {commit[:80]!r}")
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = root / commit
    deadline = Deadline(timeout)
    with _locked(target, deadline):
        if not target.is_dir():
            tmp = Path(tempfile.mkdtemp(prefix=f".{commit}.tmp-", dir=root))
            try:
                export_tree(repo, commit, tmp, timeout=max(1, int(deadline.remaining())))
                tmp.rename(target)
            finally:
                if tmp.exists():
                    shutil.rmtree(tmp, ignore_errors=True)
        os.utime(target)
    prune_trees(root, keep_seconds, keep=frozenset({commit}))
    return target


def prune_trees(root: Path, keep_seconds: float, keep: frozenset[str] = frozenset()) -> int:
    """Remove trees under ``root`` not used for ``keep_seconds`` (and left-over partial
    exports); a tree being written (its lock held) is left. Returns how many went."""
    removed = 0
    cutoff = time.time() - keep_seconds
    for entry in list(root.iterdir()) if root.is_dir() else []:
        name = entry.name
        if name.startswith(".") or name in keep or not entry.is_dir() or entry.is_symlink():
            continue
        with contextlib.suppress(OSError):
            if entry.stat().st_mtime >= cutoff:
                continue
            with (root / f".{name}.lock").open("a+b") as handle:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
    for stale in root.glob(".*.tmp-*") if root.is_dir() else []:
        with contextlib.suppress(OSError):
            if stale.stat().st_mtime < cutoff:
                shutil.rmtree(stale, ignore_errors=True)
    return removed


def prune_clone(dest: Path, keep_seconds: float, *, forget_lock: bool = False) -> bool:
    """Remove the local repository ``dest`` when no fetch used it for ``keep_seconds``
    (0: whatever its age, for a deleted project; ``forget_lock`` then removes its lock
    file too). A fetch in progress (the lock held) keeps it. Returns whether removed."""
    cutoff = time.time() - keep_seconds
    lock_path = dest.parent / f".{dest.name}.lock"

    def recent() -> bool:
        return keep_seconds > 0 and dest.stat().st_mtime >= cutoff

    with contextlib.suppress(OSError):
        if not dest.is_dir() or recent():
            return False
        with lock_path.open("a+b") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            if recent():  # fetched while we waited for the lock
                return False
            _remove_tree(dest)
            if forget_lock:
                lock_path.unlink(missing_ok=True)
        return True
    return False
