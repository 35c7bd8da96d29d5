"""Scheduled scans of a project that opts in use the Message Batches API."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from reviewer.agents.batch import poll_batch
from reviewer.agents.tasks import run_claude_review
from reviewer.models import Finding, Project, Scan
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo
from tests.fake_anthropic import FakeAnthropic, Reply, tool_use

pytestmark = pytest.mark.django_db
REVIEWER = "python-backend-reviewer"
DB = 'def load(session, user_id):\n    return session.execute(f"SELECT {user_id}")\n'


def report(**changes: Any) -> dict[str, Any]:
    data = {
        "category": "security",
        "severity": "critical",
        "confidence": 95,
        "path": "app/db.py",
        "line": 2,
        "code": 'return session.execute(f"SELECT {user_id}")',
        "title": "SQL injection",
        "explanation": "User input is formatted into SQL.",
    }
    data.update(changes)
    return tool_use("report_finding", data)


def test_a_scheduled_scan_sends_one_batch_and_records_it_when_it_ends(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    fake_api: FakeAnthropic,
) -> None:
    repo = make_repo("svc")
    repo.commit({"app/db.py": DB})
    project = project_factory(repo_url=str(repo.path), agents=[REVIEWER], use_batches=True)
    fake_api.add(
        Reply(
            [report(), report(code="os.system(cmd)"), tool_use("report_finding", {"x": 1})],
            stop_reason="tool_use",
            input_tokens=2000,
            output_tokens=400,
        )
    )
    scan, _ = request_scan(project, Scan.Trigger.SCHEDULE)
    run_scan(scan.pk)
    assert run_claude_review(scan.pk) == "batched"
    scan.refresh_from_db()
    assert scan.agent_runs[REVIEWER]["status"] == "batched"
    (created,) = fake_api.requests
    assert created["path"] == "/v1/messages/batches"
    params = created["body"]["requests"][0]["params"]
    assert [t["name"] for t in params["tools"]] == ["report_finding"]
    assert params["system"][-1]["cache_control"] == {"type": "ephemeral"}
    assert not Finding.objects.filter(origin=Finding.Origin.CLAUDE).exists()

    assert poll_batch(scan.pk) == "waiting"
    assert poll_batch(scan.pk) == "done"
    assert poll_batch(scan.pk) == "nothing batched"  # a second delivery does nothing
    scan.refresh_from_db()
    run = scan.agent_runs[REVIEWER]
    assert run["status"] == "succeeded" and run["batch_id"].startswith("msgbatch_")
    finding = Finding.objects.get(project=project, origin=Finding.Origin.CLAUDE)
    assert (finding.path, finding.line, finding.title) == ("app/db.py", 2, "SQL injection")
    assert scan.rejected_findings == 2
    # batch price: half of claude-sonnet-5-5's 2 $/M in and 10 $/M out
    assert scan.cost_usd == ((2000 * 2 + 400 * 10) * Decimal("0.5") / 10**6).quantize(
        Decimal("0.0001")
    )


def test_manual_scans_of_a_batch_project_run_live(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    fake_api: FakeAnthropic,
) -> None:
    from tests.fake_anthropic import done

    repo = make_repo("svc")
    repo.commit({"app/db.py": DB})
    project = project_factory(repo_url=str(repo.path), agents=[REVIEWER], use_batches=True)
    fake_api.add(done())
    scan, _ = request_scan(project, Scan.Trigger.MANUAL)
    run_scan(scan.pk)
    assert run_claude_review(scan.pk) == "done"
    assert fake_api.requests[0]["path"] == "/v1/messages"
