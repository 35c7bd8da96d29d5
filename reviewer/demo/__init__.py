"""A small git repository with a few weeks of dated history and known review findings,
built from files shipped here.

Each folder under ``files/`` is one commit, applied in name order on top of the previous
tree; its name (after the number) is the commit message. Built for ``serve --demo`` with
one commit a week ending this week, so trends, the debt burn-down and the meeting page have
real points on a fresh machine: migration debt goes down week by week (lifespan, Pydantic
v2, typed models, select statements), and the last commit fixes a blocking webhook call
but brings the legacy query back (a regression) and adds a new blocking call.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reviewer.git.local import commit_all, init_repository

FILES = Path(__file__).parent / "files"
_AUTHOR = {"name": "Reviewdeck Demo", "email": "demo@reviewdeck.invalid"}


def commits() -> list[Path]:
    return sorted(p for p in FILES.iterdir() if p.is_dir())


def commit_dates(now: datetime | None = None) -> list[datetime]:
    """One date per commit: a week apart, the last one an hour before ``now``."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    count = len(commits())
    return [now - timedelta(hours=1) - timedelta(weeks=count - 1 - i) for i in range(count)]


def build_demo_repo(dest: Path, upto: int | None = None, *, dated: bool = False) -> Path:
    """Create (or recreate) the demo repository at ``dest`` with the first ``upto`` commits
    (all by default); ``dated`` spreads them a week apart up to now (see commit_dates)."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    init_repository(dest)
    dates = commit_dates()
    for commit_dir, when in list(zip(commits(), dates, strict=True))[:upto]:
        add_commit(dest, commit_dir, when if dated else None)
    return dest


def add_commit(dest: Path, commit_dir: Path, when: datetime | None = None) -> None:
    shutil.copytree(commit_dir, dest, dirs_exist_ok=True)
    message = commit_dir.name.split("-", 1)[1].replace("-", " ")
    commit_all(dest, message, when=when, **_AUTHOR)
