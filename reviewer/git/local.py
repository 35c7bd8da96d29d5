"""Writing our own repositories (the demo): init, then commit everything in the work tree.

Runs through the same hardened :func:`reviewer.git.run.run` as every other git call; the
identity is given with ``-c`` so nothing depends on the user's git config.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from reviewer.git.run import LOCAL_COMMAND_TIMEOUT, Deadline, check, run


def init_repository(path: Path, branch: str = "main") -> None:
    """Make ``path`` (an existing directory) an empty repository on ``branch``."""
    check(
        run(
            ["init", "-q", "-b", branch],
            cwd=path,
            deadline=Deadline(LOCAL_COMMAND_TIMEOUT),
            doing="creating a repository",
        ),
        "Could not create the repository",
    )


def commit_all(
    path: Path, message: str, *, name: str, email: str, when: datetime | None = None
) -> None:
    """Commit every change in ``path``'s work tree (added, changed and removed files),
    dated ``when`` (author and committer date) if given."""
    deadline = Deadline(LOCAL_COMMAND_TIMEOUT)
    check(
        run(["add", "-A"], cwd=path, deadline=deadline, doing="adding files"),
        "Could not add the files",
    )
    identity = ["-c", f"user.name={name}", "-c", f"user.email={email}"]
    dated: dict[str, str] = {}
    if when is not None:
        stamp = when.isoformat()
        dated = {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    check(
        run(
            [*identity, "commit", "-q", "--no-verify", "-m", message],
            cwd=path,
            deadline=deadline,
            doing="committing",
            network=((), dated),
        ),
        "Could not commit",
    )


def apply_check(folder: Path, patch: bytes, timeout: float = LOCAL_COMMAND_TIMEOUT) -> str | None:
    """None when ``patch`` applies cleanly to the files under ``folder`` (made a
    repository of its own, so git never looks at one around it); else git's complaint."""
    deadline = Deadline(timeout)
    alone = ((), {"GIT_CEILING_DIRECTORIES": str(folder.parent)})
    check(
        run(
            ["init", "-q"],
            cwd=folder,
            deadline=deadline,
            doing="creating a repository",
            network=alone,
        ),
        "Could not create the repository",
    )
    done = run(
        ["apply", "--check", "-"],
        cwd=folder,
        deadline=deadline,
        doing="checking the patch",
        network=alone,
        input=patch,
    )
    if done.returncode == 0:
        return None
    return done.stderr.strip()[:500] or "git apply failed"
