"""A small git repository with known review findings, built from files shipped here.

Each folder under ``files/`` is one commit, applied in name order on top of the previous
tree; its name (after the number) is the commit message. ``serve --demo`` uses it so the
first screen is not empty, and the tests use it as a realistic repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

FILES = Path(__file__).parent / "files"
_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Reviewdeck Demo",
    "GIT_AUTHOR_EMAIL": "demo@reviewdeck.invalid",
    "GIT_COMMITTER_NAME": "Reviewdeck Demo",
    "GIT_COMMITTER_EMAIL": "demo@reviewdeck.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def commits() -> list[Path]:
    return sorted(p for p in FILES.iterdir() if p.is_dir())


def build_demo_repo(dest: Path, upto: int | None = None) -> Path:
    """Create (or recreate) the demo repository at ``dest`` with the first ``upto`` commits."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    env = {**os.environ, **_GIT_ENV}

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=dest, env=env, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    for commit_dir in commits()[:upto]:
        shutil.copytree(commit_dir, dest, dirs_exist_ok=True)
        git("add", "-A")
        git("commit", "-q", "-m", commit_dir.name.split("-", 1)[1].replace("-", " "))
    return dest
