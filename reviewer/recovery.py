"""Scans survive a lost broker: queued scans whose message vanished are sent again.

The database, not the broker, is the record of what must run. A scan row is created
``queued`` before its message is sent; if Redis dies (or restarts without persistence)
the message can be gone while the row still says queued. Every worker sends such scans
again when it starts, and beat does it periodically. Sending twice is harmless: a worker
claims a scan by moving it from queued to running in one UPDATE, so a second delivery of
the same scan finds nothing to do.

For a queued scan ``heartbeat_at`` records when its message was last sent again, so a
scan waiting its turn behind a long queue is not sent over and over.
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

from reviewer.models import Scan

logger = logging.getLogger(__name__)


def requeue_orphaned_scans(older_than: int | None = None) -> int:
    """Send again every queued scan not sent in the last ``older_than`` seconds.

    Returns how many were sent. Stops quietly at the first broker error (still down).
    """
    from reviewer.tasks import scan_project

    seconds = settings.REVIEWDECK_REQUEUE_AFTER if older_than is None else older_than
    cutoff = timezone.now() - timedelta(seconds=seconds)
    orphans = Scan.objects.filter(status=Scan.Status.QUEUED).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    )
    sent = 0
    for scan_id in orphans.order_by("id").values_list("pk", flat=True):
        try:
            scan_project.apply_async(args=(scan_id,), retry=False)
        except Exception as exc:  # kombu raises several types for a dead broker
            logger.warning("broker still unavailable, requeue stopped: %s", type(exc).__name__)
            break
        Scan.objects.filter(pk=scan_id, status=Scan.Status.QUEUED).update(
            heartbeat_at=timezone.now()
        )
        sent += 1
    if sent:
        logger.info("sent %d queued scan(s) again", sent)
    return sent


@shared_task(name="reviewer.requeue_orphaned_scans", ignore_result=True)
def requeue_orphaned_scans_task() -> int:
    return requeue_orphaned_scans()


@worker_ready.connect
def _requeue_when_a_worker_starts(sender: Any = None, **kwargs: Any) -> None:
    try:
        requeue_orphaned_scans()
    except Exception:  # never keep a worker from starting
        logger.exception("could not requeue orphaned scans at worker start")
