"""Coverage holes are not success: the turn limit holds per conversation (a run of many
conversations goes on past one that used its turns), files no finished conversation
covered are recorded with the reason, the part is "incomplete" (or "stopped") and closes
nothing for them, and the scan page lists them. Real SDK against the scripted local
Messages API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from reviewer.agents.batch import poll_batch
from reviewer.agents.tasks import run_claude_review
from reviewer.models import Finding, Project, Scan
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo
from tests.fake_anthropic import FakeAnthropic, done, tool_use, tools_reply

pytestmark = pytest.mark.django_db
REVIEWER = "python-backend-reviewer"
SMALL = "def f{n}(value):\n    return value + {n}\n"
BIG = "".join(f"def big{n}(value):\n    return value * {n}\n" for n in range(60))
EVAL = "def run(data):\n    return data.total / data.count\n"


def report(path: str) -> dict[str, Any]:
    return tool_use(
        "report_finding",
        {
            "category": "correctness",
            "severity": "important",
            "confidence": 95,
            "path": path,
            "line": 2,
            "code": "return data.total / data.count",
            "title": "division by an empty count",
            "explanation": "An empty batch has count 0.",
        },
    )


@pytest.fixture
def repo(make_repo: Callable[[str], GitRepo]) -> GitRepo:
    repo = make_repo("svc")
    files = {f"app/m{n}.py": SMALL.format(n=n) for n in range(1, 4)}
    repo.commit({**files, "app/a_eval.py": EVAL, "app/big.py": BIG})
    return repo


@pytest.fixture
def project(
    workdir: Path, repo: GitRepo, project_factory: Callable[..., Project], settings: Any
) -> Project:
    settings.CLAUDE_CONVERSATION_CHARS = 300  # one small file per conversation; big.py apart
    return project_factory(repo_url=str(repo.path), agents=[REVIEWER])


def reviewed(project: Project, trigger: str = Scan.Trigger.SCHEDULE) -> Scan:
    queued, created = request_scan(project, trigger)
    assert created
    run_scan(queued.pk)
    run_claude_review(queued.pk)
    queued.refresh_from_db()
    return queued


def test_the_turn_limit_holds_per_conversation_and_the_run_goes_on(
    project: Project, fake_api: FakeAnthropic, member_client: Client
) -> None:
    project.budget = {"conversation": {"max_turns": 3}}
    project.save()
    looking = tool_use("list_files", {})
    fake_api.add(
        # app/a_eval.py: a finding, then three turns of looking around: over its own limit.
        tools_reply(report("app/a_eval.py")),
        tools_reply(looking),
        tools_reply(looking),
        done(),  # app/m1.py
        tools_reply(looking),
        done(),  # app/m2.py: 2 turns
        done(),  # app/m3.py
    )
    scan = reviewed(project)
    assert len(fake_api.requests) == 3 + 1 + 2 + 1  # every conversation ran
    run = scan.agent_runs[REVIEWER]
    assert run["status"] == "incomplete", run
    assert run["files_reviewed"] == 3 and run["not_reviewed_total"] == 2
    reasons = {n["path"]: n["reason"] for n in run["not_reviewed"]}
    assert reasons["app/a_eval.py"] == "conversation turn limit (3) reached"
    assert reasons["app/big.py"].startswith("too large for one conversation")
    assert scan.agents_hash == ""  # the next scan of the head is not skipped
    # What it reported in the unfinished conversation stands (verified), nothing closes.
    assert Finding.objects.filter(project=project, origin=Finding.Origin.CLAUDE).count() == 1

    page = member_client.get(reverse("dashboard:scan", args=[project.slug, scan.pk]))
    html = page.content.decode()
    assert f"Not reviewed by {REVIEWER} (2 files)" in html
    assert "<code>app/big.py</code>: too large for one conversation" in html
    assert "<code>app/a_eval.py</code>: conversation turn limit (3) reached" in html

    # The unreviewed file keeps its finding open when the next run cannot finish it
    # either; once a conversation finishes it without the finding, it is fixed.
    fake_api.add(tools_reply(looking), tools_reply(looking), tools_reply(looking))
    again = reviewed(project)
    assert again.progress_message != "skipped"
    assert again.agent_runs[REVIEWER]["status"] == "incomplete"
    finding = Finding.objects.get(project=project, origin=Finding.Origin.CLAUDE)
    assert finding.status == Finding.Status.OPEN
    fake_api.add(done())
    reviewed(project)
    finding.refresh_from_db()
    assert finding.status == Finding.Status.FIXED


def test_a_run_budget_stops_the_run_and_names_every_file_it_did_not_reach(
    project: Project, fake_api: FakeAnthropic
) -> None:
    project.budget = {"run": {"max_input_tokens": 2500}}
    project.save()
    fake_api.add(done(), done(), done(), done())  # 1000 input tokens each
    scan = reviewed(project)
    run = scan.agent_runs[REVIEWER]
    assert len(fake_api.requests) == 3
    assert run["status"] == "stopped" and run["files_reviewed"] == 3
    reasons = {n["path"]: n["reason"] for n in run["not_reviewed"]}
    assert reasons == {
        "app/big.py": reasons["app/big.py"],
        "app/m3.py": "not reviewed: input token budget (2500) reached",
    }


def test_a_batch_names_the_files_it_did_not_send(project: Project, fake_api: FakeAnthropic) -> None:
    Project.objects.filter(pk=project.pk).update(
        use_batches=True, budget={"run": {"max_output_tokens": 3 * 4096}}
    )
    project.refresh_from_db()
    fake_api.add(done(), done(), done())
    scan = reviewed(project)
    assert poll_batch(scan.pk) == "waiting" and poll_batch(scan.pk) == "done"
    scan.refresh_from_db()
    run = scan.agent_runs[REVIEWER]
    assert run["status"] == "stopped" and run["files_reviewed"] == 3
    reasons = {n["path"]: n["reason"] for n in run["not_reviewed"]}
    assert reasons["app/big.py"].startswith("too large for one conversation")
    assert reasons["app/m3.py"] == (
        "not sent: output token budget (12288) reached (estimated before batching)"
    )
