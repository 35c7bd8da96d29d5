"""Schedules are stored for django-celery-beat and fire in the project's time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django_celery_beat.models import PeriodicTask

from reviewer import schedules
from reviewer.models import Project

pytestmark = pytest.mark.django_db


def next_run_utc(task: PeriodicTask, after: datetime) -> datetime:
    assert task.crontab is not None
    start, delta, _now = task.crontab.schedule.remaining_delta(after)
    return (start + delta).astimezone(UTC)


@pytest.mark.parametrize(
    ("zone", "after", "expected"),
    [
        # 06:00 in Tokyo (UTC+9, no daylight saving) is 21:00 UTC the day before.
        ("Asia/Tokyo", datetime(2026, 1, 1, 12, 0, tzinfo=UTC), datetime(2026, 1, 1, 21, 0)),
        # 06:00 in Berlin is 05:00 UTC in winter and 04:00 UTC in summer.
        ("Europe/Berlin", datetime(2026, 1, 5, 12, 0, tzinfo=UTC), datetime(2026, 1, 6, 5, 0)),
        ("Europe/Berlin", datetime(2026, 7, 6, 12, 0, tzinfo=UTC), datetime(2026, 7, 7, 4, 0)),
    ],
)
def test_a_cron_schedule_fires_in_its_time_zone(
    project_factory: Callable[..., Project], zone: str, after: datetime, expected: datetime
) -> None:
    project = project_factory()
    schedules.set_schedule(project, schedules.Schedule("cron", cron="0 6 * * *", timezone=zone))
    task = PeriodicTask.objects.select_related("crontab").get(pk=project.schedule_id)
    assert task.task == "reviewer.scheduled_scan" and task.queue == "schedule"
    assert next_run_utc(task, after) == expected.replace(tzinfo=UTC)
    assert schedules.current(project) == schedules.Schedule("cron", cron="0 6 * * *", timezone=zone)


def test_changing_a_schedule_keeps_one_task_per_project(
    project_factory: Callable[..., Project],
) -> None:
    shop, blog = project_factory("shop"), project_factory("blog")
    schedules.set_schedule(shop, schedules.Schedule("interval", every_minutes=15))
    schedules.set_schedule(blog, schedules.Schedule("interval", every_minutes=15))
    first = shop.schedule_id
    schedules.set_schedule(shop, schedules.Schedule("cron", cron="*/5 * * * 1-5"))
    shop.refresh_from_db()
    assert shop.schedule_id == first and PeriodicTask.objects.count() == 2
    assert schedules.current(blog) == schedules.Schedule("interval", every_minutes=15)
    with pytest.raises(schedules.ScheduleError, match="at most once a minute"):
        schedules.set_schedule(shop, schedules.Schedule("interval", every_minutes=0))
