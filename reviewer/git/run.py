"""The bottom layer: run one git command with the hardened config and environment.

Every git process of the project starts here. It gets ``-c`` options that switch off hooks,
fsmonitor, submodules, LFS filters, credential helpers and every transport not allowed
for the call; an environment with no inherited ``GIT_*`` variable, no system or global
config and no prompts (``GIT_ASKPASS`` answers from variables only that process sees); a
deadline, after which its whole process group is killed; and stderr with credentials
redacted. GitPython's guards check what callers pass: ``Git.check_unsafe_protocols`` on
every remote URL (``ext::`` and other remote helpers) and ``Git.check_unsafe_options``
on the options (``--upload-pack``, ``--receive-pack``, ``--exec``...).

The process itself is started here rather than with ``git.Git.execute``: that method
always copies the worker's environment into git's (so an inherited ``GIT_DIR`` or
``GIT_CONFIG_PARAMETERS`` would reach git) and its timeout kills the children it can
enumerate, not a process group.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from git import Git
from git.exc import UnsafeOptionError, UnsafeProtocolError

from reviewer.git.errors import UNREACHABLE, RepoError, RepoTimeoutError, RepoUnreachableError
from reviewer.git.redact import redact

logger = logging.getLogger(__name__)
LOCAL_COMMAND_TIMEOUT = 60
SHA_RE = re.compile(r"^[0-9a-fA-F]{4,64}$")
ASKPASS = Path(__file__).with_name("askpass.sh")


_KEEP_GIT_ENV = frozenset({"GIT_SSH_COMMAND", "GIT_SSH", "GIT_SSH_VARIANT"})


def git_env() -> dict[str, str]:
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


def git_config(*, allow_file: bool) -> list[str]:
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


def git_binary() -> str:
    found = shutil.which("git")
    if not found:
        raise RepoError("git is not installed on the server.")
    return found


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()


@dataclass(frozen=True, slots=True)
class Done:
    returncode: int
    stdout: bytes
    stderr: str


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()


# Options that make git run a program named on the command line (GitPython's lists for
# clone, fetch, ls-remote and push). Our own fixed ``--config``/``--template=`` on clone
# are not in it: they come from this package, never from a caller's input.
UNSAFE_OPTIONS = ["--upload-pack", "-u", "--receive-pack", "--exec", "--separate-git-dir"]


def guard(args: Sequence[str], url: str = "") -> None:
    """GitPython's guards: no remote-helper URL (``ext::``, ``fd::``...), no option that
    runs a program. Raises :class:`RepoError` (the validation in ``urls`` refuses these
    first; this holds even for a caller that skipped it)."""
    try:
        if url:
            Git.check_unsafe_protocols(url)
        Git.check_unsafe_options(
            options=[arg for arg in args if arg.startswith("-")], unsafe_options=UNSAFE_OPTIONS
        )
    except (UnsafeProtocolError, UnsafeOptionError) as exc:
        raise RepoError(f"Refused to run git: {redact(str(exc), url)}") from None


def start(
    args: Sequence[str],
    *,
    cwd: Path | None,
    allow_file: bool = False,
    url: str = "",
    extra_env: Mapping[str, str] | None = None,
    network: Sequence[str] = (),
    stdin: bool = False,
) -> subprocess.Popen[bytes]:
    """Start git (guarded, hardened config and environment) in its own process group.
    ``network`` holds the ``-c`` options that pin a remote call to the address the
    outbound policy checked (:mod:`reviewer.git.reach`); ``stdin``: git reads a pipe
    (else ``/dev/null``)."""
    guard(args, url)
    command = [git_binary(), *git_config(allow_file=allow_file), *network, *args]
    env = git_env()
    env.update(extra_env or {})
    return subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # own process group: killpg reaches remote helpers and ssh
    )


def run(
    args: Sequence[str],
    *,
    cwd: Path | None,
    deadline: Deadline,
    doing: str,
    url: str = "",
    allow_file: bool = False,
    askpass: tuple[str, str] | None = None,
    network: tuple[Sequence[str], Mapping[str, str]] = ((), {}),
    input: bytes | None = None,
) -> Done:
    """Run git with the hardened config and environment; kill its process group on timeout.

    Returns the result whatever the exit status; raises :class:`RepoTimeoutError` on timeout.
    ``doing`` ("cloning https://...") is used in the timeout message; ``url`` is the raw URL
    whose secrets must not leak; ``input`` is written to git's stdin.
    """
    remaining = deadline.remaining()
    if remaining <= 0:
        raise RepoTimeoutError(f"Timed out after {deadline.seconds:g} s while {doing}.")
    extra_env = dict(network[1])
    if askpass is not None:  # only this git process sees the secret, in its environment
        extra_env |= {
            "GIT_ASKPASS": str(ASKPASS),
            "REVIEWDECK_GIT_USERNAME": askpass[0],
            "REVIEWDECK_GIT_PASSWORD": askpass[1],
        }
    proc = start(
        args,
        cwd=cwd,
        allow_file=allow_file,
        url=url,
        extra_env=extra_env,
        network=network[0],
        stdin=input is not None,
    )
    try:
        out, err = proc.communicate(input=input, timeout=remaining)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        try:
            proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:  # a grandchild escaped the group and holds a pipe
            for pipe in (proc.stdout, proc.stderr):
                if pipe is not None:
                    pipe.close()
            proc.wait(timeout=5)
        raise RepoTimeoutError(f"Timed out after {deadline.seconds:g} s while {doing}.") from None
    except BaseException:
        kill_group(proc)
        proc.wait()
        raise
    stderr = redact(err.decode("utf-8", "replace"), url)
    for secret in askpass or ():
        if len(secret) >= 4:
            stderr = stderr.replace(secret, "***")
    return Done(proc.returncode, out, stderr)


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


# What git says when the host did not answer as a git server: refused, reset, silent, not
# TLS, no such name... Users see only "could not reach the repository": on an allowed
# host the difference between a closed port and a TLS error is of no use to them, and
# it would map a network for anyone else. The worker's log keeps git's words.
_TRANSPORT_MARKERS = (
    "could not resolve",
    "connection refused",
    "failed to connect",
    "couldn't connect",
    "unable to connect",
    "connection reset",
    "connection timed out",
    "network is unreachable",
    "no route to host",
    "gnutls",
    "ssl routines",
    "ssl_connect",
    "openssl",
    "wrong version number",
    "tls connection",
    "certificate",
    "handshake",
    "empty reply",
    "unexpected disconnect",
    "the remote end hung up",
    "early eof",
    "protocol error",
    "bad line length",
    "recv failure",
    "send failure",
    "relay:",
    "kex_exchange",
    "connection closed",
)


def failure(what: str, stderr: str) -> RepoError:
    """The error for a failed remote call: :class:`RepoUnreachableError` with the generic
    message for transport failures, else a :class:`RepoError` with git's reason."""
    lowered = stderr.lower()
    if not any(marker in lowered for marker in _AUTH_MARKERS) and any(
        marker in lowered for marker in _TRANSPORT_MARKERS
    ):
        logger.warning("%s: %s", what, " | ".join(stderr.strip().splitlines()[-3:])[:500])
        return RepoUnreachableError(f"{what}: {UNREACHABLE}")
    return RepoError(f"{what}: {reason(stderr)}")


def reason(stderr: str) -> str:
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


def check(done: Done, what: str) -> Done:
    if done.returncode != 0:
        raise RepoError(f"{what}: {reason(done.stderr)}")
    return done


def check_sha(sha: str) -> str:
    if not isinstance(sha, str) or not SHA_RE.match(sha):
        raise RepoError(f"Not a commit id: {str(sha)[:80]!r}")
    return sha
