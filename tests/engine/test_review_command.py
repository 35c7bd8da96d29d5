"""``manage.py review``: in-process via call_command and as a real subprocess; no database."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]
FINDINGS = {
    "app/schemas.py": (
        "from pydantic import BaseModel\n\n"
        "class Out(BaseModel):\n"
        "    class Config:\n"
        "        extra = 'forbid'\n"
    ),
    "app/main.py": "import time\n\nasync def f():\n    time.sleep(1)\n",
}


def make_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def run_command(*args: str, ruff: bool = False) -> tuple[str, str]:
    """Run the command; ruff is off unless asked (these tests pin the native findings)."""
    out, err = StringIO(), StringIO()
    extra = () if ruff or "--explain" in args else ("--no-ruff",)
    call_command("review", *args, *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_review_command_prints_json_findings(tmp_path: Path) -> None:
    make_tree(tmp_path, FINDINGS)
    out, _ = run_command(str(tmp_path), "--format", "json", "--no-cache")
    data = json.loads(out)
    assert [(i["rule_id"], i["path"], i["line"]) for i in data["issues"]] == [
        ("AS001", "app/main.py", 4),
        ("PD001", "app/schemas.py", 4),
    ]


def test_review_command_filters_by_agent_and_rule(tmp_path: Path) -> None:
    make_tree(tmp_path, FINDINGS)
    out, _ = run_command(str(tmp_path), "--format", "json", "--rule", "pd")
    assert [i["rule_id"] for i in json.loads(out)["issues"]] == ["PD001"]
    out, _ = run_command(str(tmp_path), "--format", "json", "--agent", "architect")
    assert json.loads(out)["issues"] == []
    out, _ = run_command(str(tmp_path), "--agent", "python-backend-reviewer")
    assert "2 findings" in out


def test_review_command_writes_sarif_to_a_file(tmp_path: Path) -> None:
    make_tree(tmp_path / "src", FINDINGS)
    target = tmp_path / "out.sarif"
    out, err = run_command(str(tmp_path / "src"), "--format", "sarif", "--output", str(target))
    assert out == "" and "2 findings" in err
    log = json.loads(target.read_text())
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    ]
    assert uris == ["app/main.py", "app/schemas.py"]


def test_review_command_explains_a_rule() -> None:
    out, _ = run_command("--explain", "al001")
    assert out.startswith("AL001  ")
    assert "severity: important, alembic debt" in out
    assert "why this severity: Important: a failed deploy cannot be rolled back" in out
    assert "precision: 0.85 (estimate); profile: default" in out
    assert "Before:\n    def upgrade()" in out and "After:\n" in out
    assert "op.drop_column" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "PATH"),
        (("/nonexistent/reviewdeck",), "does not exist"),
        (("--explain", "XX001"), "No rule"),
        ((".", "--agent", "nobody"), "Unknown agent"),
        ((".", "--rule", "ZZ"), "No rule id starts with"),
        ((".", "--jobs", "0"), "--jobs"),
    ],
)
@pytest.mark.django_db  # an unknown --agent name is looked up among the team agents too
def test_review_command_refuses_bad_arguments_with_status_2(
    args: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError, match=message) as raised:
        run_command(*args)
    assert raised.value.returncode == 2


def _manage(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    uv = shutil.which("uv")
    command = [uv, "run", "--no-sync"] if uv else [sys.executable]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "REVIEWDECK_DATA_DIR": str(cwd / "data"),
        # Nothing listens there: the command must not need a database.
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nothing",
    }
    return subprocess.run(
        [*command, str(ROOT / "manage.py"), "review", *args, "--no-ruff"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_review_command_in_a_subprocess_exits_1_with_findings_and_0_without(
    tmp_path: Path,
) -> None:
    dirty = make_tree(tmp_path / "dirty", FINDINGS)
    done = _manage(str(dirty), "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert [i["rule_id"] for i in json.loads(done.stdout)["issues"]] == ["AS001", "PD001"]

    clean = make_tree(tmp_path / "clean", {"ok.py": "async def f():\n    return 1\n"})
    done = _manage(str(clean), "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["summary"]["files_reviewed"] == 1

    done = _manage(str(tmp_path / "missing"), cwd=tmp_path)
    assert done.returncode == 2 and "does not exist" in done.stderr


RUFF_FINDINGS = {
    # The repository's own ruff configuration must not change what we report.
    "pyproject.toml": '[tool.ruff]\nexclude = ["*"]\n[tool.ruff.lint]\nignore = ["ALL"]\n',
    "app/jobs.py": (
        "import time\n"
        "\n"
        "\n"
        "def run(job) -> None:\n"
        "    try:\n"
        "        job()\n"
        "    except:\n"
        "        pass\n"
        "\n"
        "\n"
        "async def tick() -> None:\n"
        "    time.sleep(1)\n"
    ),
}


def test_ruff_findings_are_ours_and_ignore_the_repos_ruff_config(tmp_path: Path) -> None:
    make_tree(tmp_path, RUFF_FINDINGS)
    out, _ = run_command(str(tmp_path), "--format", "json", ruff=True)
    found = {(i["rule_id"], i["line"]) for i in json.loads(out)["issues"]}
    assert ("ruff:E722", 7) in found
    assert ("AS001", 12) in found
    # ruff's ASYNC rule flags the same line as AS001: only the native finding is kept.
    assert not any(rule.startswith("ruff:ASYNC") for rule, _line in found)
    issue = next(i for i in json.loads(out)["issues"] if i["rule_id"] == "ruff:E722")
    assert issue["severity"] == "important" and issue["snippet"].strip() == "except:"
    out, _ = run_command(str(tmp_path), "--format", "json", "--no-ruff", ruff=True)
    assert not any(i["rule_id"].startswith("ruff:") for i in json.loads(out)["issues"])


def test_explain_knows_ruff_codes() -> None:
    out, _ = run_command("--explain", "ruff:E722")
    assert "ruff:E722" in out and "CQ001" in out
