"""Celery tasks of scans, schedules, backfills and housekeeping, and the only code that
sends scan work to the broker.

Tasks are thin: they take ids, call domain functions and send follow-up work. Queues
(``CELERY_TASK_ROUTES``): ``schedule`` for beat's ticks, ``scans`` for scans,
``backfill`` for onboarding, history and patches, ``maintenance`` for the periodic
sweeps; ``claude`` for agent runs (``reviewer.agents.tasks``). No kind of work waits
behind another: a backfill never delays a scheduled scan.

Scans survive a lost broker: the database, not the broker, is the record of what must
run. A scan row is created ``queued`` before its message is sent; if Redis dies (or
restarts without persistence) the message can be gone while the row still says queued.
Every worker sends such scans again when it starts, and beat does it periodically
(``requeue_orphaned_scans``). Sending twice is harmless: a worker claims a scan by moving
it from queued to running in one UPDATE. For a queued scan ``heartbeat_at`` records when
its message was last sent again, so a scan waiting behind a long queue is not resent.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from reviewer import digests, fleet, schedules
from reviewer.agents.recovery import expire_stale_agent_runs
from reviewer.agents.tasks import queue_claude_review
from reviewer.backfill import BackfillBusyError, backfill
from reviewer.broker import send
from reviewer.models import PatchRequest, Project, Scan
from reviewer.patches import fail as fail_patch
from reviewer.patches import run_patch
from reviewer.scanning import (
    TransientScanError,
    expire_stale_scans,
    fail_scan,
    request_scan,
    run_scan,
)

logger = logging.getLogger(__name__)


class QueueUnavailableError(Exception):
    """The Celery broker could not take the scan."""


def enqueue_scan(scan: Scan) -> None:
    """Hand the scan to a worker (its project's machine when scans are routed, see
    ``reviewer.fleet``); if the broker is down the scan fails with that reason."""
    if not send(scan_project, scan.pk, queue=fleet.scan_queue(scan.project_id)):
        fail_scan(scan, "The task queue is unavailable; try again when it is back.")
        raise QueueUnavailableError("the task queue is unavailable")


def after_scan(scan: Scan) -> None:
    """What follows a finished scan: its Claude part, if run_scan planned one."""
    if scan.status == Scan.Status.SUCCEEDED:
        queue_claude_review(scan)  # never raises: a queue failure is noted on the scan


@shared_task(bind=True, name="reviewer.scan_project", acks_late=True, max_retries=None)
def scan_project(self: Any, scan_id: int) -> str:
    """Run a queued scan. Safe to deliver twice: only a queued scan is claimed.

    Transient git failures (network, timeouts) are retried with exponential backoff,
    ``REVIEWDECK_SCAN_RETRIES`` times; then the scan fails with git's reason.
    """
    attempt = self.request.retries
    try:
        scan = run_scan(scan_id, final_attempt=attempt >= settings.REVIEWDECK_SCAN_RETRIES)
    except TransientScanError as exc:
        delay = settings.REVIEWDECK_RETRY_BACKOFF * (2**attempt)
        logger.info("scan %s: transient git failure, retry %d in %ss", scan_id, attempt + 1, delay)
        raise self.retry(countdown=delay, exc=exc) from exc
    if scan is None:
        return "not queued"
    after_scan(scan)
    if scan.trigger == Scan.Trigger.SCHEDULE:
        digests.after_scheduled_scan(scan)
    return scan.status


@shared_task(name="reviewer.scheduled_scan", ignore_result=True)
def scheduled_scan(project_id: int) -> str:
    """Beat's entry point: queue a scan of the project unless one is already active."""
    project = Project.objects.select_related("schedule__interval").filter(pk=project_id).first()
    if project is None:
        return "no such project"
    # A second beat sends each tick twice: the first one of this interval is enough.
    since = timezone.now() - schedules.tick_window(project)
    if Scan.objects.filter(
        project=project, trigger=Scan.Trigger.SCHEDULE, created_at__gte=since
    ).exists():
        return "already requested in this interval"
    scan, created = request_scan(project, Scan.Trigger.SCHEDULE)
    if not created:
        return f"scan #{scan.pk} already active"
    try:
        enqueue_scan(scan)
    except QueueUnavailableError:
        return "queue unavailable"
    return f"queued scan #{scan.pk}"


@shared_task(bind=True, name="reviewer.backfill_project", acks_late=True, max_retries=20)
def backfill_project(self: Any, project_id: int, weeks: int | None = None) -> int:
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return 0
    try:
        return len(backfill(project, weeks).scans)
    except BackfillBusyError as exc:
        raise self.retry(countdown=30, exc=exc) from exc


@shared_task(name="reviewer.onboard_project", acks_late=True)
def onboard_project(project_id: int) -> str:
    """A newly added project: backfill its weekly history, then scan its current head."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return "no such project"
    note = ""
    if project.backfill_weeks:
        try:
            note = backfill(project, write_note=False).note
        except Exception:  # the regular scan below reports repository problems clearly
            logger.warning("backfill of project %s failed", project_id, exc_info=True)
    scan, created = request_scan(project, Scan.Trigger.MANUAL)
    # Written once the regular scan exists: pages polling the onboarding never see a
    # moment with neither an onboarding nor an active scan (reviewer.progress).
    Project.objects.filter(pk=project.pk).update(backfill_note=note[:300])
    if created:
        finished = run_scan(scan.pk)
        if finished is not None:
            after_scan(finished)
    return f"scan #{scan.pk}"


def start_onboarding(project: Project) -> bool:
    """Queue the onboarding of a new project; False when the queue is unavailable."""
    return send(onboard_project, project.pk)


def start_backfill(project: Project, weeks: int | None = None) -> bool:
    return send(backfill_project, project.pk, weeks)


@shared_task(name="reviewer.prepare_patch", acks_late=True, time_limit=1800, soft_time_limit=1700)
def prepare_patch(patch_id: int) -> str:
    """Prepare a queued migration-debt patch. A redelivered message finds it claimed."""
    patch = run_patch(patch_id)
    return "not queued" if patch is None else patch.status


def enqueue_patch(patch: PatchRequest) -> bool:
    """Hand the patch request to a worker (queue "backfill"); if the broker is
    down the request fails with that reason and False is returned."""
    if not send(prepare_patch, patch.pk):
        fail_patch(patch, "The task queue is unavailable; try again when it is back.")
        return False
    return True


@shared_task(bind=True, name="reviewer.expire_stale_scans", ignore_result=True)
def expire_stale_scans_task(self: Any) -> int:
    """Mark scans and Claude parts whose worker died as failed, so the UI says so without
    a new trigger."""
    if fleet.already_ran(self.request, "expire-stale-scans"):
        return 0
    running = Project.objects.filter(scans__status=Scan.Status.RUNNING).distinct()
    return sum(expire_stale_scans(p) for p in running) + expire_stale_agent_runs()


@shared_task(bind=True, name="reviewer.weekly_digests", ignore_result=True)
def weekly_digests(self: Any) -> int:
    if fleet.already_ran(self.request, "weekly-digests"):
        return 0  # the digests went out once
    return digests.send_weekly_digests(timezone.now())


def requeue_orphaned_scans(older_than: int | None = None) -> int:
    """Send again every queued scan not sent in the last ``older_than`` seconds.

    Returns how many were sent. Stops quietly at the first broker error (still down).
    """
    seconds = settings.REVIEWDECK_REQUEUE_AFTER if older_than is None else older_than
    cutoff = timezone.now() - timedelta(seconds=seconds)
    orphans = Scan.objects.filter(status=Scan.Status.QUEUED).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    )
    sent = 0
    for scan_id in orphans.order_by("id").values_list("pk", flat=True):
        # The shared queue, never a machine's: that machine may be the one that is gone.
        if not send(scan_project, scan_id, queue=fleet.SHARED_QUEUE):
            logger.warning("broker still unavailable, requeue stopped")
            break
        Scan.objects.filter(pk=scan_id, status=Scan.Status.QUEUED).update(
            heartbeat_at=timezone.now()
        )
        sent += 1
    if sent:
        logger.info("sent %d queued scan(s) again", sent)
    return sent


@shared_task(bind=True, name="reviewer.requeue_orphaned_scans", ignore_result=True)
def requeue_orphaned_scans_task(self: Any) -> int:
    if fleet.already_ran(self.request, "requeue-orphaned-scans"):
        return 0
    return requeue_orphaned_scans()


@worker_ready.connect
def _requeue_when_a_worker_starts(sender: Any = None, **kwargs: Any) -> None:
    try:
        requeue_orphaned_scans()
    except Exception:  # never keep a worker from starting
        logger.exception("could not requeue orphaned scans at worker start")
