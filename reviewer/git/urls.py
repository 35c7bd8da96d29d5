"""Repository URLs, credentials references and branch names, validated before git sees them."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from reviewer.git.errors import RepoError
from reviewer.git.redact import SCP_PASSWORD_RE, USERINFO_RE, redact_url

ALLOWED_HINT = "use https://, ssh://, git:// or a local path"
MAX_URL_LENGTH = 2000
MAX_BRANCH_LENGTH = 200

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

_SECRET_REF_RE = re.compile(r"^\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]{0,100})\}$")
_TOKEN_PREFIXES = ("ghp_", "gho_", "ghs_", "ghu_", "github_pat_", "glpat-", "gldt-", "ATBB")
CREDENTIALS_HINT = (
    "keep the token in an environment variable of the workers and write its name instead, "
    "e.g. https://oauth2:${GITLAB_TOKEN}@gitlab.example.com/team/app.git"
)


def stored_secret_problem(url: str) -> str | None:
    """Why ``url`` must not be stored (it carries a literal password or token), or None.

    Stored URLs may name credentials only as ``${ENV_VAR}`` references.
    """
    match = USERINFO_RE.search(url) or SCP_PASSWORD_RE.search(url)
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


def with_credential_refs(url: str) -> Remote:
    parts = urlsplit(url)
    user, password = parts.username or "", parts.password or ""
    user_ref = _SECRET_REF_RE.match(user)
    password_ref = _SECRET_REF_RE.match(password)
    if not user_ref and not password_ref:
        return Remote(url=url, git_url=url, local=False)
    host = parts.netloc.rpartition("@")[2]
    shown_user = "" if user_ref else f"{user}@"
    git_url = parts._replace(netloc=f"{shown_user}{host}").geturl()
    return Remote(
        url=url,
        git_url=git_url,
        local=False,
        user_ref=user_ref["name"] if user_ref else "",
        password_ref=password_ref["name"] if password_ref else "",
    )


def resolve_credentials(remote: Remote, environ: Mapping[str, str]) -> Remote:
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
class Remote:
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
    return parse_remote(url, local_roots).url


def validate_stored_repo_url(url: str, *, local_roots: Sequence[Path | str]) -> str:
    """Like :func:`validate_repo_url`, for a URL about to be saved: literal passwords and
    tokens are refused (credentials may only be ``${ENV_VAR}`` references)."""
    checked = validate_repo_url(url, local_roots=local_roots)
    problem = stored_secret_problem(checked)
    if problem:
        raise RepoError(problem)
    return checked


def parse_remote(url: str, local_roots: Sequence[Path | str]) -> Remote:
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
        return with_credential_refs(url)

    # git's rule: a colon before the first slash makes it scp-like ssh, else a local path.
    colon, slash = url.find(":"), url.find("/")
    if colon != -1 and (slash == -1 or colon < slash):
        _check_scp(url)
        return Remote(url=url, git_url=url, local=False)
    path = _check_local_path(url, local_roots)
    return Remote(url=str(path), git_url=str(path), local=True)


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


def _parse_file_url(url: str, local_roots: Sequence[Path | str]) -> Remote:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise RepoError("file:// URLs must name a path on this machine (file:///path).")
    if parts.query or parts.fragment:
        raise RepoError("file:// URLs cannot have a query or a fragment.")
    path = _check_local_path(unquote(parts.path), local_roots)
    return Remote(url=f"file://{path}", git_url=str(path), local=True)


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
        for objects in _alternates(git_dir / "objects"):
            if not any(objects.is_relative_to(root) for root in roots):
                raise RepoError(
                    "This repository borrows objects (objects/info/alternates) from outside "
                    "the directories repositories may come from."
                )
    return path


MAX_ALTERNATES = 50


def _alternates(objects: Path) -> list[Path]:
    """Every object directory ``objects`` borrows from, following alternates of
    alternates (resolved; relative entries are relative to the objects directory)."""
    found: list[Path] = []
    pending = [objects]
    while pending and len(found) < MAX_ALTERNATES:
        current = pending.pop()
        info = current / "info" / "alternates"
        try:
            lines = info.read_text(errors="replace").splitlines()
        except OSError:
            continue
        for line in lines:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith('"'):  # git's C-style quoting: refuse what we cannot read
                raise RepoError("This repository's objects/info/alternates is not readable.")
            target = (current / line).resolve()
            if target not in found:
                found.append(target)
                pending.append(target)
    if pending:
        raise RepoError("This repository borrows objects from too many places.")
    return found


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


def validate_branch_pattern(pattern: str) -> str:
    """A glob of branch names with exactly one ``*`` (``release/*``, ``release-*``, as git's
    refspecs take them); otherwise the rules of :func:`validate_branch`."""
    if not isinstance(pattern, str) or pattern.count("*") != 1:
        raise RepoError("A branch pattern has exactly one '*', e.g. release/*.")
    if validate_branch(pattern.replace("*", "x")) == "":
        raise RepoError("A branch pattern has exactly one '*', e.g. release/*.")
    return pattern.removeprefix("refs/heads/")
