"""What a reviewed tree's own ``.gitignore`` files ignore, without running git.

Only the tree's ``.gitignore`` files count. Running ``git check-ignore`` would ask the
repository *around* the tree when the tree is not one itself (a backfill exports each
commit into a plain folder): with the data folder inside a checkout that ignores it, git
answered "ignored" for every file and backfilled weeks reviewed nothing. Parsing the files
gives the same answer for a clone and for an exported commit of the same tree.

Git's rules as far as they matter here: a ``.gitignore`` applies to paths below its own
folder, a deeper file's match wins over a shallower one (last match wins within a file),
and nothing inside an ignored folder can be re-included. Files git tracks although a
pattern matches them count as ignored too (an exported tree cannot tell them apart).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pathspec

#: A .gitignore bigger than this is not read (a hostile tree must not cost a lot).
MAX_GITIGNORE_BYTES = 256 * 1024


class TreeIgnores:
    """The ``.gitignore`` rules of one tree, read lazily per folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._specs: dict[str, _Rules | None] = {}
        self._dirs: dict[str, bool] = {"": False}

    def _spec(self, folder: str) -> _Rules | None:
        if folder not in self._specs:
            spec = _read_spec(self.root / folder / ".gitignore")
            self._specs[folder] = None if spec is None else (spec, _any_pattern(spec))
        return self._specs[folder]

    def _matches(self, rel: str, is_dir: bool) -> bool:
        """Do the rules of the folders above ``rel`` ignore it (its folders not checked)?"""
        parts = rel.split("/")
        decision: bool | None = None
        for depth in range(len(parts)):
            rules = self._spec("/".join(parts[:depth]))
            if rules is None:
                continue
            spec, any_pattern = rules
            below = "/".join(parts[depth:]) + ("/" if is_dir else "")
            if any_pattern is not None and not any_pattern.search(below):
                continue  # no rule of this file matches: one regex instead of one per rule
            include = spec.check_file(below).include
            if include is not None:
                decision = include  # the deeper file's last matching rule wins
        return bool(decision)

    def folder_ignored(self, folder: str) -> bool:
        if folder not in self._dirs:
            parent = folder.rpartition("/")[0]
            self._dirs[folder] = self.folder_ignored(parent) or self._matches(folder, True)
        return self._dirs[folder]

    def ignored(self, rel: str) -> bool:
        folder = rel.rpartition("/")[0]
        return self.folder_ignored(folder) or self._matches(rel, False)


#: A folder's rules and one regex matching wherever any of its rules matches (None when
#: the rules' regexes cannot be joined: every rule is then tried, as pathspec does).
_Rules = tuple["pathspec.GitIgnoreSpec", "re.Pattern[str] | None"]


def _any_pattern(spec: pathspec.GitIgnoreSpec) -> re.Pattern[str] | None:
    """One alternation of the rules' regexes: most paths match no rule, and this answers
    so in one search instead of one per rule (a big .gitignore has hundreds)."""
    sources = []
    for pattern in spec.patterns:
        regex = getattr(pattern, "regex", None)
        if pattern.include is None or regex is None:
            continue
        if not isinstance(regex.pattern, str):
            return None
        sources.append(_GROUP_NAME.sub("(?:", regex.pattern))
    if not sources:
        return None
    try:
        return re.compile("|".join(f"(?:{source})" for source in sources))
    except re.error:
        return None


_GROUP_NAME = re.compile(r"(?<!\\)\(\?P<\w+>")


def _read_spec(path: Path) -> pathspec.GitIgnoreSpec | None:
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_GITIGNORE_BYTES:
        return None  # links are never followed out of the tree
    try:
        text = path.read_bytes().decode("utf-8", "surrogateescape")
    except OSError:
        return None
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    # Imported here: pathspec (with typing_extensions) is 40 ms of start-up, and neither
    # the review workers nor a tree without a .gitignore need it.
    import pathspec

    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except (ValueError, TypeError):  # a pattern pathspec cannot read: the file is skipped
        return None


def ignored_paths(root: Path, paths: Sequence[str]) -> set[str]:
    """The ``paths`` (POSIX, relative to ``root``) that the tree's ``.gitignore`` files
    ignore."""
    if not paths:
        return set()
    rules = TreeIgnores(Path(root))
    return {p for p in paths if rules.ignored(p)}
