"""Celery tasks: thin wrappers that take ids and call domain functions.

Queues: ``scans`` for git and rule work (these tasks); ``claude`` for agent runs, so a
slow Claude review never holds up rule scans.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from reviewer import digests
from reviewer.backfill import BackfillBusyError, backfill
from reviewer.models import PatchRequest, Project, Scan
from reviewer.scanning import (
    QueueUnavailableError,
    TransientScanError,
    enqueue_scan,
    expire_stale_scans,
    request_scan,
    run_scan,
)

logger = logging.getLogger(__name__)


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
    if scan.trigger == Scan.Trigger.SCHEDULE:
        digests.after_scheduled_scan(scan)
    return scan.status


@shared_task(name="reviewer.scheduled_scan", ignore_result=True)
def scheduled_scan(project_id: int) -> str:
    """Beat's entry point: queue a scan of the project unless one is already active."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return "no such project"
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
    if project.backfill_weeks:
        try:
            backfill(project)
        except Exception:  # the regular scan below reports repository problems clearly
            logger.warning("backfill of project %s failed", project_id, exc_info=True)
    scan, created = request_scan(project, Scan.Trigger.MANUAL)
    if created:
        run_scan(scan.pk)
    return f"scan #{scan.pk}"


def start_onboarding(project: Project) -> bool:
    """Queue the onboarding of a new project; False when the queue is unavailable."""
    try:
        onboard_project.apply_async(args=(project.pk,), retry=False)
    except Exception as exc:  # kombu raises several types for a dead broker
        logger.warning("could not queue onboarding of %s: %s", project.pk, type(exc).__name__)
        return False
    return True


def start_backfill(project: Project, weeks: int | None = None) -> bool:
    try:
        backfill_project.apply_async(args=(project.pk, weeks), retry=False)
    except Exception as exc:  # kombu raises several types for a dead broker
        logger.warning("could not queue backfill of %s: %s", project.pk, type(exc).__name__)
        return False
    return True


@shared_task(name="reviewer.prepare_patch", acks_late=True, time_limit=1800, soft_time_limit=1700)
def prepare_patch(patch_id: int) -> str:
    """Prepare a queued migration-debt patch. A redelivered message finds it claimed."""
    from reviewer.patches import run_patch

    patch = run_patch(patch_id)
    return "not queued" if patch is None else patch.status


def enqueue_patch(patch: PatchRequest) -> bool:
    """Hand the patch request to a worker (queue "scans", like a scan); if the broker is
    down the request fails with that reason and False is returned."""
    from reviewer.patches import fail

    try:
        prepare_patch.apply_async(args=(patch.pk,), retry=False)
    except Exception as exc:  # kombu raises several types for a dead broker
        logger.warning("could not queue patch %s: %s", patch.pk, type(exc).__name__)
        fail(patch, "The task queue is unavailable; try again when it is back.")
        return False
    return True


@shared_task(name="reviewer.expire_stale_scans", ignore_result=True)
def expire_stale_scans_task() -> int:
    """Mark scans whose worker died as failed, so the UI says so without a new trigger."""
    running = Project.objects.filter(scans__status=Scan.Status.RUNNING).distinct()
    return sum(expire_stale_scans(p) for p in running)


@shared_task(name="reviewer.weekly_digests", ignore_result=True)
def weekly_digests() -> int:
    return digests.send_weekly_digests(timezone.now())
