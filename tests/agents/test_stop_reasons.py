"""A review completes only when the model says it is done (``end_turn``): an answer cut
off (``max_tokens``) or refused (``refusal``) is incomplete — what it reported stands,
but nothing is closed, nothing cached, and the scan says why. ``pause_turn`` is continued.
Real anthropic SDK against the scripted local Messages API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from reviewer.agents.batch import poll_batch
from reviewer.agents.models import AgentResult
from reviewer.agents.run import blob_hash
from reviewer.agents.tasks import run_claude_review
from reviewer.models import Finding, Project, Scan
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo
from tests.fake_anthropic import FakeAnthropic, Reply, done, text, tool_use, tools_reply

pytestmark = pytest.mark.django_db
REVIEWER = "python-backend-reviewer"
DB = (
    "def load(session, user_id):\n"
    '    query = f"SELECT * FROM users WHERE id = {user_id}"\n'
    "    return session.execute(query)\n"
)
CHANGED = DB + "\n\ndef other():\n    return 1\n"


def report(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "category": "security",
        "severity": "critical",
        "confidence": 92,
        "path": "app/db.py",
        "line": 2,
        "code": 'query = f"SELECT * FROM users WHERE id = {user_id}"',
        "title": "SQL built from user input",
        "explanation": "The id is formatted into the SQL text: injection.",
    }
    data.update(changes)
    return tool_use("report_finding", data)


@pytest.fixture
def project(
    workdir: Path, make_repo: Callable[[str], GitRepo], project_factory: Callable[..., Project]
) -> Project:
    repo = make_repo("svc")
    repo.commit({"app/db.py": DB})
    return project_factory(repo_url=str(repo.path), agents=[REVIEWER])


def scan(project: Project, trigger: str = Scan.Trigger.CLI) -> Scan:
    queued, created = request_scan(project, trigger)
    assert created
    run_scan(queued.pk)
    queued.refresh_from_db()
    assert queued.agent_runs == {REVIEWER: {"status": "queued"}}
    run_claude_review(queued.pk)
    queued.refresh_from_db()
    return queued


def sql_finding(project: Project) -> Finding:
    return Finding.objects.get(project=project, origin=Finding.Origin.CLAUDE)


@pytest.mark.parametrize(
    ("stop_reason", "reason"),
    [
        ("max_tokens", "answer cut off at the output token limit (max_tokens)"),
        ("refusal", "the model declined to answer (refusal)"),
    ],
)
def test_a_cut_off_or_refused_answer_closes_nothing_and_caches_nothing(
    project: Project,
    fake_api: FakeAnthropic,
    member_client: Client,
    stop_reason: str,
    reason: str,
) -> None:
    fake_api.add(tools_reply(report()), done())
    first = scan(project)
    assert first.agent_runs[REVIEWER]["status"] == "succeeded"
    finding = sql_finding(project)
    assert finding.is_open

    # The file changes; the new review is cut off before it repeats the finding.
    GitRepo(Path(project.repo_url)).commit({"app/db.py": CHANGED})
    fake_api.add(Reply([text("Looking at the query buil")], stop_reason=stop_reason))
    second = scan(project)
    run = second.agent_runs[REVIEWER]
    assert run["status"] == "incomplete"
    assert run["incomplete"] == f"1 file(s) not reviewed: {reason}"
    assert run["files_reviewed"] == 0 and run["fixed"] == 0
    finding.refresh_from_db()
    assert finding.is_open and finding.fixed_in_scan_id is None
    assert not AgentResult.objects.filter(blob_hash=blob_hash(CHANGED.encode())).exists()
    assert second.agents_hash == ""  # the next scan of this head is not skipped
    page = member_client.get(reverse("dashboard:project_agents", args=[project.slug]))
    assert reason in page.content.decode()

    # The same head again: reviewed (not skipped, not from a cache), and now it finishes.
    fake_api.add(done())
    queued, created = request_scan(project, Scan.Trigger.SCHEDULE)
    assert created
    run_scan(queued.pk)
    queued.refresh_from_db()
    assert queued.status == Scan.Status.SUCCEEDED and queued.agent_runs
    run_claude_review(queued.pk)
    queued.refresh_from_db()
    assert queued.agent_runs[REVIEWER]["status"] == "succeeded"
    finding.refresh_from_db()
    assert finding.status == Finding.Status.FIXED  # a finished review that did not repeat it
    assert AgentResult.objects.filter(blob_hash=blob_hash(CHANGED.encode())).exists()


def test_a_paused_turn_is_continued_with_the_paused_answer(
    project: Project, fake_api: FakeAnthropic
) -> None:
    paused = [text("Still reading the module.")]
    fake_api.add(Reply(paused, stop_reason="pause_turn"), tools_reply(report()), done())
    result = scan(project)
    assert len(fake_api.requests) == 3
    continued = fake_api.requests[1]["body"]["messages"]
    assert continued[-1] == {"role": "assistant", "content": paused}
    run = result.agent_runs[REVIEWER]
    assert run["status"] == "succeeded" and run["turns"] == 3 and run["files_reviewed"] == 1
    assert sql_finding(project).is_open
    assert AgentResult.objects.filter(blob_hash=blob_hash(DB.encode())).exists()


def test_a_tool_loop_that_ends_with_max_tokens_keeps_what_it_reported(
    project: Project, fake_api: FakeAnthropic
) -> None:
    fake_api.add(tools_reply(report()), Reply([text("And also")], stop_reason="max_tokens"))
    result = scan(project)
    run = result.agent_runs[REVIEWER]
    assert run["status"] == "incomplete" and run["findings"] == 1
    assert sql_finding(project).is_open  # verified before the cut: kept
    assert not AgentResult.objects.exists()


@pytest.mark.parametrize("stop_reason", ["max_tokens", "refusal", "pause_turn"])
def test_a_batch_answer_that_did_not_finish_closes_nothing_and_caches_nothing(
    project: Project, fake_api: FakeAnthropic, stop_reason: str
) -> None:
    fake_api.add(tools_reply(report()), done())
    scan(project)  # a live review finds the injection
    finding = sql_finding(project)
    project.use_batches = True
    project.save()

    GitRepo(Path(project.repo_url)).commit({"app/db.py": CHANGED})
    fake_api.add(Reply([text("The query")], stop_reason=stop_reason))
    queued, _ = request_scan(project, Scan.Trigger.SCHEDULE)
    run_scan(queued.pk)
    assert run_claude_review(queued.pk) == "batched"
    assert poll_batch(queued.pk) == "waiting"
    assert poll_batch(queued.pk) == "done"
    queued.refresh_from_db()
    run = queued.agent_runs[REVIEWER]
    assert run["status"] == "incomplete" and f"({stop_reason})" in run["incomplete"]
    assert run["files_reviewed"] == 0 and run["fixed"] == 0
    finding.refresh_from_db()
    assert finding.is_open
    assert not AgentResult.objects.filter(blob_hash=blob_hash(CHANGED.encode())).exists()
    assert queued.agents_hash == ""


def test_a_batch_answer_ending_with_its_reports_is_a_finished_review(
    project: Project, fake_api: FakeAnthropic
) -> None:
    project.use_batches = True
    project.save()
    fake_api.add(tools_reply(report()))
    queued, _ = request_scan(project, Scan.Trigger.SCHEDULE)
    run_scan(queued.pk)
    run_claude_review(queued.pk)
    poll_batch(queued.pk)
    assert poll_batch(queued.pk) == "done"
    queued.refresh_from_db()
    assert queued.agent_runs[REVIEWER]["status"] == "succeeded"
    assert AgentResult.objects.filter(blob_hash=blob_hash(DB.encode())).exists()
