"""The non-Python files project rules read, found as safely as the Python ones.

Two kinds: a fixed list of well-known names at the repository root (packaging, lock,
tool configuration and CI files), and Dockerfiles and dotenv files found by a walk that is
bounded in depth and count. Symbolic links are never followed, git-ignored files are
dropped (a local ``.env`` that git ignores is not "committed"), the default and configured
``exclude`` globs apply, and reading goes through ``files.read_source`` (regular UTF-8
files under the size limit only).

Nothing here is cached between reviews: project rules run on every review, so an edited
Dockerfile or lock file is always read afresh (the engine caches only per-file results).
"""

from __future__ import annotations

import os
import re
import stat
import weakref
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from reviewer.engine.code_context import CONFIG_FILES
from reviewer.engine.context import ProjectContext, split_lines
from reviewer.engine.files import SKIP_DIRS, SourceError, printable, read_source
from reviewer.engine.project_config import excluded, git_ignored, load_config

#: Files read at the repository root only (exact names, then globs of one folder level).
ROOT_FILES: tuple[str, ...] = (
    *sorted(CONFIG_FILES),  # tool configuration, CI included (code_context's list)
    "setup.py",
    "noxfile.py",
    ".travis.yml",
    "azure-pipelines.yml",
    "bitbucket-pipelines.yml",
    "Jenkinsfile",
    "Pipfile",
    "Pipfile.lock",
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
    "pylock.toml",
    "python.lock",
    "requirements.lock",
    "requirements-dev.lock",
    "conda-lock.yml",
)
ROOT_GLOBS: tuple[str, ...] = (
    "requirements*.txt",
    "constraints*.txt",
    "pylock.*.toml",
    "requirements/*.txt",
    ".github/workflows/*.yml",
    ".github/workflows/*.yaml",
    ".circleci/*.yml",
)
#: Dockerfiles and dotenv files are looked for this many folders below the root, at most
#: this many of them (a generated tree with thousands of them says nothing more).
WALK_DEPTH = 4
WALK_LIMIT = 50
#: Largest file read (the engine's default for Python files).
MAX_BYTES = 1_000_000

_DOCKERFILE = re.compile(r"^(Dockerfile|Containerfile)([.-].+)?$|^.+\.(Dockerfile|dockerfile)$")
_DOTENV = re.compile(r"^(\.env([.\-_].+)?|.+\.env|env\.(example|sample|template|dist))$")
# Folders whose Dockerfiles describe a developer's machine, not a deployed image.
_WALK_SKIP = {".devcontainer"}


def is_dockerfile(name: str) -> bool:
    return bool(_DOCKERFILE.match(name))


def is_dotenv(name: str) -> bool:
    return bool(_DOTENV.match(name))


@dataclass(slots=True)
class RepoFiles:
    """The well-known files of one reviewed tree (relative POSIX paths, sorted)."""

    root: Path
    paths: list[str]
    _texts: dict[str, str | None] = field(default_factory=dict)

    def has(self, rel: str) -> bool:
        return rel in self.paths

    def matching(self, pattern: str) -> list[str]:
        return [p for p in self.paths if fnmatchcase(p, pattern)]

    def text(self, rel: str) -> str | None:
        """The file's text, or None when it is absent or cannot be read."""
        if rel not in self.paths:
            return None
        if rel not in self._texts:
            try:
                self._texts[rel] = read_source(self.root, rel, MAX_BYTES)
            except SourceError:
                self._texts[rel] = None
        return self._texts[rel]

    def any_text(self, rel: str) -> str | None:
        """The text of any file under the root (a script a Dockerfile copies, say), read
        with the same guards as the sources (no links out, size cap); None if unreadable."""
        if rel in self.paths:
            return self.text(rel)
        if rel not in self._texts:
            self._texts[rel] = None
            try:
                inside = (self.root / rel).parent.resolve().is_relative_to(self.root.resolve())
                if inside:  # no linked folder on the way out of the repository
                    self._texts[rel] = read_source(self.root, rel, MAX_BYTES)
            except (SourceError, OSError, ValueError):
                self._texts[rel] = None
        return self._texts[rel]

    def lines(self, rel: str) -> list[str]:
        text = self.text(rel)
        return split_lines(text) if text is not None else []

    def dockerfiles(self) -> list[str]:
        return [p for p in self.paths if is_dockerfile(PurePosixPath(p).name)]

    def dotenvs(self) -> list[str]:
        return [p for p in self.paths if is_dotenv(PurePosixPath(p).name)]


def find(root: Path) -> RepoFiles:
    """The well-known files under ``root`` that exist, are regular files (no links, no
    linked folders on the way) and are neither git-ignored nor excluded."""
    found: set[str] = set()
    for name in ROOT_FILES:
        if _regular(root / name):
            found.add(name)
    for pattern in ROOT_GLOBS:
        folder, _, name_glob = pattern.rpartition("/")
        for rel in _listing(root, folder):
            if fnmatchcase(PurePosixPath(rel).name, name_glob):
                found.add(rel)
    found.update(_walk(root))
    config, _ = load_config(root)
    kept = [p for p in found if not excluded(p, config)]
    ignored = git_ignored(root, sorted(kept))
    return RepoFiles(root, sorted(p for p in kept if p not in ignored))


_FOUND: weakref.WeakKeyDictionary[ProjectContext, RepoFiles] = weakref.WeakKeyDictionary()


def for_project(ctx: ProjectContext) -> RepoFiles:
    """``find(ctx.root)`` once per review, shared by every project rule."""
    files = _FOUND.get(ctx)
    if files is None:
        files = _FOUND[ctx] = find(ctx.root)
    return files


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _listing(root: Path, folder: str) -> list[str]:
    """Regular files directly in ``root/folder`` (a folder reached through no link)."""
    current = root
    for part in PurePosixPath(folder).parts if folder else ():
        current = current / part
        try:
            if not stat.S_ISDIR(os.lstat(current).st_mode):
                return []
        except OSError:
            return []
    try:
        entries = list(os.scandir(current))
    except OSError:
        return []
    prefix = f"{folder}/" if folder else ""
    return sorted(prefix + e.name for e in entries if e.is_file(follow_symlinks=False))


def _walk(root: Path) -> list[str]:
    """Dockerfiles and dotenv files at most WALK_DEPTH folders down, WALK_LIMIT of them."""
    found: list[str] = []
    pending: list[tuple[Path, str, int]] = [(root, "", 0)]
    while pending and len(found) < WALK_LIMIT:
        folder, prefix, depth = pending.pop(0)  # breadth first: shallow files win the limit
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if depth < WALK_DEPTH and entry.name not in SKIP_DIRS | _WALK_SKIP:
                        pending.append((Path(entry.path), f"{prefix}{entry.name}/", depth + 1))
                elif (
                    entry.is_file(follow_symlinks=False)
                    and entry.name == printable(entry.name)
                    and (is_dockerfile(entry.name) or is_dotenv(entry.name))
                ):
                    found.append(prefix + entry.name)
            except OSError:
                continue
    return found[:WALK_LIMIT]
