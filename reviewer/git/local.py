"""Writing our own repositories (the demo): init, then commit everything in the work tree.

Runs through the same hardened :func:`reviewer.git.run.run` as every other git call; the
identity is given with ``-c`` so nothing depends on the user's git config.
"""

from __future__ import annotations

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


def commit_all(path: Path, message: str, *, name: str, email: str) -> None:
    """Commit every change in ``path``'s work tree (added, changed and removed files)."""
    deadline = Deadline(LOCAL_COMMAND_TIMEOUT)
    check(
        run(["add", "-A"], cwd=path, deadline=deadline, doing="adding files"),
        "Could not add the files",
    )
    identity = ["-c", f"user.name={name}", "-c", f"user.email={email}"]
    check(
        run(
            [*identity, "commit", "-q", "--no-verify", "-m", message],
            cwd=path,
            deadline=deadline,
            doing="committing",
        ),
        "Could not commit",
    )
