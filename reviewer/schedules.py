"""Per-project scan schedules, stored as django-celery-beat PeriodicTask rows.

Beat runs with the DatabaseScheduler, which notices changed rows on its next tick: a
schedule edited in the project's settings page or the admin takes effect without a
restart. Each project has at most one schedule (``Project.schedule``).

Spreading: an interval schedule starts at a stable per-project offset inside its interval
(``PeriodicTask.start_time``), so 1,000 projects every 5 minutes are sent a few a second
instead of all at the same second; beat keeps the spacing, since each next run is one
interval after the last. Cron schedules run at the minute they name.

One beat: run exactly one beat process. A second one (by mistake, or during a rolling
restart) sends every tick twice; the tick (``reviewer.tasks.scheduled_scan``) then finds
a scheduled scan of the project requested within :func:`tick_window` and does nothing,
and two ticks at the same moment get the same scan back (``request_scan``).
"""

from __future__ import annotations

import hashlib
import json
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from celery.schedules import crontab
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from reviewer.models import Project

TASK_NAME = "reviewer.scheduled_scan"
QUEUE = "schedule"
#: How close two ticks of a cron schedule may be and still be one tick (two beats).
CRON_TICK_WINDOW = timedelta(seconds=30)


class ScheduleError(ValueError):
    """A schedule a person typed that cannot work; the message says why."""


@dataclass(frozen=True)
class Schedule:
    kind: str  # "off" | "interval" | "cron"
    every_minutes: int = 0
    cron: str = ""  # "minute hour day-of-month month day-of-week"
    timezone: str = "UTC"

    def describe(self) -> str:
        if self.kind == "interval":
            return f"every {self.every_minutes} min"
        if self.kind == "cron":
            return f"cron '{self.cron}' ({self.timezone})"
        return "not scheduled"


def parse_cron(expression: str, tz: str = "UTC") -> tuple[str, str, str, str, str]:
    fields = expression.split()
    if len(fields) != 5:
        raise ScheduleError(
            "A cron schedule has five fields: minute hour day-of-month month day-of-week "
            "(for example '0 6 * * 1-5')."
        )
    minute, hour, day_of_month, month, day_of_week = fields
    try:
        crontab(
            minute=minute,
            hour=hour,
            day_of_month=day_of_month,
            month_of_year=month,
            day_of_week=day_of_week,
        )
    except (ValueError, IndexError, KeyError) as exc:
        raise ScheduleError(f"Not a valid cron schedule: {exc}") from None
    check_timezone(tz)
    return minute, hour, day_of_month, month, day_of_week


def check_timezone(tz: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"Unknown time zone: {tz!r} (use a name like Europe/Berlin).") from None


def current(project: Project) -> Schedule:
    task = project.schedule
    if task is None or not task.enabled:
        return Schedule("off")
    if task.interval is not None:
        minutes = task.interval.every * {"minutes": 1, "hours": 60, "days": 1440}.get(
            task.interval.period, 0
        )
        if task.interval.period == "seconds":
            minutes = max(1, task.interval.every // 60)
        return Schedule("interval", every_minutes=minutes)
    if task.crontab is not None:
        c = task.crontab
        expression = f"{c.minute} {c.hour} {c.day_of_month} {c.month_of_year} {c.day_of_week}"
        return Schedule("cron", cron=expression, timezone=str(c.timezone))
    return Schedule("off")


@transaction.atomic
def set_schedule(project: Project, schedule: Schedule, *, every_seconds: int = 0) -> None:
    """Create, change or remove the project's schedule. ``every_seconds`` (tests, demos)
    overrides an interval schedule's minutes."""
    task = project.schedule
    if schedule.kind == "off":
        if task is not None:
            project.schedule = None
            project.save(update_fields=["schedule"])
            task.delete()
        return
    interval = cron = None
    if schedule.kind == "interval":
        if every_seconds <= 0 and schedule.every_minutes < 1:
            raise ScheduleError("Scan at most once a minute (interval of 1 minute or more).")
        if every_seconds > 0:
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=every_seconds, period=IntervalSchedule.SECONDS
            )
        else:
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=schedule.every_minutes, period=IntervalSchedule.MINUTES
            )
    elif schedule.kind == "cron":
        minute, hour, dom, month, dow = parse_cron(schedule.cron, schedule.timezone)
        cron, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_month=dom,
            month_of_year=month,
            day_of_week=dow,
            timezone=check_timezone(schedule.timezone),
        )
    else:
        raise ScheduleError(f"Unknown schedule kind {schedule.kind!r}.")
    if task is None:
        task = PeriodicTask(name=f"Scan project #{project.pk}", task=TASK_NAME)
    if interval is not None and (task.pk is None or task.interval_id != interval.pk):
        task.start_time = first_run(project.pk, _seconds(interval), datetime.now(UTC))
    elif interval is None:
        task.start_time = None
    task.interval, task.crontab = interval, cron
    task.args = json.dumps([project.pk])
    task.queue = QUEUE
    task.enabled = True
    task.description = f"Scheduled scan of {project.name}"
    task.save()
    if project.schedule_id != task.pk:
        project.schedule = task
        project.save(update_fields=["schedule"])


@dataclass(frozen=True)
class Runs:
    """When the schedule last queued a scan and when it will next (None: never/off)."""

    last: datetime | None
    next: datetime | None


def runs(project: Project, now: datetime | None = None) -> Runs:
    task = project.schedule
    if task is None or not task.enabled:
        return Runs(task.last_run_at if task else None, None)
    now = now or timezone.now()
    since = task.last_run_at or task.date_changed or now
    if task.interval is not None:
        # One period after the last run, never before the project's spread start.
        every = task.interval.schedule.run_every
        due = task.last_run_at + every if task.last_run_at else (task.start_time or now)
        if task.start_time is not None and task.start_time > due:
            due = task.start_time
        return Runs(task.last_run_at, max(now, due))
    if task.start_time is not None and task.start_time > now:  # not before its start
        return Runs(task.last_run_at, task.start_time)
    try:
        remaining = task.schedule.remaining_estimate(since)
    except (ValueError, TypeError, OverflowError):
        return Runs(task.last_run_at, None)
    return Runs(task.last_run_at, max(now, now + remaining))


def _seconds(interval: IntervalSchedule) -> int:
    per = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
    return max(1, interval.every * per.get(interval.period, 60))


def offset_seconds(project_id: int, period: int) -> int:
    """The project's stable place inside an interval of ``period`` seconds (a hash of its
    id, so it never changes and projects spread evenly)."""
    digest = hashlib.sha256(f"reviewdeck-schedule:{project_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % max(1, period)


def first_run(project_id: int, period: int, now: datetime) -> datetime:
    """The first moment after ``now`` at the project's offset within ``period``."""
    stamp = now.timestamp()
    start = stamp - stamp % period + offset_seconds(project_id, period)
    if start <= stamp:
        start += period
    return datetime.fromtimestamp(start, UTC)


def tick_window(project: Project) -> timedelta:
    """Two ticks of the project's schedule closer than this are one tick sent twice (a
    second beat): half an interval schedule's period, CRON_TICK_WINDOW for cron."""
    task = project.schedule
    if task is not None and task.interval is not None:
        return timedelta(seconds=_seconds(task.interval) / 2)
    return CRON_TICK_WINDOW
