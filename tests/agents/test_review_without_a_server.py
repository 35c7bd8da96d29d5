"""``manage.py review --agent NAME`` where no database answers: a team agent cannot be
read, and the command says so (and how to run the agent anyway) instead of a traceback.
A real subprocess pointed at a PostgreSQL port nobody listens on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.processes import ROOT, product_env
from tests.services import free_port

CODE = "import time\n\n\nasync def f():\n    time.sleep(1)\n"


def review(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = product_env(
        DATABASE_URL=f"postgres://nobody@127.0.0.1:{free_port()}/none",
        ANTHROPIC_API_KEY="sk-not-used",
        ANTHROPIC_BASE_URL=f"http://127.0.0.1:{free_port()}",  # nothing answers there
        ANTHROPIC_MAX_RETRIES="0",
        REVIEWDECK_DATA_DIR=str(tmp_path / "data"),
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "review", str(tmp_path / "code"), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_team_agent_needs_the_installations_database_and_the_command_says_so(
    tmp_path: Path,
) -> None:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "svc.py").write_text(CODE)
    done = review(tmp_path, "--agent", "house-style")
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "house-style: not a built-in or operator agent" in done.stderr
    assert "database, which is not reachable" in done.stderr
    assert "Give the path of the agent file instead" in done.stderr
    assert "Traceback" not in done.stderr

    # A built-in agent needs no database: the review runs; the API is not there either,
    # which the report says next to the rule findings.
    done = review(tmp_path, "--agent", "reviewer", "--format", "json")
    report = json.loads(done.stdout)
    assert [i["rule_id"] for i in report["issues"]] == ["AS001"]
    (run,) = report["claude_runs"]
    assert run["status"] == "failed"
    assert run["reason"] == "Claude API unreachable: APIConnectionError"
    assert run["not_reviewed"] == [
        {"path": "svc.py", "reason": "not reviewed: Claude API unreachable: APIConnectionError"}
    ]
