"""What a project is doing right now, for the pages that poll while work is under way:
cloning a newly added repository, backfilling week k of N, reviewing file x of y.

Workers write a scan's progress (percent and a sentence) as they go, at most once per
REPORT_SECONDS per scan (``FileProgress``); the pages read it back with the scan
(``activity``) and poll every two seconds while something is active.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from reviewer.models import Project, Scan

REPORT_SECONDS = 1.0
#: How long after being added a project without a regular scan counts as onboarding.
ONBOARDING_HOURS = 2


@dataclass(frozen=True)
class Activity:
    message: str
    percent: int
    scan: Scan | None = None  # None: cloning a new project, before its first scan


def onboarding(project: Project, last_scan: Scan | None) -> bool:
    """A project added in the last ONBOARDING_HOURS whose first regular scan has not
    started: its repository is being cloned or its history backfilled (between two
    backfilled weeks no scan is active, yet the work goes on). A backfill that has ended
    (its note is written last) is not onboarding any more: the regular scan that follows
    it is active on its own, and a history backfilled from the command line has none."""
    if project.clone_state == Project.CloneState.ERROR or project.backfill_note:
        return False
    if timezone.now() - project.created_at > timedelta(hours=ONBOARDING_HOURS):
        return False
    return last_scan is None or last_scan.trigger == Scan.Trigger.BACKFILL


def activity(project: Project, last_scan: Scan | None) -> Activity | None:
    """The work under way on ``project`` (``last_scan``: its newest scan), or None."""
    if last_scan is not None and last_scan.is_active:
        if last_scan.status == Scan.Status.QUEUED:
            return Activity(last_scan.progress_message or "Waiting for a worker", 0, last_scan)
        return Activity(last_scan.progress_message or "Starting", last_scan.progress, last_scan)
    if onboarding(project, last_scan):
        if last_scan is None:
            return Activity("Cloning the repository", 0)
        done = f"{last_scan.created_at:%Y-%m-%d}"
        return Activity(f"Scanning the history: the week of {done} is done", 100)
    return None


class FileProgress:
    """Writes "reviewing file x of y" onto a scan while the engine reviews, mapping the
    files onto ``low``..``high`` percent; throttled to one write per REPORT_SECONDS."""

    def __init__(self, scan_id: int, prefix: str = "", low: int = 30, high: int = 80) -> None:
        self.scan_id, self.prefix, self.low, self.high = scan_id, prefix, low, high
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < REPORT_SECONDS:
            return
        self.last = now
        percent = self.low + (self.high - self.low) * done // max(total, 1)
        message = f"{self.prefix}reviewing file {done:,} of {total:,}"
        Scan.objects.filter(pk=self.scan_id, status=Scan.Status.RUNNING).update(
            progress=percent, progress_message=message[:200], heartbeat_at=timezone.now()
        )
