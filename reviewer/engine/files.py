"""Finding the Python files under a root and reading them safely.

A reviewed checkout is untrusted input: symbolic links are never followed (a link could
point anywhere on the machine), FIFOs and devices are not opened, sizes are checked before
reading, and content must be UTF-8 text. Every refusal is a :class:`SourceError` whose
message ends up in a Note.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path, PurePosixPath

from reviewer.engine.types import Note

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".eggs",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "node_modules",
        "__pycache__",
        "site-packages",
        "build",
        "dist",
    }
)

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


class SourceError(Exception):
    """A file that is not reviewed, and why (the message is shown to the user)."""


def printable(path: str) -> str:
    """A path safe to show and store: undecodable bytes in file names become U+FFFD."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def discover(root: Path) -> tuple[list[str], list[Note]]:
    """Relative POSIX paths of the ``*.py`` files under ``root`` (sorted), and Notes for
    what was skipped on the way (links, unreadable folders, undecodable names)."""
    paths: list[str] = []
    notes: list[Note] = []

    def walk_error(exc: OSError) -> None:
        where = _relative(root, Path(exc.filename)) if exc.filename else "."
        notes.append(Note(where, f"folder not readable, skipped: {exc.strerror or exc}"))

    top = os.fspath(root)
    for dirpath, dirnames, filenames in os.walk(top, onerror=walk_error, followlinks=False):
        # Relative names by string slicing: pathlib per file was most of a warm review.
        prefix = dirpath[len(top) :].strip(os.sep).replace(os.sep, "/")
        prefix = prefix + "/" if prefix else ""
        kept = []
        for name in sorted(dirnames):
            if name in SKIP_DIRS:
                continue
            if os.path.islink(os.path.join(dirpath, name)):
                notes.append(Note(printable(prefix + name), "symbolic link not followed"))
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in filenames:
            if not name.endswith(".py"):
                continue
            rel = prefix + name
            if rel != printable(rel):
                notes.append(Note(printable(rel), "file name is not valid UTF-8, skipped"))
            elif os.path.islink(os.path.join(dirpath, name)):
                notes.append(Note(rel, "symbolic link not followed"))
            else:
                paths.append(rel)
    paths.sort()
    return paths, notes


def _relative(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def check_relative(root: Path, rel: str) -> str:
    """Normalise a caller-given relative path; refuse one that leaves ``root`` or goes
    through a symbolic link."""
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise SourceError("path is not relative to the reviewed folder, skipped")
    current = root
    for part in pure.parts[:-1]:
        current = current / part
        if current.is_symlink():
            raise SourceError("inside a symbolically linked folder, not followed")
    return pure.as_posix()


def read_source(root: Path, rel: str, max_bytes: int) -> str:
    """The text of ``root/rel``: a regular file (not a link), at most ``max_bytes``, UTF-8
    without NUL bytes. A UTF-8 byte-order mark is dropped."""
    full = root / rel
    try:
        info = os.lstat(full)
    except FileNotFoundError:
        raise SourceError("file not found") from None
    except OSError as exc:
        raise SourceError(f"cannot be read: {exc.strerror or exc}") from None
    if stat.S_ISLNK(info.st_mode):
        raise SourceError("symbolic link not followed")
    if not stat.S_ISREG(info.st_mode):
        raise SourceError("not a regular file, skipped")
    if info.st_size > max_bytes:
        raise SourceError(f"larger than {max_bytes} bytes ({info.st_size}), skipped")
    try:
        fd = os.open(full, _OPEN_FLAGS)
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise SourceError(f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise SourceError(f"larger than {max_bytes} bytes, skipped")
    if b"\0" in data:
        raise SourceError("binary file (contains NUL bytes), skipped")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"not valid UTF-8 (byte offset {exc.start}), skipped") from None
