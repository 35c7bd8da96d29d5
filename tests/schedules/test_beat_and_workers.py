"""Real beat and real workers against the session's Redis and PostgreSQL."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings

from reviewer import schedules
from reviewer.models import Finding, FindingEvent, Project, Scan
from reviewer.scanning import request_scan
from reviewer.tasks import enqueue_scan, expire_stale_scans_task, scheduled_scan
from tests.conftest import GitRepo
from tests.processes import (
    current_database_url,
    product_env,
    wait_until,
    worker_process,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SLEEPY = "import time\n\nasync def handler():\n    time.sleep(1)\n"


def env_for(workdir: Path, **extra: str) -> dict[str, str]:
    return product_env(
        DATABASE_URL=current_database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        REVIEWDECK_WORKDIR=str(workdir),
        **extra,
    )


def test_a_schedule_set_while_beat_runs_produces_scans(
    tmp_path: Path,
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    celery_beat: object,
    webhook: tuple[str, list[dict[str, object]]],
) -> None:
    url, received = webhook
    repo = make_repo("r")
    repo.commit({"app.py": SLEEPY})
    project = project_factory(repo_url=str(repo.path), digest_webhook_url=url)
    with worker_process(env_for(workdir), tmp_path / "worker.log"):
        time.sleep(1)  # beat is up with no schedule for the project
        assert not Scan.objects.filter(project=project).exists()
        schedules.set_schedule(project, schedules.Schedule("interval"), every_seconds=1)
        wait_until(
            lambda: Scan.objects.filter(
                project=project, trigger=Scan.Trigger.SCHEDULE, status=Scan.Status.SUCCEEDED
            ).exists(),
            timeout=60,
            what="a scheduled scan",
        )
        # Later firings find the head unchanged: recorded as skipped, no new findings work.
        wait_until(
            lambda: Scan.objects.filter(project=project, status=Scan.Status.SKIPPED).exists(),
            timeout=60,
            what="a skipped scheduled scan",
        )
        # The first scan was the baseline (nothing new to report); a new commit brings a
        # new Critical problem.
        repo.commit({"b.py": SLEEPY})
        wait_until(
            lambda: Scan.objects.filter(project=project, summary__new_count=1).exists(),
            timeout=60,
            what="a scheduled scan of the new commit",
        )
        schedules.set_schedule(project, schedules.Schedule("off"))
    assert Finding.objects.filter(project=project, rule_id="AS001").count() == 2
    assert FindingEvent.objects.filter(finding__project=project, kind="created").count() == 2
    # The worker sent one scan digest (the new commit's new Critical finding); the baseline
    # and skips send none. (Beat's weekly digest may fire too on Monday at 07:00.)
    sent = [str(r["text"]) for r in received if "Reviewdeck weekly" not in str(r["text"])]
    assert len(sent) == 1, received
    assert sent[0].startswith("Reviewdeck: shop, scan #") and "[Critical] AS001 b.py:4" in sent[0]
    project.refresh_from_db()
    assert project.schedule is None


def test_a_worker_killed_mid_scan_leaves_a_failed_scan_and_a_clean_next_one(
    tmp_path: Path,
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    settings: object,
) -> None:
    repo = make_repo("r")
    repo.commit({"app.py": SLEEPY})
    project = project_factory(repo_url=str(repo.path))
    # The first worker pauses 60 s before reviewing: the scan is reliably mid-way when killed.
    slow = env_for(workdir, REVIEWDECK_HEARTBEAT_SECONDS="0.2", REVIEWDECK_SCAN_DELAY_SECONDS="60")
    settings.REVIEWDECK_SCAN_STALE_SECONDS = 1  # type: ignore[attr-defined]
    scan, _ = request_scan(project)
    with worker_process(slow, tmp_path / "worker.log") as worker:
        enqueue_scan(scan)
        wait_until(
            lambda: Scan.objects.get(pk=scan.pk).progress_message == "Reviewing the code",
            timeout=30,
            what="the worker to start reviewing",
        )
        first_beat = Scan.objects.get(pk=scan.pk).heartbeat_at
        wait_until(
            lambda: Scan.objects.get(pk=scan.pk).heartbeat_at != first_beat,
            timeout=10,
            what="the heartbeat thread to beat",
        )
        os.kill(worker.pid, signal.SIGKILL)
        worker.proc.wait(10)
    scan.refresh_from_db()
    assert scan.status == Scan.Status.RUNNING
    assert not FindingEvent.objects.filter(scan=scan).exists()  # nothing half-written

    # A healthy worker starts meanwhile (the dead scan is running, not queued: it leaves it).
    with worker_process(env_for(workdir), tmp_path / "worker2.log", wait=False) as healthy:
        # Beat's periodic check marks it failed once the heartbeat is older than the limit.
        wait_until(lambda: expire_stale_scans_task() == 1, timeout=10, what="the stale check")
        scan.refresh_from_db()
        assert scan.status == Scan.Status.FAILED and "stopped responding" in scan.error
        # The next scheduled firing queues a new scan and the healthy worker runs it.
        assert scheduled_scan(project.pk).startswith("queued scan #")
        retry = Scan.objects.filter(project=project).latest("id")
        assert retry.pk != scan.pk and retry.trigger == Scan.Trigger.SCHEDULE
        healthy()
        wait_until(lambda: not Scan.objects.get(pk=retry.pk).is_active, timeout=60)
    retry.refresh_from_db()
    assert retry.status == Scan.Status.SUCCEEDED, retry.error
    assert Finding.objects.filter(project=project).count() == 1
    assert Finding.objects.get(project=project).first_seen_scan == retry
