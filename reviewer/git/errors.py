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


UNREACHABLE = "could not reach the repository"


class RepoUnreachableError(RepoError):
    """The repository's host did not answer as a git server (refused, reset, TLS, DNS...).
    The message says only that; the transport detail goes to the worker's log."""


class RepoRefusedError(RepoError):
    """The repository's host is on an address the server may not contact (outbound
    policy). Shown like an unreachable host; permanent, so never retried."""
