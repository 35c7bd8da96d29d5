"""PR001-PR006: the rules that read the repository's non-Python files. Their cases are
in tests/corpus/PR00*/cases; here are the ones a corpus folder cannot hold (git, links,
the cache) and the places findings land."""

from __future__ import annotations

import subprocess
from pathlib import Path

from reviewer.engine import review
from reviewer.engine.profile import EXTENDED_PROFILE
from reviewer.engine.repo_files import WALK_DEPTH, find

ROOT_DOCKERFILE = "FROM python:3.12-slim\nCMD ['python']\n"
SECRET_ENV = "SECRET_KEY=9c1e7f0b2a4d6e8f\n"


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def _found(root: Path, rule_ids: list[str] | None = None) -> set[tuple[str, str, int]]:
    result = review(root, jobs=1, rule_ids=rule_ids or ["PR"], profile=EXTENDED_PROFILE)
    return {(i.rule_id, i.path, i.line) for i in result.issues}


def test_a_git_ignored_env_file_is_neither_read_nor_reported(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    _write(tmp_path, {".gitignore": ".env\nlocal/\n", ".env": SECRET_ENV})
    _write(tmp_path, {"local/Dockerfile": ROOT_DOCKERFILE})
    assert find(tmp_path).paths == []
    assert _found(tmp_path) == set()
    # The same files, not ignored, are findings.
    (tmp_path / ".gitignore").write_text("")
    assert _found(tmp_path) == {("PR006", ".env", 1), ("PR005", "local/Dockerfile", 1)}


def test_linked_files_and_folders_are_not_followed(tmp_path: Path) -> None:
    outside, root = tmp_path / "outside", tmp_path / "repo"
    _write(outside, {"Dockerfile": ROOT_DOCKERFILE, ".env": SECRET_ENV, "pytest.ini": "[pytest]\n"})
    root.mkdir()
    (root / "Dockerfile").symlink_to(outside / "Dockerfile")
    (root / ".env").symlink_to(outside / ".env")
    (root / "pytest.ini").symlink_to(outside / "pytest.ini")
    (root / "deploy").symlink_to(outside, target_is_directory=True)
    assert find(root).paths == []
    assert _found(root) == set()


def test_dockerfiles_are_looked_for_only_a_few_folders_down(tmp_path: Path) -> None:
    deep = "/".join(["d"] * (WALK_DEPTH + 1))
    shallow = "/".join(["d"] * WALK_DEPTH)
    _write(tmp_path, {f"{deep}/Dockerfile": ROOT_DOCKERFILE, f"{shallow}/Dockerfile": "FROM x\n"})
    assert find(tmp_path).paths == [f"{shallow}/Dockerfile"]


def test_excluded_and_vendored_folders_are_skipped(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pyproject.toml": '[tool.reviewdeck]\nexclude = ["legacy/*"]\n',
            "legacy/Dockerfile": ROOT_DOCKERFILE,
            "app/vendor/lib/Dockerfile": ROOT_DOCKERFILE,
            "app/Dockerfile": ROOT_DOCKERFILE,
        },
    )
    assert _found(tmp_path) == {("PR005", "app/Dockerfile", 1)}


def test_a_warm_review_notices_a_changed_dockerfile(tmp_path: Path) -> None:
    root, cache_dir = tmp_path / "repo", tmp_path / "cache"
    _write(root, {"app.py": "x = 1\n", "Dockerfile": ROOT_DOCKERFILE})
    cold = review(root, jobs=1, cache_dir=cache_dir, profile=EXTENDED_PROFILE)
    assert {(i.rule_id, i.path) for i in cold.issues} == {("PR005", "Dockerfile")}
    assert review(root, jobs=1, cache_dir=cache_dir, profile=EXTENDED_PROFILE).issues == cold.issues
    # Only the Dockerfile changes: every Python file is a cache hit.
    (root / "Dockerfile").write_text(ROOT_DOCKERFILE.replace("CMD", "USER app\nCMD"))
    assert review(root, jobs=1, cache_dir=cache_dir, profile=EXTENDED_PROFILE).issues == []
    # A new file the rules read (a committed .env) is noticed too.
    (root / ".env").write_text(SECRET_ENV)
    warm = review(root, jobs=1, cache_dir=cache_dir, profile=EXTENDED_PROFILE)
    assert {(i.rule_id, i.path) for i in warm.issues} == {("PR006", ".env")}


def test_findings_show_the_file_line_and_honour_noqa(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "Dockerfile": "FROM python:3.12-slim\nUSER root  # noqa: PR005\n",
            "deploy/Dockerfile": "FROM python:3.12-slim\nUSER 0\n",
        },
    )
    result = review(tmp_path, jobs=1, rule_ids=["PR005"])
    assert [(i.path, i.line, i.snippet, i.agent) for i in result.issues] == [
        ("deploy/Dockerfile", 2, "USER 0", "python-backend-expert-enhanced")
    ]


def test_a_missing_example_is_a_suggestion_and_committed_values_are_critical(
    tmp_path: Path,
) -> None:
    _write(
        tmp_path,
        {
            ".env.production": "API_TOKEN=4f3c2b1a0f9e8d7c\n",
            "app/settings.py": "import os\n\nTOKEN = os.environ['API_TOKEN']\n",
        },
    )
    result = review(tmp_path, jobs=1, rule_ids=["PR006"])
    assert [(i.path, i.severity) for i in result.issues] == [(".env.production", "critical")]
    (tmp_path / ".env.production").unlink()
    result = review(tmp_path, jobs=1, rule_ids=["PR006"])
    assert [(i.path, i.line, i.severity) for i in result.issues] == [
        ("app/settings.py", 3, "suggestion")
    ]
    assert "`API_TOKEN`" in result.issues[0].message


def test_an_unreadable_pyproject_gives_no_guess(tmp_path: Path) -> None:
    _write(tmp_path, {"pyproject.toml": "[project\nname = 'x'\n", "app.py": "x = 1\n"})
    assert _found(tmp_path, ["PR002", "PR004"]) == set()


def test_plain_python_trees_get_no_project_findings(tmp_path: Path) -> None:
    # Most reviews of a few loose files (and most tests of other rules) look like this.
    _write(tmp_path, {"app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n"})
    assert _found(tmp_path) == set()


def test_tool_configuration_is_not_production_code_but_a_committed_secret_is(
    tmp_path: Path,
) -> None:
    _write(tmp_path, {".coveragerc": "[run]\nbranch = True\n", ".env": SECRET_ENV})
    result = review(tmp_path, jobs=1, rule_ids=["PR"], profile=EXTENDED_PROFILE)
    contexts = {(i.rule_id, i.path, i.context, i.severity) for i in result.issues}
    assert contexts == {
        ("PR001", ".coveragerc", "script", "suggestion"),
        ("PR006", ".env", "production", "critical"),
    }
