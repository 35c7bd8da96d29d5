"""A small git repository with known review findings, built from files shipped here.

Each folder under ``files/`` is one commit, applied in name order on top of the previous
tree; its name (after the number) is the commit message. ``serve --demo`` uses it so the
first screen is not empty, and the tests use it as a realistic repository.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from reviewer.git.local import commit_all, init_repository

FILES = Path(__file__).parent / "files"
_AUTHOR = {"name": "Reviewdeck Demo", "email": "demo@reviewdeck.invalid"}


def commits() -> list[Path]:
    return sorted(p for p in FILES.iterdir() if p.is_dir())


def build_demo_repo(dest: Path, upto: int | None = None) -> Path:
    """Create (or recreate) the demo repository at ``dest`` with the first ``upto`` commits."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    init_repository(dest)
    for commit_dir in commits()[:upto]:
        shutil.copytree(commit_dir, dest, dirs_exist_ok=True)
        commit_all(dest, commit_dir.name.split("-", 1)[1].replace("-", " "), **_AUTHOR)
    return dest
