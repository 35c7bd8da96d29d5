"""Local repositories: a reviewed directory's git config never runs, and a repository
under the allowed roots cannot borrow objects from outside them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer import git
from tests.conftest import GIT_ENV, ROOT, GitRepo

SLEEPY = "import time\n\nasync def handler():\n    time.sleep(1)\n"


def test_review_of_a_directory_never_runs_its_git_config(
    make_repo: Callable[[str], GitRepo], tmp_path: Path
) -> None:
    repo = make_repo("hostile")
    repo.commit({"app.py": SLEEPY, ".gitignore": "build/\n", "build/skip.py": SLEEPY})
    marker = tmp_path / "fsmonitor-ran"
    hook = tmp_path / "hook.sh"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
    hook.chmod(0o755)
    for key in ("core.fsmonitor", "core.pager", "diff.external", "core.sshCommand"):
        repo.git("config", key, str(hook))
    repo.git("config", "core.hooksPath", str(tmp_path))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dashboard.settings"}
    env.pop("DATABASE_URL", None)
    env["REVIEWDECK_DATA_DIR"] = str(tmp_path / "data")
    done = subprocess.run(
        [sys.executable, "manage.py", "review", str(repo.path), "--format", "json", "--no-cache"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr
    assert '"AS001"' in done.stdout
    assert "build/skip.py" not in done.stdout  # .gitignore still honoured
    assert not marker.exists()


def bare_with_alternates(base: Path, secret: GitRepo) -> Path:
    """A bare repository under ``base`` that borrows ``secret``'s objects."""
    target = base / "borrower.git"
    subprocess.run(
        ["git", "clone", "-q", "--bare", "--shared", str(secret.path), str(target)],
        check=True,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
    )
    assert (target / "objects" / "info" / "alternates").read_text().strip()
    return target


def test_alternates_outside_the_roots_are_refused(
    make_repo: Callable[[str], GitRepo], tmp_path: Path
) -> None:
    secret = make_repo("outside/secret")
    secret.commit({"secret.py": "TOKEN = 'team A only'\n"})
    root = tmp_path / "allowed"
    root.mkdir()
    borrower = bare_with_alternates(root, secret)
    with pytest.raises(git.RepoError, match="borrows objects"):
        git.validate_repo_url(str(borrower), local_roots=[root])
    with pytest.raises(git.RepoError, match="borrows objects"):
        git.sync(str(borrower), tmp_path / "clones" / "p", local_roots=[root])
    assert not (tmp_path / "clones" / "p").exists()


def test_alternates_inside_the_roots_are_fine(
    make_repo: Callable[[str], GitRepo], tmp_path: Path
) -> None:
    source = make_repo("allowed/source")
    source.commit({"app.py": SLEEPY})
    borrower = bare_with_alternates(tmp_path / "allowed", source)
    result = git.sync(str(borrower), tmp_path / "clones" / "p", local_roots=[tmp_path / "allowed"])
    assert result.sha == source.git("rev-parse", "HEAD")


def test_alternates_of_alternates_are_followed(
    make_repo: Callable[[str], GitRepo], tmp_path: Path
) -> None:
    secret = make_repo("outside/secret")
    secret.commit({"secret.py": "x = 1\n"})
    middle = bare_with_alternates(tmp_path / "allowed", secret)
    # The repository under the roots borrows from `middle` (inside), which borrows outside.
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--bare",
            "--shared",
            str(middle),
            str(tmp_path / "allowed" / "top.git"),
        ],
        check=True,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
    )
    with pytest.raises(git.RepoError, match="borrows objects"):
        git.validate_repo_url(
            str(tmp_path / "allowed" / "top.git"), local_roots=[tmp_path / "allowed"]
        )
