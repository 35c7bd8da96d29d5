"""Exactly one beat is the rule; a second one by mistake only sends each tick twice, and
the tick finds the interval's scan already requested. Interval schedules start at a
stable per-project offset, so many projects spread over the interval."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from django.conf import settings
from django_celery_beat.models import PeriodicTask

from reviewer import schedules
from reviewer.models import Project, Scan
from tests.conftest import GitRepo
from tests.processes import (
    beat_process,
    current_database_url,
    product_env,
    stop_together,
    wait_until,
    worker_process,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_offsets_are_stable_and_spread_projects_over_the_interval() -> None:
    period = 300
    offsets = [schedules.offset_seconds(pk, period) for pk in range(1, 1001)]
    assert offsets == [schedules.offset_seconds(pk, period) for pk in range(1, 1001)]
    assert all(0 <= o < period for o in offsets)
    per_10s = [sum(1 for o in offsets if slot <= o < slot + 10) for slot in range(0, period, 10)]
    assert max(per_10s) < 3 * 1000 * 10 / period  # never bunched (an even spread is ~33)
    now = datetime(2026, 12, 2, 12, 0, 7, tzinfo=UTC)
    first = schedules.first_run(7, period, now)
    assert now < first <= now + timedelta(seconds=period)
    assert first.timestamp() % period == schedules.offset_seconds(7, period)


def test_an_interval_schedule_starts_at_the_project_offset(
    project_factory: Callable[..., Project],
) -> None:
    project = project_factory()
    schedules.set_schedule(project, schedules.Schedule("interval", every_minutes=5))
    task = PeriodicTask.objects.get(pk=project.schedule_id)
    assert task.queue == "schedule" and task.start_time is not None
    assert task.start_time.timestamp() % 300 == schedules.offset_seconds(project.pk, 300)
    start = task.start_time
    schedules.set_schedule(project, schedules.Schedule("interval", every_minutes=5))
    assert PeriodicTask.objects.get(pk=task.pk).start_time == start  # same interval: kept
    schedules.set_schedule(project, schedules.Schedule("cron", cron="0 6 * * *"))
    assert PeriodicTask.objects.get(pk=task.pk).start_time is None


@pytest.mark.e2e
def test_a_second_beat_sends_every_tick_twice_and_changes_nothing(
    tmp_path: Path,
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
) -> None:
    repo = make_repo("r")
    repo.commit({"app.py": "x = 1\n"})
    project = project_factory(repo_url=str(repo.path))
    env = product_env(
        DATABASE_URL=current_database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        REVIEWDECK_WORKDIR=str(workdir),
        REVIEWDECK_RUFF="0",
    )
    every = 4
    schedules.set_schedule(project, schedules.Schedule("interval"), every_seconds=every)
    logs = [tmp_path / "beat-1.log", tmp_path / "beat-2.log"]
    worker_log = tmp_path / "worker.log"
    # The three processes start together; the ticks counted below show both beats run.
    with (
        worker_process(env, worker_log, wait=False) as worker,
        beat_process(env, logs[0], tmp_path / "beat-1.db", wait=False) as beat_1,
        beat_process(env, logs[1], tmp_path / "beat-2.db", wait=False) as beat_2,
    ):

        def ticks(log: Path) -> int:
            return log.read_text().count(f"Scan project #{project.pk}")

        def running(*procs: subprocess.Popen[bytes]) -> bool:
            return all(proc.poll() is None for proc in procs)

        def handled() -> int:
            return worker_log.read_text().count("Task reviewer.scheduled_scan[") // 2

        worker()
        wait_until(
            lambda: all(ticks(log) >= 3 for log in logs) or not running(beat_1, beat_2),
            timeout=90,
            what="both beats to tick",
        )
        assert running(beat_1, beat_2), logs[0].read_text() + logs[1].read_text()
        schedules.set_schedule(project, schedules.Schedule("off"))
        # The ticks sent so far reach the worker (received and done: two lines each).
        wait_until(
            lambda: handled() >= sum(ticks(log) for log in logs),
            timeout=30,
            what="the worker to take every tick",
        )
        stop_together(worker.proc, beat_1, beat_2)
    per_beat = [ticks(log) for log in logs]
    scheduled = list(
        Scan.objects.filter(project=project, trigger=Scan.Trigger.SCHEDULE).order_by("id")
    )
    # Every tick came twice, yet there is one scan per tick of one beat (at most).
    assert 2 <= len(scheduled) <= max(per_beat) + 1 < sum(per_beat)
    gaps = [(b.created_at - a.created_at).total_seconds() for a, b in pairwise(scheduled)]
    assert min(gaps) >= every / 2
    assert {s.status for s in scheduled} <= {Scan.Status.SUCCEEDED, Scan.Status.SKIPPED}
