"""Clone or update a checkout (``sync``): one locked, time-boxed clone/fetch of one branch."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reviewer.git import reach
from reviewer.git.errors import RepoError, RepoTimeoutError
from reviewer.git.history import BRANCHES_REF
from reviewer.git.redact import redact_url
from reviewer.git.run import SHA_RE, Deadline, Done, check, failure, run
from reviewer.git.urls import (
    Remote,
    parse_remote,
    resolve_credentials,
    validate_branch,
    validate_branch_pattern,
)
from reviewer.outbound import Policy

_TARGET_REF = "refs/reviewdeck/target"
Network = tuple[Sequence[str], Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class SyncResult:
    """The commit a :func:`sync` left checked out."""

    sha: str
    # The branch checked out: the default branch's name when none was asked for, "" when
    # the remote's HEAD is detached (no branch to name).
    branch: str
    commit_date: datetime  # committer date, timezone-aware, in UTC


def _check_dest(dest: Path, workdir: Path | None) -> Path:
    dest = Path(dest)
    if ".." in dest.parts:
        raise RepoError("The clone directory cannot contain '..'.")
    if not dest.is_absolute():
        raise RepoError("The clone directory must be an absolute path.")
    if dest.is_symlink():
        raise RepoError("The clone directory cannot be a symbolic link.")
    if workdir is not None:
        root = Path(workdir).resolve()
        resolved = dest.parent.resolve() / dest.name
        if resolved == root or not resolved.is_relative_to(root):
            raise RepoError("The clone directory must be inside the work directory.")
    return dest


@contextlib.contextmanager
def _locked(dest: Path, deadline: Deadline) -> Iterator[None]:
    """Hold an exclusive lock on ``<dest>.lock`` (one sync of a clone at a time)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    lock_path = dest.parent / f".{dest.name}.lock"
    with lock_path.open("a+b") as handle:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline.remaining() <= 0:
                    raise RepoTimeoutError(
                        "Another sync of this repository is still running; try again later."
                    ) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _remove_tree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def _remove_stale_locks(git_dir: Path) -> None:
    """Remove ``*.lock`` files a killed git left behind (safe: we hold the sync lock)."""
    candidates = list(git_dir.glob("*.lock"))
    refs = git_dir / "refs"
    if refs.is_dir():
        candidates += list(refs.rglob("*.lock"))
    for lock in candidates:
        with contextlib.suppress(OSError):
            lock.unlink()


class _BrokenCloneError(Exception):
    """A local operation on an existing clone failed: start again from a fresh clone."""


def sync(
    url: str,
    dest: Path,
    branch: str = "",
    *,
    timeout: int = 120,
    local_roots: Sequence[Path | str],
    workdir: Path | None = None,
    depth: int | None = None,
    policy: Policy | None = None,
) -> SyncResult:
    """Make ``dest`` a clean checkout of ``branch`` (default branch if empty) of ``url``.

    Clones when ``dest`` is absent (or broken, or a clone of another URL), otherwise fetches
    the branch and force-checks it out, removing untracked and ignored files. The URL and
    branch are validated again here. ``timeout`` (seconds) bounds the whole operation.
    ``workdir``, when given, must contain ``dest``. ``depth`` makes a shallow clone/fetch
    (see the module docstring for the trade-off).

    ``policy`` says which internal hosts a network URL may reach (none by default); the
    host is resolved and checked once and every git call of this sync is pinned to the
    checked address (:mod:`reviewer.git.reach`).

    Raises :class:`RepoError` (:class:`RepoTimeoutError` on timeout) with a user-facing message.
    """
    remote = resolve_credentials(parse_remote(url, local_roots), os.environ)
    branch = validate_branch(branch)
    dest = _check_dest(dest, workdir)
    if depth is not None and depth < 1:
        raise RepoError("depth must be at least 1.")
    deadline = Deadline(timeout)
    pinned = reach.route(remote, policy or Policy())
    network = (pinned.config, pinned.env) if pinned else ((), {})
    with _locked(dest, deadline):
        for stale in dest.parent.iterdir():
            if stale.name.startswith(f".{dest.name}.tmp-"):
                _remove_tree(stale)
        if dest.exists() and _is_our_clone(dest, remote, deadline):
            try:
                return _update(dest, remote, branch, deadline, depth, network)
            except _BrokenCloneError:
                pass  # fall through to a fresh clone
        if dest.exists() and not dest.is_dir():
            raise RepoError(f"{dest} exists and is not a directory.")
        if dest.exists() and not (dest / ".git").exists() and any(dest.iterdir()):
            raise RepoError(f"{dest} exists and is not a clone; refusing to overwrite it.")
        return _clone(dest, remote, branch, deadline, depth, network)


def _is_our_clone(dest: Path, remote: Remote, deadline: Deadline) -> bool:
    """True when ``dest`` is a working clone of ``remote`` (stale lock files removed)."""
    git_dir = dest / ".git"
    if not git_dir.is_dir():
        return False
    _remove_stale_locks(git_dir)
    origin = run(
        ["config", "--get", "remote.origin.url"], cwd=dest, deadline=deadline, doing="checking"
    )
    if origin.returncode != 0 or os.fsdecode(origin.stdout).strip() != remote.git_url:
        return False
    head = run(
        ["rev-parse", "--verify", "-q", "HEAD^{commit}"],
        cwd=dest,
        deadline=deadline,
        doing="checking the clone",
    )
    return head.returncode == 0


def _clone(
    dest: Path,
    remote: Remote,
    branch: str,
    deadline: Deadline,
    depth: int | None,
    network: Network,
) -> SyncResult:
    shown = redact_url(remote.url)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    try:
        args = [
            "clone",
            "--quiet",
            "--no-tags",
            "--single-branch",
            "--no-recurse-submodules",
            "--template=",
            "--config",
            f"core.hooksPath={os.devnull}",
            "--config",
            "submodule.recurse=false",
            "--config",
            "core.fsmonitor=false",
        ]
        if remote.local:
            args.append("--no-local")
        if branch:
            args += ["--branch", branch]
        if depth is not None:
            args += ["--depth", str(depth)]
        args += ["--", remote.git_url, str(tmp)]
        done = _remote_run(
            remote,
            args,
            cwd=dest.parent,
            deadline=deadline,
            doing=f"cloning {shown}",
            network=network,
        )
        if done.returncode != 0:
            lowered = done.stderr.lower()
            if branch and "not found in upstream" in lowered:
                raise RepoError(f"Branch '{branch}' does not exist in {shown}.")
            raise failure(f"Could not clone {shown}", done.stderr)
        head = run(
            ["rev-parse", "--verify", "-q", "HEAD^{commit}"],
            cwd=tmp,
            deadline=deadline,
            doing="reading the clone",
        )
        if head.returncode != 0:
            # Nothing was checked out: either no commits at all, or the remote's HEAD names
            # a branch that does not exist (git says "empty" for both with --single-branch).
            heads = _remote_run(
                remote,
                ["ls-remote", "--heads", "--", "origin"],
                cwd=tmp,
                deadline=deadline,
                doing=f"contacting {shown}",
                network=network,
            )
            if heads.returncode == 0 and heads.stdout.strip():
                raise RepoError(
                    f"The default branch of {shown} does not exist: choose a branch to scan."
                )
            raise RepoError("The repository is empty: nothing to scan.")
        current = _current_branch(tmp, deadline)
        if branch and current != branch:  # ``clone --branch`` also accepts tags
            raise RepoError(f"Branch '{branch}' does not exist in {shown} (tags are not scanned).")
        result = _described(tmp, "HEAD", current, deadline)
        if dest.exists():
            _remove_tree(dest)
        tmp.rename(dest)
        return result
    finally:
        if tmp.exists():
            _remove_tree(tmp)


def _current_branch(repo: Path, deadline: Deadline) -> str:
    done = run(
        ["symbolic-ref", "-q", "--short", "HEAD"],
        cwd=repo,
        deadline=deadline,
        doing="reading the clone",
    )
    return os.fsdecode(done.stdout).strip() if done.returncode == 0 else ""


def _described(repo: Path, rev: str, branch: str, deadline: Deadline) -> SyncResult:
    """The commit ``rev`` names in ``repo`` (its id and commit date), as a SyncResult."""
    done = check(
        run(
            ["show", "-s", "--no-show-signature", "--format=%H%x00%cI", f"{rev}^{{commit}}", "--"],
            cwd=repo,
            deadline=deadline,
            doing="reading the local repository",
        ),
        "Could not read the commit",
    )
    sha, _, date = os.fsdecode(done.stdout).strip().partition("\x00")
    return SyncResult(
        sha=sha, branch=branch, commit_date=datetime.fromisoformat(date).astimezone(UTC)
    )


def _remote_run(
    remote: Remote,
    args: list[str],
    *,
    cwd: Path,
    deadline: Deadline,
    doing: str,
    network: Network,
) -> Done:
    """Run git against ``remote``: its URL checked, file transport only for local
    repositories, credentials through askpass, pinned to the policy-checked address."""
    return run(
        args,
        cwd=cwd,
        deadline=deadline,
        doing=doing,
        url=remote.url,
        allow_file=remote.local,
        askpass=remote.credentials,
        network=network,
    )


def _default_branch(dest: Path, remote: Remote, deadline: Deadline, network: Network) -> str:
    """The remote's default branch name ("" when its HEAD is detached)."""
    shown = redact_url(remote.url)
    done = _remote_run(
        remote,
        ["ls-remote", "--symref", "--", "origin", "HEAD"],
        cwd=dest,
        deadline=deadline,
        doing=f"contacting {shown}",
        network=network,
    )
    if done.returncode != 0:
        raise failure(f"Could not fetch {shown}", done.stderr)
    symref, has_head = "", False
    for line in os.fsdecode(done.stdout).splitlines():
        target, _, name = line.partition("\t")
        if name != "HEAD":
            continue
        if target.startswith("ref: refs/heads/"):
            symref = target.removeprefix("ref: refs/heads/")
        elif SHA_RE.match(target):
            has_head = True
    if not has_head:
        raise RepoError("The repository is empty: nothing to scan.")
    if symref:
        try:
            return validate_branch(symref)
        except RepoError:
            return ""
    return ""


def _update(
    dest: Path,
    remote: Remote,
    branch: str,
    deadline: Deadline,
    depth: int | None,
    network: Network,
) -> SyncResult:
    shown = redact_url(remote.url)
    target = branch or _default_branch(dest, remote, deadline, network)
    source = f"refs/heads/{target}" if target else "HEAD"
    args = ["fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--no-write-fetch-head"]
    if depth is not None:
        args += ["--depth", str(depth)]
    args += ["--", "origin", f"+{source}:{_TARGET_REF}"]
    done = _remote_run(
        remote,
        args,
        cwd=dest,
        deadline=deadline,
        doing=f"fetching {shown}",
        network=network,
    )
    if done.returncode != 0:
        if branch and "couldn't find remote ref" in done.stderr.lower():
            raise RepoError(f"Branch '{branch}' does not exist in {shown}.")
        raise failure(f"Could not fetch {shown}", done.stderr)
    checkout = ["checkout", "--quiet", "--force", "--no-recurse-submodules"]
    checkout += ["-B", target, _TARGET_REF] if target else ["--detach", _TARGET_REF]
    for local_step in (checkout, ["clean", "-ffdxq"]):
        done = run(local_step, cwd=dest, deadline=deadline, doing="updating the clone")
        if done.returncode != 0:
            raise _BrokenCloneError(done.stderr)
    return _described(dest, "HEAD", target, deadline)


def fetch_branches(
    url: str,
    dest: Path,
    pattern: str,
    *,
    timeout: int = 120,
    local_roots: Sequence[Path | str],
    workdir: Path | None = None,
    policy: Policy | None = None,
) -> None:
    """Fetch the remote's branches named like ``pattern`` (one ``*``: ``release/*``) into
    :data:`~reviewer.git.history.BRANCHES_REF` of the existing clone ``dest``; branches gone
    from the remote are pruned. The checkout itself is not touched. Same checks, lock,
    deadline and pinning as :func:`sync`."""
    remote = resolve_credentials(parse_remote(url, local_roots), os.environ)
    pattern = validate_branch_pattern(pattern)
    dest = _check_dest(dest, workdir)
    deadline = Deadline(timeout)
    pinned = reach.route(remote, policy or Policy())
    network = (pinned.config, pinned.env) if pinned else ((), {})
    shown = redact_url(remote.url)
    with _locked(dest, deadline):
        if not _is_our_clone(dest, remote, deadline):
            raise RepoError("The repository has not been cloned yet: scan it first.")
        args = ["fetch", "--quiet", "--no-tags", "--no-recurse-submodules"]
        args += ["--no-write-fetch-head", "--prune", "--"]
        args += ["origin", f"+refs/heads/{pattern}:{BRANCHES_REF}{pattern}"]
        done = _remote_run(
            remote,
            args,
            cwd=dest,
            deadline=deadline,
            doing=f"fetching the {pattern} branches of {shown}",
            network=network,
        )
        if done.returncode != 0:
            raise failure(f"Could not fetch the {pattern} branches of {shown}", done.stderr)
