"""The standalone ``reviewdeck`` console script, run as a real subprocess: exit codes,
formats, ``--diff`` on a real git history, and no Django or Celery import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GIT_ENV, GitRepo

BIN = Path(sys.executable).parent
SCRIPT = BIN / "reviewdeck"
BLOCKING = "import time\n\n\nasync def tick() -> None:\n    time.sleep(1)\n"  # AS001, critical
SETTINGS = "from pydantic import BaseSettings\n"  # PD005, important (fails on v2)
CONFIG = (  # PD001, a suggestion (deprecated, still works)
    "from pydantic import BaseModel\n\n\nclass Out(BaseModel):\n"
    "    class Config:\n        extra = 'forbid'\n"
)
CLEAN = "async def f() -> int:\n    return 1\n"


def run(*args: str, cwd: Path, cache: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        **GIT_ENV,
        "REVIEWDECK_CACHE_DIR": str(cache or cwd / ".cache-for-test"),
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [str(SCRIPT), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def rule_lines(done: subprocess.CompletedProcess[str]) -> list[tuple[str, str, int]]:
    return [(i["rule_id"], i["path"], i["line"]) for i in json.loads(done.stdout)["issues"]]


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_console_script_is_installed() -> None:
    assert SCRIPT.exists(), "uv sync installs the project's [project.scripts]"


def test_exit_codes_follow_fail_on(tmp_path: Path) -> None:
    write(tmp_path, {"app/settings.py": SETTINGS, "app/schemas.py": CONFIG})
    done = run("review", ".", "--no-ruff", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert rule_lines(done) == [("PD001", "app/schemas.py", 5), ("PD005", "app/settings.py", 1)]
    assert run("review", "--no-ruff", "--fail-on", "important", cwd=tmp_path).returncode == 1
    done = run("review", "--no-ruff", "--fail-on", "critical", cwd=tmp_path)
    assert done.returncode == 0, done.stdout
    assert "2 findings" in done.stdout  # still reported, only the status changes
    (tmp_path / "app/settings.py").unlink()
    assert run("review", "--no-ruff", "--fail-on", "important", cwd=tmp_path).returncode == 0
    assert run("review", "--no-ruff", cwd=tmp_path).returncode == 1

    clean = write(tmp_path / "clean", {"ok.py": CLEAN})
    done = run("review", str(clean), "--no-ruff", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0 and json.loads(done.stdout)["summary"]["files_reviewed"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("review", "missing"), "does not exist"),
        (("review", "--explain", "XX001"), "No rule"),
        (("review", "--rule", "ZZ"), "No rule id starts with"),
        (("review", "--fail-on", "all"), "invalid choice"),
        (("review", "--diff", "no-such-ref"), "--diff no-such-ref"),
        (("lint",), "invalid choice"),
        (("review", "--agent", "my-agent.md"), "run only in `manage.py review --agent`"),
    ],
)
def test_bad_arguments_exit_2(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    GitRepo(tmp_path).commit({"ok.py": CLEAN})
    done = run(*args, cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert message in done.stderr


def test_files_as_pre_commit_passes_them_keep_their_repository_paths(tmp_path: Path) -> None:
    write(tmp_path, {"app/main.py": BLOCKING, "app/schemas.py": CONFIG})
    done = run("review", "app/main.py", "--no-ruff", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1
    assert rule_lines(done) == [("AS001", "app/main.py", 5)]


def test_explain_prints_the_rule() -> None:
    done = run("review", "--explain", "as001", cwd=Path.cwd())
    assert done.returncode == 0
    assert done.stdout.startswith("AS001  ") and "Before:\n" in done.stdout


def test_diff_reports_only_lines_changed_since_the_merge_base(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.commit({"app/main.py": BLOCKING, "app/ok.py": CLEAN}, "old problem")
    repo.git("checkout", "-q", "-b", "feature")
    # New problem on the branch, in a file that already had one.
    repo.commit({"app/main.py": BLOCKING + "\n\nasync def tock() -> None:\n    time.sleep(2)\n"})
    repo.git("checkout", "-q", "main")
    repo.commit({"app/other.py": BLOCKING}, "main moved on: not part of the branch's change")
    repo.git("checkout", "-q", "feature")
    write(repo.path, {"app/new.py": CONFIG})  # untracked: every line is new

    done = run("review", "--no-ruff", "--format", "json", cwd=repo.path)
    assert {r for r, _p, _l in rule_lines(done)} == {"AS001", "PD001"}
    assert len(rule_lines(done)) == 3

    done = run("review", "--no-ruff", "--format", "json", "--diff", "main", cwd=repo.path)
    assert done.returncode == 1, done.stderr
    assert rule_lines(done) == [("AS001", "app/main.py", 9), ("PD001", "app/new.py", 5)]
    base = repo.git("merge-base", "main", "feature")
    assert json.loads(done.stdout)["stats"]["diff_base"] == base

    # Nothing changed since HEAD once everything is committed: a clean gate.
    repo.commit(message="add new.py")
    done = run("review", "--no-ruff", "--diff", "HEAD", cwd=repo.path)
    assert done.returncode == 0, done.stdout
    assert "0 findings" in done.stdout


def test_diff_in_a_subdirectory_uses_paths_relative_to_it(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.commit({"svc/app/ok.py": CLEAN})
    repo.write({"svc/app/ok.py": CLEAN + "\n\n" + BLOCKING})
    done = run("review", "svc", "--no-ruff", "--format", "json", "--diff", "HEAD", cwd=repo.path)
    assert rule_lines(done) == [("AS001", "app/ok.py", 9)]


def test_diff_runs_nothing_the_repository_config_names(tmp_path: Path) -> None:
    """A work tree's own config (filter drivers, external diff, textconv, fsmonitor) runs
    no program through ``--diff``: git is run by the hardened git layer."""
    repo = GitRepo(tmp_path / "repo")
    repo.commit({"app/ok.py": CLEAN, ".gitattributes": "*.py filter=evil diff=evil\n"})
    ran = tmp_path / "ran"
    marker = f"sh -c 'echo $0 >> {ran}; cat' "
    for key, value in {
        "filter.evil.clean": marker + "clean",
        "filter.evil.process": marker + "process",
        "filter.evil.required": "true",
        "diff.evil.textconv": marker + "textconv",
        "diff.evil.command": marker + "command",
        "diff.external": marker + "external",
        "core.fsmonitor": marker + "fsmonitor",
    }.items():
        repo.git("config", key, value)
    repo.write({"app/ok.py": CLEAN + "\n\n" + BLOCKING})
    done = run("review", "--no-ruff", "--format", "json", "--diff", "HEAD", cwd=repo.path)
    assert done.returncode == 1, done.stderr
    assert rule_lines(done) == [("AS001", "app/ok.py", 9)]
    assert not ran.exists(), ran.read_text()
    # The check is real: plain git runs the repository's programs on the same work tree.
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "diff", "HEAD"], cwd=repo.path, env=env, capture_output=True)
    assert ran.exists()


def test_sarif_is_what_github_code_scanning_reads(tmp_path: Path) -> None:
    write(tmp_path, {"app/main.py": BLOCKING})
    done = run("review", "--no-ruff", "--format", "sarif", cwd=tmp_path)
    log = json.loads(done.stdout)
    assert log["version"] == "2.1.0"
    run_ = log["runs"][0]
    (result,) = run_["results"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "app/main.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] == 5
    # Our own key: GitHub computes primaryLocationLineHash itself and warns on a foreign one.
    assert list(result["partialFingerprints"]) == ["reviewdeckLineHash/v1"]
    rule = run_["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert rule["id"] == result["ruleId"] == "AS001"
    assert rule["help"]["markdown"] and rule["help"]["text"]
    assert len(rule["shortDescription"]["text"]) <= 1024


def test_the_command_imports_neither_django_nor_celery(tmp_path: Path) -> None:
    """The console script, as installed, with ``-X importtime`` listing every import."""
    write(tmp_path, {"app/main.py": BLOCKING})
    env = {**os.environ, "REVIEWDECK_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", str(SCRIPT), "review", ".", "--format", "json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr[-2000:]
    imported = {
        line.rsplit("|", 1)[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "reviewer.engine.core" in imported  # the listing is real
    heavy = sorted(
        name
        for name in imported
        if name.split(".")[0] in {"django", "celery", "kombu", "git", "anthropic", "pydantic"}
    )
    assert heavy == []
