"""Claude parts whose worker died do not stay "running" for ever.

A worker running (or collecting the batch of) a scan's Claude part keeps
``Scan.agents_heartbeat_at`` fresh from a thread, and each part it claims records when
the Celery hard time limit would stop it. When the beats stop (SIGKILL, out of memory,
the hard time limit, a machine gone), ``expire_stale_agent_runs`` (called by the scan
recovery sweep) fails those parts with the true reason and clears ``agents_hash``, so
the next scan of the same head reviews again. A redelivered task takes such parts up
again (``claimable``) instead of answering that nothing is queued.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from reviewer.liveness import WORKER_GONE, dead_after_seconds
from reviewer.models import Scan

logger = logging.getLogger(__name__)
#: Statuses of a part a worker is working on (its heartbeat must stay fresh).
LIVE = ("running", "collecting")


def claimed_entry(status: str = "running", **extra: Any) -> dict[str, Any]:
    """A part a worker just took: when it started and when the hard time limit ends it."""
    now = timezone.now()
    deadline = now + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    return {
        **extra,
        "status": status,
        "started_at": now.isoformat(),
        "deadline": deadline.isoformat(),
    }


def is_stale(scan: Scan, now: datetime | None = None) -> bool:
    """Has the worker of the scan's live Claude parts stopped beating?"""
    now = now or timezone.now()
    beat = scan.agents_heartbeat_at
    return beat is None or beat < now - timedelta(seconds=dead_after_seconds())


def death_reason(entry: dict[str, Any], now: datetime) -> str:
    """Why a live part's worker stopped: the hard time limit when it had passed, else gone."""
    deadline = entry.get("deadline")
    if isinstance(deadline, str) and datetime.fromisoformat(deadline) <= now:
        return (
            f"The Celery hard time limit ({settings.CELERY_TASK_TIME_LIMIT} s) stopped the "
            "Claude review before it finished."
        )
    return (
        f"{WORKER_GONE}: no heartbeat for {dead_after_seconds():g} s (killed, out of memory, "
        "or its machine stopped) while it ran the Claude review."
    )


def fail_dead_parts(scan: Scan, now: datetime | None = None) -> int:
    """Fail the live parts of ``scan`` (locked by the caller) if its heartbeat is stale.
    Returns how many were failed; writes the scan when any was."""
    now = now or timezone.now()
    live = [n for n, r in scan.agent_runs.items() if r.get("status") in LIVE]
    if not live or not is_stale(scan, now):
        return 0
    for name in live:
        reason = death_reason(scan.agent_runs[name], now)
        logger.warning("Claude part %s of scan %s: %s", name, scan.pk, reason)
        scan.agent_runs[name] = {"status": "failed", "error": reason, "interrupted": True}
    scan.agents_hash = ""  # incomplete: the next scan of the same head is not skipped
    scan.agents_heartbeat_at = None
    Scan.objects.filter(pk=scan.pk).update(
        agent_runs=scan.agent_runs, agents_hash="", agents_heartbeat_at=None
    )
    return len(live)


def expire_stale_agent_runs(project_id: int | None = None) -> int:
    """The sweep: fail every live Claude part whose worker stopped beating."""
    now = timezone.now()
    candidates = Scan.objects.filter(agents_heartbeat_at__isnull=False).exclude(agent_runs={})
    candidates = candidates.filter(
        agents_heartbeat_at__lt=now - timedelta(seconds=dead_after_seconds())
    )
    if project_id is not None:
        candidates = candidates.filter(project_id=project_id)
    count = 0
    for scan_id in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            scan = Scan.objects.select_for_update().filter(pk=scan_id).first()
            if scan is not None:
                count += fail_dead_parts(scan, now)
    return count


@contextlib.contextmanager
def agents_heartbeat(scan_id: int) -> Iterator[None]:
    """Keep ``agents_heartbeat_at`` fresh while the Claude part of a scan runs; cleared at
    the end (nothing live any more)."""
    stop = threading.Event()
    Scan.objects.filter(pk=scan_id).update(agents_heartbeat_at=timezone.now())

    def beat() -> None:
        try:
            while not stop.wait(settings.REVIEWDECK_HEARTBEAT_SECONDS):
                try:
                    Scan.objects.filter(pk=scan_id, agents_heartbeat_at__isnull=False).update(
                        agents_heartbeat_at=timezone.now()
                    )
                except DatabaseError:
                    connection.close()  # keep trying: the database may come back
        except Exception:  # a lost heartbeat must never break the review itself
            logger.warning("Claude heartbeat of scan %s stopped", scan_id, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"claude-{scan_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)
        Scan.objects.filter(pk=scan_id).update(agents_heartbeat_at=None)
