"""The per-machine repository cache (``git.fetch``) and trees of exact commits
(``git.tree``): real repositories, no database."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer import git
from tests.conftest import GitRepo


def fetch(repo: GitRepo, dest: Path, commit: str = "") -> git.SyncResult:
    return git.fetch(str(repo.path), dest, "main", commit=commit, local_roots=[repo.path.parent])


def test_the_cache_holds_no_files_and_a_tree_is_the_exact_commit(
    tmp_path: Path, make_repo: Callable[[str], GitRepo]
) -> None:
    repo = make_repo("origin")
    first = repo.commit({"app.py": "x = 1\n"})
    cache = tmp_path / "work" / "project-1"
    synced = fetch(repo, cache)
    assert (synced.sha, synced.branch) == (first, "main")
    assert sorted(p.name for p in cache.iterdir()) == [".git"]  # nothing checked out

    second = repo.commit({"app.py": "x = 2\n", "b.py": "y = 1\n"})
    assert fetch(repo, cache).sha == second
    trees = tmp_path / "work" / "trees" / "project-1"
    old = git.tree(cache, first, trees, keep_seconds=3600)
    new = git.tree(cache, second, trees, keep_seconds=3600)
    assert (old / "app.py").read_text() == "x = 1\n" and not (old / "b.py").exists()
    assert (new / "app.py").read_text() == "x = 2\n" and (new / "b.py").exists()
    assert git.tree(cache, first, trees, keep_seconds=3600) == old  # cached, not exported again


def test_a_commit_another_machine_scanned_is_fetched_even_after_a_force_push(
    tmp_path: Path, make_repo: Callable[[str], GitRepo]
) -> None:
    repo = make_repo("origin")
    base = repo.commit({"app.py": "x = 1\n"})
    scanned = repo.commit({"app.py": "x = 2\n"})
    repo.git("reset", "-q", "--hard", base)  # the branch is rewritten: scanned left it
    head = repo.commit({"app.py": "x = 3\n"})
    cache = tmp_path / "other-machine" / "project-1"  # never saw the repository
    assert fetch(repo, cache, commit=scanned).sha == scanned
    tree = git.tree(cache, scanned, tmp_path / "other-machine" / "trees", keep_seconds=60)
    assert (tree / "app.py").read_text() == "x = 2\n"
    assert fetch(repo, cache).sha == head
    with pytest.raises(git.RepoError, match="no longer in"):
        fetch(repo, cache, commit="0" * 40)


def test_an_old_full_clone_is_reused_and_unused_trees_are_pruned(
    tmp_path: Path, make_repo: Callable[[str], GitRepo]
) -> None:
    repo = make_repo("origin")
    first = repo.commit({"app.py": "x = 1\n"})
    cache = tmp_path / "work" / "project-1"
    git.sync(str(repo.path), cache, "main", local_roots=[repo.path.parent])  # an old release
    marker = cache / ".git" / "objects"
    inode = marker.stat().st_ino
    second = repo.commit({"app.py": "x = 2\n"})
    assert fetch(repo, cache).sha == second
    assert marker.stat().st_ino == inode  # fetched into, not cloned again

    trees = tmp_path / "work" / "trees" / "project-1"
    old = git.tree(cache, first, trees, keep_seconds=3600)
    stale = time.time() - 7200
    os.utime(old, (stale, stale))
    git.tree(cache, second, trees, keep_seconds=3600)
    assert not old.exists() and (trees / second).is_dir()
    with pytest.raises(git.RepoError):
        git.tree(cache, "HEAD", trees, keep_seconds=3600)  # exact commit ids only
