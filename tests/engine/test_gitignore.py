"""Ignore rules come from the reviewed tree's own .gitignore files, never from a git
repository around it (the README's layout keeps clones and backfill exports in ./var,
inside a checkout that ignores /var/)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from reviewer.engine import review
from reviewer.engine.gitignore import ignored_paths

BAD = 'import requests\n\n\nasync def f() -> None:\n    requests.get("x")\n'


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def _outer_checkout(tmp_path: Path) -> Path:
    """A git checkout that ignores its data folder, like Reviewdeck's own."""
    outer = tmp_path / "checkout"
    outer.mkdir()
    subprocess.run(["git", "init", "-q", str(outer)], check=True, env={**os.environ})
    (outer / ".gitignore").write_text("/var/\n*.py\n")
    return outer


def test_a_plain_folder_inside_an_ignoring_checkout_is_reviewed_in_full(tmp_path: Path) -> None:
    tree = _outer_checkout(tmp_path) / "var" / "repos" / "backfill-1"
    _write(tree, {"app/main.py": BAD, "app/other.py": BAD})
    result = review(tree, jobs=1)
    assert result.files_reviewed == 2
    assert {i.path for i in result.issues} == {"app/main.py", "app/other.py"}


def test_a_clone_inside_an_ignoring_checkout_follows_only_its_own_rules(tmp_path: Path) -> None:
    tree = _outer_checkout(tmp_path) / "var" / "repos" / "project-1"
    _write(tree, {".gitignore": "build/\n", "app.py": BAD, "build/gen.py": BAD})
    subprocess.run(["git", "init", "-q", str(tree)], check=True)
    assert review(tree, jobs=1).files_reviewed == 1


def test_nested_gitignore_files_follow_git_precedence(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            ".gitignore": "*.gen.py\nbuild/\n/top_only.py\n",
            "pkg/.gitignore": "!keep.gen.py\nlocal_*.py\n",
            "pkg/keep.gen.py": "",
            "pkg/drop.gen.py": "",
            "pkg/local_x.py": "",
            "pkg/top_only.py": "",
            "top_only.py": "",
            "build/x.py": "",
            "src/build/y.py": "",
            "ok.py": "",
        },
    )
    paths = [
        "pkg/keep.gen.py",
        "pkg/drop.gen.py",
        "pkg/local_x.py",
        "pkg/top_only.py",
        "top_only.py",
        "build/x.py",
        "src/build/y.py",
        "ok.py",
    ]
    assert ignored_paths(tmp_path, paths) == {
        "pkg/drop.gen.py",
        "pkg/local_x.py",
        "top_only.py",
        "build/x.py",
        "src/build/y.py",
    }


def test_nothing_inside_an_ignored_folder_comes_back(tmp_path: Path) -> None:
    _write(tmp_path, {".gitignore": "out/\n!out/keep.py\n", "out/keep.py": ""})
    assert ignored_paths(tmp_path, ["out/keep.py"]) == {"out/keep.py"}


def test_the_answer_matches_git_check_ignore_on_a_real_repository(tmp_path: Path) -> None:
    files = {
        ".gitignore": "*.log.py\n/dist/\ndocs/**/gen_*.py\n!docs/keep/gen_a.py\n",
        "sub/.gitignore": "*\n!*.py\nsecret.py\n",
        "a.log.py": "",
        "dist/x.py": "",
        "lib/dist/y.py": "",
        "docs/keep/gen_a.py": "",
        "docs/x/gen_b.py": "",
        "sub/secret.py": "",
        "sub/fine.py": "",
        "plain.py": "",
    }
    _write(tmp_path, files)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    paths = sorted(p for p in files if p.endswith(".py"))
    done = subprocess.run(
        ["git", "-C", str(tmp_path), "check-ignore", "--no-index", *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ignored_paths(tmp_path, paths) == set(done.stdout.split())


def test_a_linked_gitignore_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    _write(outside, {"rules": "*.py\n"})
    root = tmp_path / "root"
    _write(root, {"a.py": ""})
    (root / ".gitignore").symlink_to(outside / "rules")
    assert ignored_paths(root, ["a.py"]) == set()
