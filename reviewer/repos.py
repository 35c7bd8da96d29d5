"""The hardened git layer: validate repository URLs and branch names, clone/update, diff.

This module has no Django imports: it takes plain arguments (URL, paths, timeouts, the
allowed local roots) so it can be tested and reused alone. Every failure a user can cause
is a :class:`RepoError` whose message is short, user-facing and free of credentials.

Threat model
------------
Repository URLs and branch names come from users of the web app; the repositories'
contents come from whoever can push to them. So:

* **Transports.** Only ``https://``, ``ssh://``, scp-like ``user@host:path``, ``git://``,
  ``file://`` and absolute local paths are accepted. ``ext::``/``fd::`` and every other
  ``transport::address`` remote-helper form run programs and are refused, as are unknown
  ``scheme://`` forms (git would look for a ``git-remote-<scheme>`` helper) and plain
  ``http://``. Independently of that validation every git call runs with
  ``protocol.allow=never`` and an explicit allow-list (``file`` only when the URL is local),
  so a URL that slipped past validation still cannot reach another transport.
* **Option injection.** URLs, hosts and users starting with ``-`` are refused, branch names
  are checked against a strict character set, and positional arguments follow ``--``.
* **Local paths** are allowed only when they resolve (symlinks resolved) below one of the
  ``local_roots`` the caller passes (an empty list refuses all of them), exist, and are a
  git repository. The *resolved* path is what git is given, and local clones use
  ``--no-local`` so git goes through the transport instead of copying/hard-linking
  ``.git/objects`` (which could follow planted symlinks).
* **Nothing from the repository executes.** Hooks are off (``core.hooksPath=/dev/null``,
  empty clone template, also written into the clone's own config), submodules are never
  followed (``--no-recurse-submodules``, ``submodule.recurse=false``), LFS smudge/process
  filters are emptied and no system or global git config is read
  (``GIT_CONFIG_NOSYSTEM=1``, ``GIT_CONFIG_GLOBAL=/dev/null``), so ``.gitattributes`` can
  only name filter drivers that nobody defines. Repository-local config is never trusted:
  git never copies a remote's config, and the only ``.git/config`` we use is the one our
  clone wrote. ``diff`` runs with ``--no-ext-diff --no-textconv``.
* **Symlinks** in checkouts are kept as symlinks (``core.symlinks`` untouched): the engine
  never follows them, it reads regular files only.
* **No hanging.** Every git call has a deadline (the whole :func:`sync` shares one
  ``timeout`` budget); git runs in its own process group which is killed as a whole when the
  deadline passes (a plain ``subprocess.run(timeout=...)`` would kill only ``git`` and then
  wait forever for ``git-remote-https``/``ssh`` holding the pipes). Prompts are disabled
  (``GIT_TERMINAL_PROMPT=0``, ``GIT_ASKPASS``/``SSH_ASKPASS`` answer empty, ssh runs with
  ``BatchMode=yes``), so a private repository fails fast instead of waiting for a password.
  Git is run with :mod:`subprocess` rather than GitPython's ``Repo`` objects for exactly
  this control over the process group, environment and arguments.
* **ssh** runs with ``BatchMode=yes`` and ``StrictHostKeyChecking=accept-new`` (a host key
  is trusted on first use and written to the worker user's ``~/.ssh/known_hosts``; a
  changed key fails). An operator's ``GIT_SSH_COMMAND``/``GIT_SSH`` and ssh agent are kept,
  every other inherited ``GIT_*`` variable (``GIT_DIR``, ``GIT_CONFIG_*``...) is dropped.
* **Credentials** (a token in an https URL) are redacted from every message
  (:func:`redact_url`, plus removal of the literal secret from git's stderr). They do end up
  in the clone's ``.git/config`` (git needs them to fetch); the work directory must therefore
  not be readable by others (new clones are created mode 0700). No credential helpers run
  (no global/system config), so private repositories need a token in the URL or an ssh key.

Clone depth trade-off
---------------------
By default clones are *full* (``--no-tags --single-branch``): rename detection between the
previously scanned commit and the new one (:func:`changed_paths`) and the weekly history
backfill (:func:`weekly_commits`) need history, and a full single-branch clone is the most
robust way to have it. ``--filter=blob:none`` partial clones were rejected: later diffs and
checkouts would fetch blobs lazily over the network from inside local commands. Callers who
only need the tip can pass ``depth=1`` to :func:`sync`; :func:`changed_paths` then raises
:class:`RepoError` when the older commit is not in the clone and callers fall back to
matching by content.

Concurrency and crashes
-----------------------
:func:`sync` holds an exclusive ``flock`` on ``<dest>.lock`` beside the clone. A clone is
made in a temporary sibling directory and renamed into place only when complete, so a
killed worker leaves at most a ``.<name>.tmp-*`` directory, which the next sync removes.
A ``dest`` that is a broken clone (no valid ``HEAD``, stale ``*.lock`` files, a different
origin URL) is removed and cloned again.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import subprocess
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = [
    "ChangeSet",
    "RepoError",
    "RepoTimeoutError",
    "SyncResult",
    "blob_ids",
    "changed_paths",
    "export_tree",
    "last_commit_dates",
    "redact_url",
    "sync",
    "validate_branch",
    "validate_repo_url",
    "weekly_commits",
]

ALLOWED_HINT = "use https://, ssh://, git:// or a local path"
MAX_URL_LENGTH = 2000
MAX_BRANCH_LENGTH = 200
LOCAL_COMMAND_TIMEOUT = 60

# ``scheme::address`` — git's remote-helper syntax (``ext::``, ``fd::``, ``foo::``).
_HELPER_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)::")
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_SCHEMES = {"https": "https", "ssh": "ssh", "git+ssh": "ssh", "ssh+git": "ssh", "git": "git"}
_HOST_RE = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?)$")
_USER_RE = re.compile(r"^[A-Za-z0-9._~+%!$&'()*,;=-]+$")
# scp-like syntax: [user@]host:path, with the colon before any slash (git's own rule).
_SCP_RE = re.compile(r"^(?:(?P<user>[^@/:]+)@)?(?P<host>\[[^\]/]+\]|[^@/:\[\]]+):(?P<path>.+)$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_BRANCH_CHARS_RE = re.compile(r"^[A-Za-z0-9._/@+=,-]+$")
_SHA_RE = re.compile(r"^[0-9a-fA-F]{4,64}$")
_USERINFO_RE = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\s'\"]+)@")
# "user:password@host:path" (not valid scp syntax, but must not be echoed either)
_SCP_PASSWORD_RE = re.compile(r"^(?P<user>[^@/:\s]+):[^@/\s]*@(?=[^/]*:)")
_TARGET_REF = "refs/reviewdeck/target"


class RepoError(Exception):
    """A repository operation failed for a reason the user can act on.

    ``str(exc)`` is a short user-facing message that never contains credentials.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class RepoTimeoutError(RepoError):
    """A git command did not finish within its time budget (it was killed)."""


@dataclass(frozen=True, slots=True)
class SyncResult:
    """The commit a :func:`sync` left checked out."""

    sha: str
    # The branch checked out: the default branch's name when none was asked for, "" when
    # the remote's HEAD is detached (no branch to name).
    branch: str
    commit_date: datetime  # committer date, timezone-aware, in UTC


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


# --------------------------------------------------------------------------------------
# Redaction
# --------------------------------------------------------------------------------------


def redact_url(url: str) -> str:
    """Return ``url`` with credentials removed, for messages and logs.

    For http(s) the whole ``userinfo@`` becomes ``***@`` (a token is often passed as the
    user name alone); for other schemes the user name is kept (``ssh://git@host`` is not
    a secret) and a password becomes ``***``. Works on any text containing URLs.
    """

    def replace(match: re.Match[str]) -> str:
        scheme, userinfo = match["scheme"], match["userinfo"]
        if scheme.lower().startswith("http"):
            return f"{scheme}***@"
        user, colon, _password = userinfo.partition(":")
        return f"{scheme}{user}:***@" if colon else match[0]

    url = _USERINFO_RE.sub(replace, url)
    return _SCP_PASSWORD_RE.sub(r"\g<user>:***@", url)


def _secrets_of(url: str) -> list[str]:
    """The literal secrets a URL carries (both raw and percent-decoded), longest first."""
    match = _USERINFO_RE.search(url)
    if not match:
        return []
    userinfo = match["userinfo"]
    user, _, password = userinfo.partition(":")
    parts = [password] if not match["scheme"].lower().startswith("http") else [user, password]
    found = {p for part in parts if part for p in (part, unquote(part)) if len(p) >= 3}
    return sorted(found, key=len, reverse=True)


def _redact(text: str, url: str) -> str:
    text = redact_url(text)
    for secret in _secrets_of(url):
        text = text.replace(secret, "***")
    return text


# --------------------------------------------------------------------------------------
# Credentials: referenced by environment variable, never stored or put on a command line
# --------------------------------------------------------------------------------------

_SECRET_REF_RE = re.compile(r"^\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]{0,100})\}$")
_TOKEN_PREFIXES = ("ghp_", "gho_", "ghs_", "ghu_", "github_pat_", "glpat-", "gldt-", "ATBB")
ASKPASS = Path(__file__).with_name("git_askpass.sh")
CREDENTIALS_HINT = (
    "keep the token in an environment variable of the workers and write its name instead, "
    "e.g. https://oauth2:${GITLAB_TOKEN}@gitlab.example.com/team/app.git"
)


def stored_secret_problem(url: str) -> str | None:
    """Why ``url`` must not be stored (it carries a literal password or token), or None.

    Stored URLs may name credentials only as ``${ENV_VAR}`` references.
    """
    match = _USERINFO_RE.search(url) or _SCP_PASSWORD_RE.search(url)
    if not match:
        return None
    userinfo = match.group(0).split("://", 1)[-1].rstrip("@")
    user, colon, password = userinfo.partition(":")
    if colon and password and not _SECRET_REF_RE.match(password):
        return f"The URL contains a password: {CREDENTIALS_HINT}."
    looks_like_token = user.startswith(_TOKEN_PREFIXES) or (len(user) >= 30 and "." not in user)
    if not _SECRET_REF_RE.match(user) and looks_like_token:
        return f"The URL contains what looks like an access token: {CREDENTIALS_HINT}."
    return None


def _with_credential_refs(url: str) -> _Remote:
    parts = urlsplit(url)
    user, password = parts.username or "", parts.password or ""
    user_ref = _SECRET_REF_RE.match(user)
    password_ref = _SECRET_REF_RE.match(password)
    if not user_ref and not password_ref:
        return _Remote(url=url, git_url=url, local=False)
    host = parts.netloc.rpartition("@")[2]
    shown_user = "" if user_ref else f"{user}@"
    git_url = parts._replace(netloc=f"{shown_user}{host}").geturl()
    return _Remote(
        url=url,
        git_url=git_url,
        local=False,
        user_ref=user_ref["name"] if user_ref else "",
        password_ref=password_ref["name"] if password_ref else "",
    )


def _resolve_credentials(remote: _Remote, environ: Mapping[str, str]) -> _Remote:
    if not remote.user_ref and not remote.password_ref:
        return remote
    values = []
    for name in (remote.user_ref, remote.password_ref):
        if name and not environ.get(name):
            raise RepoError(
                f"The environment variable {name} named in the repository URL is not set "
                "for the worker."
            )
        values.append(environ.get(name, "") if name else "")
    user = values[0] or (urlsplit(remote.git_url).username or "")
    return replace(remote, credentials=(user, values[1]))


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Remote:
    """A validated repository location: what to show and what to hand to git."""

    url: str  # normalised, as stored
    git_url: str  # what git is given (the resolved path for local repositories)
    local: bool
    # ``${NAME}`` references in the URL's user/password, kept out of ``git_url``; sync
    # resolves them from the environment and answers git's prompts through GIT_ASKPASS.
    user_ref: str = ""
    password_ref: str = ""
    credentials: tuple[str, str] | None = None


def validate_repo_url(url: str, *, local_roots: Sequence[Path | str]) -> str:
    """Check a repository URL and return it normalised (stripped; local paths resolved).

    Accepted: ``https://``, ``ssh://`` (and ``git+ssh://``), scp-like ``[user@]host:path``,
    ``git://``, and — only when they resolve below one of ``local_roots`` and are a git
    repository (work tree or bare) — ``file://`` URLs and absolute local paths. Raises
    :class:`RepoError` otherwise.
    """
    return _parse_remote(url, local_roots).url


def validate_stored_repo_url(url: str, *, local_roots: Sequence[Path | str]) -> str:
    """Like :func:`validate_repo_url`, for a URL about to be saved: literal passwords and
    tokens are refused (credentials may only be ``${ENV_VAR}`` references)."""
    checked = validate_repo_url(url, local_roots=local_roots)
    problem = stored_secret_problem(checked)
    if problem:
        raise RepoError(problem)
    return checked


def _parse_remote(url: str, local_roots: Sequence[Path | str]) -> _Remote:
    if not isinstance(url, str):
        raise RepoError("The repository URL must be text.")
    if _CONTROL_RE.search(url):
        raise RepoError("The repository URL contains control characters or line breaks.")
    url = url.strip()
    if not url:
        raise RepoError("Enter a repository URL.")
    if len(url) > MAX_URL_LENGTH:
        raise RepoError("The repository URL is too long.")
    if url.startswith("-"):
        raise RepoError("The repository URL cannot start with '-'.")

    helper = _HELPER_RE.match(url)
    if helper:
        raise RepoError(f"Transport '{helper[1]}::' is not allowed: {ALLOWED_HINT}.")
    scheme_match = _SCHEME_RE.match(url)
    if scheme_match:
        scheme = scheme_match[1].lower()
        if scheme == "file":
            return _parse_file_url(url, local_roots)
        if scheme == "http":
            raise RepoError("Plain http:// is not allowed: use https://.")
        if scheme not in _SCHEMES:
            raise RepoError(f"Scheme '{scheme}://' is not allowed: {ALLOWED_HINT}.")
        _check_network_url(url, scheme)
        return _with_credential_refs(url)

    # git's rule: a colon before the first slash makes it scp-like ssh, else a local path.
    colon, slash = url.find(":"), url.find("/")
    if colon != -1 and (slash == -1 or colon < slash):
        _check_scp(url)
        return _Remote(url=url, git_url=url, local=False)
    path = _check_local_path(url, local_roots)
    return _Remote(url=str(path), git_url=str(path), local=True)


def _check_host(host: str | None, url: str) -> None:
    if not host:
        raise RepoError(f"The repository URL has no host: {redact_url(url)}")
    if host.startswith("-") or not _HOST_RE.match(host):
        raise RepoError(f"The repository URL has an invalid host: {redact_url(url)}")


def _check_network_url(url: str, scheme: str) -> None:
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError when not a number in range
    except ValueError:
        raise RepoError(f"The repository URL is malformed: {redact_url(url)}") from None
    netloc_host = parts.netloc.rpartition("@")[2]
    host = netloc_host.rsplit(":", 1)[0] if port is not None else netloc_host
    _check_host(host, url)
    if (
        parts.username is not None
        and not _SECRET_REF_RE.match(parts.username)
        and (parts.username.startswith("-") or not _USER_RE.match(parts.username))
    ):
        raise RepoError(f"The repository URL has an invalid user name: {redact_url(url)}")
    if not parts.path.strip("/"):
        raise RepoError(f"The repository URL has no repository path: {redact_url(url)}")
    if scheme == "https" and " " in url:
        raise RepoError("The repository URL cannot contain spaces.")


def _check_scp(url: str) -> None:
    match = _SCP_RE.match(url)
    if not match:
        raise RepoError(
            f"Not a valid repository address: {redact_url(url)} "
            "(scp-like addresses look like user@host:path)"
        )
    user, host, path = match["user"], match["host"], match["path"]
    if user is not None and (user.startswith("-") or not _USER_RE.match(user)):
        raise RepoError(f"The repository address has an invalid user name: {redact_url(url)}")
    _check_host(host, url)
    if path.startswith("-"):
        raise RepoError("The repository path cannot start with '-'.")


def _parse_file_url(url: str, local_roots: Sequence[Path | str]) -> _Remote:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise RepoError("file:// URLs must name a path on this machine (file:///path).")
    if parts.query or parts.fragment:
        raise RepoError("file:// URLs cannot have a query or a fragment.")
    path = _check_local_path(unquote(parts.path), local_roots)
    return _Remote(url=f"file://{path}", git_url=str(path), local=True)


def _check_local_path(raw: str, local_roots: Sequence[Path | str]) -> Path:
    if not local_roots:
        raise RepoError(
            "Local repository paths are not allowed here: use https://, ssh:// or git://."
        )
    if not raw.startswith("/"):
        raise RepoError("A local repository path must be absolute (start with /).")
    path = Path(raw).resolve()
    roots = [Path(root).resolve() for root in local_roots]
    if not any(path.is_relative_to(root) for root in roots):
        raise RepoError("This local path is outside the directories repositories may come from.")
    if not path.is_dir():
        raise RepoError(f"No such directory: {path}")
    git_dirs = _git_dirs_of(path)
    if git_dirs is None:
        raise RepoError(f"Not a git repository: {path}")
    for git_dir in git_dirs:
        if not any(git_dir.is_relative_to(root) for root in roots):
            raise RepoError(
                "This repository's git directory is outside the directories "
                "repositories may come from."
            )
    return path


def _looks_like_git_dir(path: Path) -> bool:
    return (path / "HEAD").is_file() and (
        (path / "objects").is_dir() or (path / "commondir").is_file()
    )


def _git_dirs_of(path: Path) -> list[Path] | None:
    """The git directories a repository at ``path`` uses (resolved), or None if it is none.

    Handles work trees (``.git`` directory), linked work trees/submodules (``.git`` file
    with ``gitdir:``, and its ``commondir``) and bare repositories.
    """
    dot_git = path / ".git"
    if dot_git.is_dir():
        git_dir = dot_git.resolve()
    elif dot_git.is_file():
        try:
            first = dot_git.read_text(errors="replace").splitlines()[0]
        except (OSError, IndexError):
            return None
        if not first.startswith("gitdir:"):
            return None
        git_dir = (path / first.removeprefix("gitdir:").strip()).resolve()
    elif _looks_like_git_dir(path):
        git_dir = path
    else:
        return None
    if not _looks_like_git_dir(git_dir):
        return None
    dirs = [git_dir]
    commondir = git_dir / "commondir"
    if commondir.is_file():
        with contextlib.suppress(OSError):
            dirs.append((git_dir / commondir.read_text().strip()).resolve())
    return dirs


def validate_branch(name: str) -> str:
    """Check a branch name and return it (``""`` means the repository's default branch).

    Stricter than ``git check-ref-format --branch``: only ASCII letters, digits and
    ``._/@+=,-`` are allowed (so no shell metacharacters, whitespace, control characters or
    ``~^:?*[\\``), plus git's own rules (no ``..``, no leading ``-``, ``/`` or ``.``
    components, no ``.lock`` components, no ``@{``, not ``HEAD``). A leading
    ``refs/heads/`` is dropped.
    """
    if not isinstance(name, str):
        raise RepoError("The branch name must be text.")
    if name == "":
        return ""
    shown = _CONTROL_RE.sub("?", name)[:80]
    if _CONTROL_RE.search(name) or any(ch.isspace() for ch in name):
        raise RepoError("A branch name cannot contain spaces, line breaks or control characters.")
    name = name.removeprefix("refs/heads/")
    if len(name) > MAX_BRANCH_LENGTH:
        raise RepoError("The branch name is too long.")
    if not _BRANCH_CHARS_RE.match(name):
        raise RepoError(
            f"Invalid branch name {shown!r}: use letters, digits and . _ / @ + = , - only."
        )
    if name.startswith("-"):
        raise RepoError(f"Invalid branch name {shown!r}: it cannot start with '-'.")
    components = name.split("/")
    if (
        ".." in name
        or "@{" in name
        or name in ("@", "HEAD")
        or name.endswith(".")
        or any(not part or part.startswith(".") or part.endswith(".lock") for part in components)
    ):
        raise RepoError(f"Invalid branch name {shown!r}: git does not allow it.")
    return name


# --------------------------------------------------------------------------------------
# Running git
# --------------------------------------------------------------------------------------

_KEEP_GIT_ENV = frozenset({"GIT_SSH_COMMAND", "GIT_SSH", "GIT_SSH_VARIANT"})


def _git_env() -> dict[str, str]:
    """A clean environment for git: no inherited GIT_* (GIT_DIR, GIT_CONFIG_*...), no prompts."""
    answer_empty = shutil.which("true") or "/bin/true"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in _KEEP_GIT_ENV}
    env.update(
        GIT_TERMINAL_PROMPT="0",
        GIT_ASKPASS=answer_empty,
        SSH_ASKPASS=answer_empty,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_SYSTEM=os.devnull,
        GIT_PROTOCOL_FROM_USER="0",
        GIT_LFS_SKIP_SMUDGE="1",
        GIT_NO_REPLACE_OBJECTS="1",
        LC_ALL="C",
        LANGUAGE="C",
    )
    if "GIT_SSH_COMMAND" not in env and "GIT_SSH" not in env:
        env["GIT_SSH_COMMAND"] = (
            "ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o ConnectTimeout=30"
        )
    return env


def _git_config(*, allow_file: bool) -> list[str]:
    """``-c`` options given to every git call."""
    settings = {
        "core.hooksPath": os.devnull,
        "core.fsmonitor": "false",
        "submodule.recurse": "false",
        "fetch.recurseSubmodules": "false",
        "protocol.allow": "never",
        "protocol.https.allow": "always",
        "protocol.ssh.allow": "always",
        "protocol.git.allow": "always",
        "protocol.file.allow": "always" if allow_file else "never",
        "protocol.ext.allow": "never",
        "filter.lfs.smudge": "",
        "filter.lfs.process": "",
        "filter.lfs.required": "false",
        "credential.helper": "",
        "gc.autoDetach": "false",
        "maintenance.autoDetach": "false",
        "advice.detachedHead": "false",
        "init.defaultBranch": "main",
        "diff.renameLimit": "5000",
    }
    args: list[str] = []
    for key, value in settings.items():
        args += ["-c", f"{key}={value}"]
    return args


def _git_binary() -> str:
    found = shutil.which("git")
    if not found:
        raise RepoError("git is not installed on the server.")
    return found


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()


@dataclass(frozen=True, slots=True)
class _Done:
    returncode: int
    stdout: bytes
    stderr: str


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()


def _run(
    args: Sequence[str],
    *,
    cwd: Path | None,
    deadline: _Deadline,
    doing: str,
    url: str = "",
    allow_file: bool = False,
    askpass: tuple[str, str] | None = None,
) -> _Done:
    """Run git with the hardened config and environment; kill its process group on timeout.

    Returns the result whatever the exit status; raises :class:`RepoTimeoutError` on timeout.
    ``doing`` ("cloning https://...") is used in the timeout message; ``url`` is the raw URL
    whose secrets must not leak.
    """
    remaining = deadline.remaining()
    if remaining <= 0:
        raise RepoTimeoutError(f"Timed out after {deadline.seconds:g} s while {doing}.")
    command = [_git_binary(), *_git_config(allow_file=allow_file), *args]
    env = _git_env()
    if askpass is not None:  # only this git process sees the secret, in its environment
        env.update(
            GIT_ASKPASS=str(ASKPASS),
            REVIEWDECK_GIT_USERNAME=askpass[0],
            REVIEWDECK_GIT_PASSWORD=askpass[1],
        )
    proc = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # own process group: killpg reaches remote helpers and ssh
    )
    try:
        out, err = proc.communicate(timeout=remaining)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        try:
            proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:  # a grandchild escaped the group and holds a pipe
            for pipe in (proc.stdout, proc.stderr):
                if pipe is not None:
                    pipe.close()
            proc.wait(timeout=5)
        raise RepoTimeoutError(f"Timed out after {deadline.seconds:g} s while {doing}.") from None
    except BaseException:
        _kill_group(proc)
        proc.wait()
        raise
    stderr = _redact(err.decode("utf-8", "replace"), url)
    for secret in askpass or ():
        if len(secret) >= 4:
            stderr = stderr.replace(secret, "***")
    return _Done(proc.returncode, out, stderr)


_NOISE = (
    "cloning into",
    "hint:",
    "please make sure you have the correct access rights",
    "and the repository exists.",
    "warning: you appear to have cloned an empty repository",
    "remote: ",
)
_AUTH_MARKERS = (
    "terminal prompts disabled",
    "authentication failed",
    "could not read username",
    "could not read password",
    "permission denied (publickey",
    "host key verification failed",
    "invalid username or password",
    "http basic: access denied",
)


def _reason(stderr: str) -> str:
    """A short reason from git's stderr: its last meaningful line, prefixes removed."""
    lines = [line.strip() for line in stderr.splitlines()]
    lines = [line for line in lines if line and not line.lower().startswith(_NOISE)]
    if not lines:
        return "git failed without saying why"
    lowered = stderr.lower()
    if "no space left on device" in lowered or "disk quota exceeded" in lowered:
        return (
            "the disk holding the work directory is full (no space left on device); "
            "free some space or move REVIEWDECK_WORKDIR"
        )
    if any(marker in lowered for marker in _AUTH_MARKERS):
        return (
            "authentication failed or the repository is private "
            "(use a token in the https URL or an ssh deploy key)"
        )
    chosen = lines[-1]
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].lower().startswith(("fatal:", "error:")):
            chosen = lines[index]
            if "could not read from remote repository" in chosen.lower() and index > 0:
                chosen = lines[index - 1]
            break
    chosen = re.sub(r"^(fatal|error):\s*", "", chosen, flags=re.IGNORECASE)
    chosen = re.sub(r"^unable to access '[^']*':\s*", "", chosen)
    return chosen[:300]


def _check(done: _Done, what: str) -> _Done:
    if done.returncode != 0:
        raise RepoError(f"{what}: {_reason(done.stderr)}")
    return done


# --------------------------------------------------------------------------------------
# Sync
# --------------------------------------------------------------------------------------


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
def _locked(dest: Path, deadline: _Deadline) -> Iterator[None]:
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
) -> SyncResult:
    """Make ``dest`` a clean checkout of ``branch`` (default branch if empty) of ``url``.

    Clones when ``dest`` is absent (or broken, or a clone of another URL), otherwise fetches
    the branch and force-checks it out, removing untracked and ignored files. The URL and
    branch are validated again here. ``timeout`` (seconds) bounds the whole operation.
    ``workdir``, when given, must contain ``dest``. ``depth`` makes a shallow clone/fetch
    (see the module docstring for the trade-off).

    Raises :class:`RepoError` (:class:`RepoTimeoutError` on timeout) with a user-facing message.
    """
    remote = _resolve_credentials(_parse_remote(url, local_roots), os.environ)
    branch = validate_branch(branch)
    dest = _check_dest(dest, workdir)
    if depth is not None and depth < 1:
        raise RepoError("depth must be at least 1.")
    deadline = _Deadline(timeout)
    with _locked(dest, deadline):
        for stale in dest.parent.iterdir():
            if stale.name.startswith(f".{dest.name}.tmp-"):
                _remove_tree(stale)
        if dest.exists() and _is_our_clone(dest, remote, deadline):
            try:
                return _update(dest, remote, branch, deadline, depth)
            except _BrokenCloneError:
                pass  # fall through to a fresh clone
        if dest.exists() and not dest.is_dir():
            raise RepoError(f"{dest} exists and is not a directory.")
        if dest.exists() and not (dest / ".git").exists() and any(dest.iterdir()):
            raise RepoError(f"{dest} exists and is not a clone; refusing to overwrite it.")
        return _clone(dest, remote, branch, deadline, depth)


def _is_our_clone(dest: Path, remote: _Remote, deadline: _Deadline) -> bool:
    """True when ``dest`` is a working clone of ``remote`` (stale lock files removed)."""
    git_dir = dest / ".git"
    if not git_dir.is_dir():
        return False
    _remove_stale_locks(git_dir)
    origin = _run(
        ["config", "--get", "remote.origin.url"], cwd=dest, deadline=deadline, doing="checking"
    )
    if origin.returncode != 0 or os.fsdecode(origin.stdout).strip() != remote.git_url:
        return False
    head = _run(
        ["rev-parse", "--verify", "-q", "HEAD^{commit}"],
        cwd=dest,
        deadline=deadline,
        doing="checking the clone",
    )
    return head.returncode == 0


def _clone(
    dest: Path, remote: _Remote, branch: str, deadline: _Deadline, depth: int | None
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
        done = _run(
            args,
            cwd=dest.parent,
            deadline=deadline,
            doing=f"cloning {shown}",
            url=remote.url,
            allow_file=remote.local,
            askpass=remote.credentials,
        )
        if done.returncode != 0:
            lowered = done.stderr.lower()
            if branch and "not found in upstream" in lowered:
                raise RepoError(f"Branch '{branch}' does not exist in {shown}.")
            raise RepoError(f"Could not clone {shown}: {_reason(done.stderr)}")
        head = _run(
            ["rev-parse", "--verify", "-q", "HEAD^{commit}"],
            cwd=tmp,
            deadline=deadline,
            doing="reading the clone",
        )
        if head.returncode != 0:
            # Nothing was checked out: either no commits at all, or the remote's HEAD names
            # a branch that does not exist (git says "empty" for both with --single-branch).
            heads = _run(
                ["ls-remote", "--heads", "--", "origin"],
                cwd=tmp,
                deadline=deadline,
                doing=f"contacting {shown}",
                url=remote.url,
                allow_file=remote.local,
                askpass=remote.credentials,
            )
            if heads.returncode == 0 and heads.stdout.strip():
                raise RepoError(
                    f"The default branch of {shown} does not exist: choose a branch to scan."
                )
            raise RepoError("The repository is empty: nothing to scan.")
        current = _current_branch(tmp, deadline)
        if branch and current != branch:  # ``clone --branch`` also accepts tags
            raise RepoError(f"Branch '{branch}' does not exist in {shown} (tags are not scanned).")
        result = _result(tmp, current, deadline)
        if dest.exists():
            _remove_tree(dest)
        tmp.rename(dest)
        return result
    finally:
        if tmp.exists():
            _remove_tree(tmp)


def _current_branch(repo: Path, deadline: _Deadline) -> str:
    done = _run(
        ["symbolic-ref", "-q", "--short", "HEAD"],
        cwd=repo,
        deadline=deadline,
        doing="reading the clone",
    )
    return os.fsdecode(done.stdout).strip() if done.returncode == 0 else ""


def _result(repo: Path, branch: str, deadline: _Deadline) -> SyncResult:
    done = _check(
        _run(
            ["show", "-s", "--no-show-signature", "--format=%H%x00%cI", "HEAD", "--"],
            cwd=repo,
            deadline=deadline,
            doing="reading the clone",
        ),
        "Could not read the checked-out commit",
    )
    sha, _, date = os.fsdecode(done.stdout).strip().partition("\x00")
    return SyncResult(
        sha=sha, branch=branch, commit_date=datetime.fromisoformat(date).astimezone(UTC)
    )


def _default_branch(dest: Path, remote: _Remote, deadline: _Deadline) -> str:
    """The remote's default branch name ("" when its HEAD is detached)."""
    shown = redact_url(remote.url)
    done = _run(
        ["ls-remote", "--symref", "--", "origin", "HEAD"],
        cwd=dest,
        deadline=deadline,
        doing=f"contacting {shown}",
        url=remote.url,
        allow_file=remote.local,
        askpass=remote.credentials,
    )
    if done.returncode != 0:
        raise RepoError(f"Could not fetch {shown}: {_reason(done.stderr)}")
    symref, has_head = "", False
    for line in os.fsdecode(done.stdout).splitlines():
        target, _, name = line.partition("\t")
        if name != "HEAD":
            continue
        if target.startswith("ref: refs/heads/"):
            symref = target.removeprefix("ref: refs/heads/")
        elif _SHA_RE.match(target):
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
    dest: Path, remote: _Remote, branch: str, deadline: _Deadline, depth: int | None
) -> SyncResult:
    shown = redact_url(remote.url)
    target = branch or _default_branch(dest, remote, deadline)
    source = f"refs/heads/{target}" if target else "HEAD"
    args = ["fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--no-write-fetch-head"]
    if depth is not None:
        args += ["--depth", str(depth)]
    args += ["--", "origin", f"+{source}:{_TARGET_REF}"]
    done = _run(
        args,
        cwd=dest,
        deadline=deadline,
        doing=f"fetching {shown}",
        url=remote.url,
        allow_file=remote.local,
        askpass=remote.credentials,
    )
    if done.returncode != 0:
        if branch and "couldn't find remote ref" in done.stderr.lower():
            raise RepoError(f"Branch '{branch}' does not exist in {shown}.")
        raise RepoError(f"Could not fetch {shown}: {_reason(done.stderr)}")
    checkout = ["checkout", "--quiet", "--force", "--no-recurse-submodules"]
    checkout += ["-B", target, _TARGET_REF] if target else ["--detach", _TARGET_REF]
    for local_step in (checkout, ["clean", "-ffdxq"]):
        done = _run(local_step, cwd=dest, deadline=deadline, doing="updating the clone")
        if done.returncode != 0:
            raise _BrokenCloneError(done.stderr)
    return _result(dest, target, deadline)


# --------------------------------------------------------------------------------------
# Reading a clone
# --------------------------------------------------------------------------------------


def _check_sha(sha: str) -> str:
    if not isinstance(sha, str) or not _SHA_RE.match(sha):
        raise RepoError(f"Not a commit id: {str(sha)[:80]!r}")
    return sha


def _require_commit(dest: Path, sha: str, deadline: _Deadline) -> None:
    done = _run(
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
    _check_sha(old_sha)
    _check_sha(new_sha)
    deadline = _Deadline(timeout)
    _require_commit(dest, old_sha, deadline)
    _require_commit(dest, new_sha, deadline)
    done = _check(
        _run(
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
        _check_sha(rev)
    deadline = _Deadline(timeout)
    done = _check(
        _run(
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
    timeout: int = LOCAL_COMMAND_TIMEOUT,
) -> list[tuple[str, datetime]]:
    """The last commit of each of the last ``weeks`` calendar weeks, oldest first.

    Weeks are ISO weeks (Monday 00:00 UTC) and include the current one. The branch's
    first-parent history is walked (``branch`` empty = ``HEAD``) and each week keeps its
    newest commit by committer date; weeks without commits are skipped. Dates are UTC.
    """
    if weeks < 1:
        return []
    rev = f"refs/heads/{validate_branch(branch)}" if branch else "HEAD"
    now = (now or datetime.now(UTC)).astimezone(UTC)
    this_monday = (now - timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    start = this_monday - timedelta(weeks=weeks - 1)
    deadline = _Deadline(timeout)
    done = _check(
        _run(
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
    done = _check(
        _run(
            [
                "log",
                f"-n{max_commits}",
                "--no-renames",
                "--no-show-signature",
                "--format=%x00%cI",
                "--name-only",
                _check_sha(commit),
                "--",
            ],
            cwd=dest,
            deadline=_Deadline(timeout),
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


def export_tree(
    dest: Path, commit: str, target: Path, *, timeout: int = LOCAL_COMMAND_TIMEOUT
) -> None:
    """Write the files of ``commit`` into the empty directory ``target`` (no checkout, no
    filters, no hooks): ``git archive`` streamed through tarfile's "data" filter, which
    refuses absolute paths, ``..`` and links that point outside ``target``."""
    deadline = _Deadline(timeout)
    command = [
        _git_binary(),
        *_git_config(allow_file=False),
        "archive",
        "--format=tar",
        _check_sha(commit),
    ]
    proc = subprocess.Popen(
        command,
        cwd=dest,
        env=_git_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    timer = threading.Timer(deadline.remaining(), _kill_group, args=(proc,))
    timer.start()
    try:
        assert proc.stdout is not None
        with tarfile.open(fileobj=proc.stdout, mode="r|") as archive:
            for member in archive:
                if member.isfile() or member.isdir():
                    archive.extract(member, target, filter="data")
        stderr = proc.stderr.read() if proc.stderr else b""
        code = proc.wait()
    except tarfile.TarError as exc:
        _kill_group(proc)
        proc.wait()
        raise RepoError(f"Could not read commit {commit[:12]}: {exc}") from exc
    finally:
        timer.cancel()
    if deadline.remaining() <= 0:
        raise RepoTimeoutError(f"Timed out after {timeout} s while exporting {commit[:12]}.")
    if code != 0:
        raise RepoError(f"Could not read commit {commit[:12]}: {_reason(stderr.decode())}")


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
    deadline = _Deadline(timeout)
    spec = f"{_check_sha(commit)}:{path}"
    size = _run(["cat-file", "-s", spec], cwd=dest, deadline=deadline, doing="reading a file")
    kind = _run(["cat-file", "-t", spec], cwd=dest, deadline=deadline, doing="reading a file")
    if size.returncode != 0 or kind.returncode != 0 or kind.stdout.strip() != b"blob":
        return None
    if int(size.stdout.strip() or 0) > max_bytes:
        return None
    blob = _run(["cat-file", "blob", spec], cwd=dest, deadline=deadline, doing="reading a file")
    return blob.stdout if blob.returncode == 0 else None
