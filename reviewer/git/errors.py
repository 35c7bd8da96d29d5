"""The one exception family of the git layer: short, user-facing, free of credentials."""

from __future__ import annotations


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
