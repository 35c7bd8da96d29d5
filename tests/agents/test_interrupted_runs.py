"""Claude parts whose worker died do not stay "running": the recovery sweep fails them
with the true reason (worker gone, hard time limit), a redelivered task takes them up
again, the next scan of the same head is not skipped, and the soft time limit is
reported as such. Real SDK against the scripted local Messages API."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from reviewer.agents.recovery import claimed_entry, expire_stale_agent_runs
from reviewer.agents.tasks import run_claude_review
from reviewer.models import Project, Scan
from reviewer.scanning import WORKER_GONE, request_scan, run_scan
from tests.conftest import GitRepo
from tests.fake_anthropic import FakeAnthropic, Reply, done

pytestmark = pytest.mark.django_db
REVIEWER = "python-backend-reviewer"
DB = 'def load(session, user_id):\n    return session.execute(f"SELECT {user_id}")\n'


@pytest.fixture
def project(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    settings: Any,
) -> Project:
    settings.REVIEWDECK_HEARTBEAT_SECONDS = 1
    settings.REVIEWDECK_MISSED_BEATS = 2
    repo = make_repo("svc")
    repo.commit({"app/db.py": DB})
    return project_factory(repo_url=str(repo.path), agents=[REVIEWER])


def rules_done(project: Project, trigger: str = Scan.Trigger.SCHEDULE) -> Scan:
    queued, created = request_scan(project, trigger)
    assert created
    run_scan(queued.pk)
    queued.refresh_from_db()
    return queued


def died_while_running(scan: Scan, *, seconds_ago: int = 60, **entry: Any) -> None:
    """What a worker killed mid-review leaves: the part running, its last beat old."""
    scan.agent_runs = {REVIEWER: {**claimed_entry(), **entry}}
    Scan.objects.filter(pk=scan.pk).update(
        agent_runs=scan.agent_runs,
        agents_heartbeat_at=timezone.now() - timedelta(seconds=seconds_ago),
    )


def test_the_sweep_fails_a_dead_part_and_the_next_scan_of_the_head_is_not_skipped(
    project: Project, fake_api: FakeAnthropic
) -> None:
    scan = rules_done(project)
    died_while_running(scan)
    assert expire_stale_agent_runs() == 1
    scan.refresh_from_db()
    run = scan.agent_runs[REVIEWER]
    assert run["status"] == "failed" and run["error"].startswith(WORKER_GONE)
    assert "killed" in run["error"] and scan.agents_hash == ""
    assert scan.agents_heartbeat_at is None
    assert expire_stale_agent_runs() == 0  # once

    fake_api.add(done())
    again = rules_done(project)  # same head, same rules, same agents
    assert again.progress_message != "skipped" and again.agent_runs == {
        REVIEWER: {"status": "queued"}
    }
    assert run_claude_review(again.pk) == "done"
    again.refresh_from_db()
    assert again.agent_runs[REVIEWER]["status"] == "succeeded"


def test_past_the_hard_time_limit_the_reason_is_the_time_limit(
    project: Project, settings: Any
) -> None:
    scan = rules_done(project)
    over = (timezone.now() - timedelta(seconds=5)).isoformat()
    died_while_running(scan, deadline=over)
    request_scan(project, Scan.Trigger.MANUAL)  # a new trigger sweeps too
    scan.refresh_from_db()
    error = scan.agent_runs[REVIEWER]["error"]
    assert error.startswith(f"The Celery hard time limit ({settings.CELERY_TASK_TIME_LIMIT} s)")


def test_a_redelivered_task_takes_up_a_dead_part_and_leaves_a_live_one(
    project: Project, fake_api: FakeAnthropic
) -> None:
    scan = rules_done(project)
    died_while_running(scan, seconds_ago=0)
    assert run_claude_review(scan.pk) == "already running"  # its worker still beats
    assert fake_api.requests == []

    died_while_running(scan, seconds_ago=60)
    fake_api.add(done())
    assert run_claude_review(scan.pk) == "done"
    scan.refresh_from_db()
    assert scan.agent_runs[REVIEWER]["status"] == "succeeded"
    assert scan.agents_heartbeat_at is None
    assert run_claude_review(scan.pk) == "nothing queued"

    # Already failed by the sweep before the redelivery arrived: taken up as well.
    died_while_running(scan, seconds_ago=60)
    expire_stale_agent_runs()
    fake_api.add(done())
    assert run_claude_review(scan.pk) == "done"
    scan.refresh_from_db()
    assert scan.agent_runs[REVIEWER]["status"] == "succeeded"


def test_a_dead_part_of_a_superseded_scan_is_failed_not_rerun(
    project: Project, fake_api: FakeAnthropic
) -> None:
    scan = rules_done(project)
    died_while_running(scan)
    Scan.objects.filter(pk=scan.pk).update(agents_heartbeat_at=timezone.now())
    GitRepo(Path(project.repo_url)).commit({"app/other.py": "x = 1\n"})
    fake_api.add(done())
    newer = rules_done(project, Scan.Trigger.MANUAL)
    run_claude_review(newer.pk)
    Scan.objects.filter(pk=scan.pk).update(agents_heartbeat_at=timezone.now() - timedelta(60))
    assert run_claude_review(scan.pk) == "nothing queued"
    scan.refresh_from_db()
    assert scan.agent_runs[REVIEWER]["error"].startswith(WORKER_GONE)
    assert len(fake_api.requests) == 1


def test_the_soft_time_limit_is_reported_as_such(
    project: Project, fake_api: FakeAnthropic, settings: Any
) -> None:
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 2
    release = threading.Event()

    def slow(request: dict[str, Any]) -> Reply:
        release.wait(10)
        return done()

    fake_api.when_empty = slow  # every try (the SDK retries a timeout) is slow
    scan = rules_done(project, Scan.Trigger.MANUAL)
    started = time.monotonic()
    try:
        run_claude_review(scan.pk)
    finally:
        release.set()
    assert time.monotonic() - started < 8
    scan.refresh_from_db()
    run = scan.agent_runs[REVIEWER]
    assert run["status"] == "stopped", run
    assert run["stopped"].startswith("The soft time limit (2 s)")
    assert "unreachable" not in str(run) and scan.agents_hash == ""
