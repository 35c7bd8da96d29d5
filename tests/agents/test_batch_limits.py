"""Batches end: a batch the API does not know (404) or that never ends fails with the
reason; a pending batch does not make later scans skip, and they do not send its files
again; budgets hold before submitting (input counted with count_tokens, an estimate when
that fails) and when the results arrive. Real SDK against the scripted local Messages
API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from reviewer.agents.batch import poll_batch
from reviewer.agents.tasks import run_claude_review
from reviewer.models import Finding, Project, Scan
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo
from tests.fake_anthropic import FakeAnthropic, Reply, Status, done, tool_use

pytestmark = pytest.mark.django_db
REVIEWER = "python-backend-reviewer"
DB = 'def load(session, user_id):\n    return session.execute(f"SELECT {user_id}")\n'
API = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"


def report() -> dict[str, Any]:
    return tool_use(
        "report_finding",
        {
            "category": "security",
            "severity": "critical",
            "confidence": 95,
            "path": "app/db.py",
            "line": 2,
            "code": 'return session.execute(f"SELECT {user_id}")',
            "title": "SQL injection",
            "explanation": "User input is formatted into SQL.",
        },
    )


@pytest.fixture
def project(
    workdir: Path, make_repo: Callable[[str], GitRepo], project_factory: Callable[..., Project]
) -> Project:
    repo = make_repo("svc")
    repo.commit({"app/db.py": DB, "app/api.py": API})
    return project_factory(repo_url=str(repo.path), agents=[REVIEWER], use_batches=True)


def scheduled(project: Project) -> Scan:
    queued, created = request_scan(project, Scan.Trigger.SCHEDULE)
    assert created
    run_scan(queued.pk)
    queued.refresh_from_db()
    return queued


def batch_requests(fake: FakeAnthropic) -> list[list[dict[str, Any]]]:
    return [r["body"]["requests"] for r in fake.requests if r["path"] == "/v1/messages/batches"]


def test_a_batch_the_api_does_not_know_fails_and_the_head_is_reviewed_again(
    project: Project, fake_api: FakeAnthropic
) -> None:
    fake_api.add(done())
    scan = scheduled(project)
    assert run_claude_review(scan.pk) == "batched"
    fake_api.forget_batches()
    assert poll_batch(scan.pk) == "failed"
    scan.refresh_from_db()
    run = scan.agent_runs[REVIEWER]
    assert run["status"] == "failed" and "does not know batch msgbatch_" in run["error"]
    assert "(404)" in run["error"] and scan.agents_hash == ""
    assert poll_batch(scan.pk) == "nothing batched"  # the poll task stops rescheduling

    again = scheduled(project)  # same head: not skipped
    assert again.agent_runs == {REVIEWER: {"status": "queued"}}


def test_a_batch_that_never_ends_expires(
    project: Project, fake_api: FakeAnthropic, settings: Any
) -> None:
    settings.CLAUDE_BATCH_EXPIRE_HOURS = 2
    fake_api.batch_polls_before_end = 1000
    fake_api.add(done())
    scan = scheduled(project)
    run_claude_review(scan.pk)
    assert poll_batch(scan.pk) == "waiting"
    runs = Scan.objects.get(pk=scan.pk).agent_runs
    runs[REVIEWER]["submitted_at"] = (timezone.now() - timedelta(hours=3)).isoformat()
    Scan.objects.filter(pk=scan.pk).update(agent_runs=runs)
    assert poll_batch(scan.pk) == "failed"
    scan.refresh_from_db()
    assert scan.agent_runs[REVIEWER]["error"] == "The batch had no result after 2 h: expired"


def test_a_pending_batch_does_not_skip_later_scans_and_its_files_are_not_sent_twice(
    project: Project, fake_api: FakeAnthropic
) -> None:
    fake_api.add(Reply([report()], stop_reason="tool_use"))
    first = scheduled(project)
    assert run_claude_review(first.pk) == "batched"
    assert len(batch_requests(fake_api)) == 1

    second = scheduled(project)  # same head while the batch is pending
    assert second.agent_runs == {REVIEWER: {"status": "queued"}}
    run_claude_review(second.pk)
    assert len(batch_requests(fake_api)) == 1  # nothing sent again
    second.refresh_from_db()
    run = second.agent_runs[REVIEWER]
    assert run["status"] == "incomplete" and "already sent in batch msgbatch_" in run["incomplete"]
    assert run["files_reviewed"] == 0

    assert poll_batch(first.pk) == "waiting"
    assert poll_batch(first.pk) == "done"
    first.refresh_from_db()
    assert first.agent_runs[REVIEWER]["status"] == "succeeded"
    assert Finding.objects.filter(project=project, origin=Finding.Origin.CLAUDE).count() == 1


@pytest.mark.parametrize(
    ("budget", "reason"),
    [
        ({"run": {"max_cost_usd": "0.03"}}, "cost budget ($0.03) reached"),
        ({"scan": {"max_output_tokens": 5000}}, "output token budget (5000) reached"),
    ],
)
def test_budgets_hold_before_a_batch_is_submitted(
    project: Project,
    fake_api: FakeAnthropic,
    settings: Any,
    budget: dict[str, Any],
    reason: str,
) -> None:
    settings.CLAUDE_CONVERSATION_CHARS = 250  # one file per request
    project.budget = budget
    project.save()
    fake_api.add(done(), done())
    scan = scheduled(project)
    run_claude_review(scan.pk)
    (requests,) = batch_requests(fake_api)
    assert len(requests) == 1  # each is counted at 4096 output tokens, $0.02 at batch price
    assert poll_batch(scan.pk) == "waiting" and poll_batch(scan.pk) == "done"
    scan.refresh_from_db()
    run = scan.agent_runs[REVIEWER]
    assert run["status"] == "stopped"
    assert run["stopped"] == f"{reason} (estimated before batching)"


def test_results_over_the_budget_do_not_say_succeeded(
    project: Project, fake_api: FakeAnthropic
) -> None:
    project.budget = {"run": {"max_cost_usd": "1", "max_input_tokens": 0}}
    project.save()
    # 1.2M input tokens at half of claude-sonnet-5-5's 2 $/M: $1.20, over the $1 run budget.
    fake_api.add(Reply([report()], stop_reason="tool_use", input_tokens=1_200_000))
    scan = scheduled(project)
    run_claude_review(scan.pk)
    poll_batch(scan.pk)
    assert poll_batch(scan.pk) == "done"
    scan.refresh_from_db()
    run = scan.agent_runs[REVIEWER]
    assert run["status"] == "stopped"
    assert run["stopped"] == "cost budget ($1) reached when the batch results arrived"
    assert Decimal(run["cost_usd"]) > 1 and run["findings"] == 1
    assert scan.agents_hash == ""
    # The budget is spent: the verification pass spends no more; the finding says so.
    assert fake_api.verifications == [] and run["unchecked"] == 1
    finding = Finding.objects.get(project=project, origin=Finding.Origin.CLAUDE)
    assert finding.verification.startswith("not checked (cost budget ($1) reached")


def test_the_input_is_counted_with_count_tokens_before_submitting(
    project: Project, fake_api: FakeAnthropic, settings: Any
) -> None:
    settings.CLAUDE_CONVERSATION_CHARS = 250  # one file per request
    project.budget = {"run": {"max_input_tokens": 500_000, "max_cost_usd": 0}}
    project.save()
    fake_api.token_counter = lambda request: 400_000  # far above any estimate of two files
    fake_api.add(done(), done())
    scan = scheduled(project)
    assert run_claude_review(scan.pk) == "batched"
    (requests,) = batch_requests(fake_api)
    assert len(requests) == 1  # 2 x 400,000 counted tokens pass the 500,000 budget
    first = fake_api.token_counts[0]
    assert first["path"] == "/v1/messages/count_tokens"
    body = first["body"]
    assert "max_tokens" not in body  # the endpoint's own request shape
    assert body["messages"] == requests[0]["params"]["messages"]
    assert body["system"] == requests[0]["params"]["system"]
    assert [t["name"] for t in body["tools"]] == ["report_finding"]
    scan.refresh_from_db()
    entry = scan.agent_runs[REVIEWER]
    assert entry["expected"]["counted_by"] == "count_tokens"
    assert entry["expected"]["input_tokens"] == 400_000
    assert entry["stopped"] == "input token budget (500000) reached (estimated before batching)"


def test_a_failing_count_falls_back_to_the_estimate(
    project: Project, fake_api: FakeAnthropic, settings: Any
) -> None:
    settings.CLAUDE_CONVERSATION_CHARS = 250
    project.budget = {"run": {"max_input_tokens": 500_000, "max_cost_usd": 0}}
    project.save()
    fake_api.token_counter = lambda request: Status(
        500, "count down", headers={"x-should-retry": "false"}
    )
    fake_api.add(done(), done())
    scan = scheduled(project)
    assert run_claude_review(scan.pk) == "batched"
    (requests,) = batch_requests(fake_api)
    assert len(requests) == 2  # estimated at a few hundred tokens each
    assert len(fake_api.token_counts) == 1  # asked once, then estimated
    scan.refresh_from_db()
    expected = scan.agent_runs[REVIEWER]["expected"]
    assert expected["counted_by"] == "estimate (count_tokens failed: InternalServerError)"
    assert 0 < expected["input_tokens"] < 500_000


def test_the_dollars_before_submitting_count_the_input_as_cache_writes(
    project: Project, fake_api: FakeAnthropic
) -> None:
    # 1M counted input tokens at half of claude-sonnet-5-5's prices: $1.00 as input, but
    # $1.25 if the API writes them to the cache (1.25x); plus 4096 output tokens at $5/M.
    project.budget = {"run": {"max_cost_usd": "1.1", "max_input_tokens": 0}}
    project.save()
    fake_api.token_counter = lambda request: 1_000_000
    scan = scheduled(project)
    run_claude_review(scan.pk)
    assert batch_requests(fake_api) == []
    scan.refresh_from_db()
    run = scan.agent_runs[REVIEWER]
    assert run["status"] == "stopped"
    assert run["stopped"] == "cost budget ($1.1) reached (estimated before batching)"
    assert run["files_reviewed"] == 0


def test_a_request_over_the_conversation_input_budget_is_not_sent(
    project: Project, fake_api: FakeAnthropic, settings: Any
) -> None:
    settings.CLAUDE_CONVERSATION_CHARS = 250  # one file per request
    project.budget = {"conversation": {"max_input_tokens": 3000}}
    project.save()
    fake_api.token_counter = lambda request: (
        5000 if "app/db.py" in request["body"]["messages"][0]["content"][0]["text"] else 2000
    )
    fake_api.add(done())
    scan = scheduled(project)
    run_claude_review(scan.pk)
    (requests,) = batch_requests(fake_api)
    assert len(requests) == 1 and "app/api.py" in str(requests[0]["params"]["messages"])
    assert poll_batch(scan.pk) == "waiting" and poll_batch(scan.pk) == "done"
    scan.refresh_from_db()
    run = scan.agent_runs[REVIEWER]
    assert run["status"] == "incomplete"
    assert run["not_reviewed"] == [
        {
            "path": "app/db.py",
            "reason": "not sent: 5000 input tokens, over the conversation input token "
            "budget (3000)",
        }
    ]
