"""History backfill: scan the last commit of each past week so charts start on day one.

On a project with no regular scan yet, the weeks are scanned oldest first through the
normal tracking path, so each finding's history (first seen, fixed, reopened) starts in
the week it really appeared, and the first regular scan afterwards reports only what
changed since. On a project that already has regular scans, the weeks before its first
scan are added as summaries only (the charts' history), without touching findings.

Backfilled scans have ``trigger=backfill``; their findings never count as "new" in the
meeting view, and their summaries are dated at the week's commit.
"""

from __future__ import annotations

import logging
import tempfile
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from reviewer import git, quality_profiles
from reviewer.engine import ReviewResult
from reviewer.models import Project, Scan, ScanSummary, Severity
from reviewer.scanning import (
    heartbeat,
    left_the_profile,
    record_results,
    request_scan,
    review_tree,
    rules_fingerprint,
    sync_project,
)

logger = logging.getLogger(__name__)


class BackfillBusyError(Exception):
    """Another scan of the project is queued or running; try again later."""


def backfill(project: Project, weeks: int | None = None) -> list[Scan]:
    """Scan one commit per past week (default ``project.backfill_weeks``); returns the new
    scans, oldest first. Weeks already backfilled are not scanned again."""
    weeks = project.backfill_weeks if weeks is None else weeks
    synced = sync_project(project)
    points = git.weekly_commits(project.checkout_dir, synced.branch, weeks)
    # The current head is the regular scan's job; backfill covers the history before it.
    points = [(sha, date) for sha, date in points if sha != synced.sha]
    done = set(
        Scan.objects.filter(
            project=project, trigger=Scan.Trigger.BACKFILL, status=Scan.Status.SUCCEEDED
        ).values_list("commit_sha", flat=True)
    )
    first_regular = (
        Scan.objects.filter(project=project, status=Scan.Status.SUCCEEDED)
        .exclude(trigger=Scan.Trigger.BACKFILL)
        .order_by("id")
        .first()
    )
    tracking = first_regular is None
    if not tracking:
        assert first_regular is not None
        before = first_regular.started_at or first_regular.created_at
        points = [(sha, date) for sha, date in points if date < before]
    scans: list[Scan] = []
    previous_sha = ""
    for sha, date in points:
        if sha in done:
            previous_sha = sha
            continue
        scans.append(_scan_point(project, sha, date, previous_sha, tracking=tracking))
        previous_sha = sha
    return scans


def _scan_point(
    project: Project, sha: str, date: datetime, previous_sha: str, *, tracking: bool
) -> Scan:
    scan, created = request_scan(project, Scan.Trigger.BACKFILL)
    if not created:
        raise BackfillBusyError(f"scan #{scan.pk} of {project.name} is still active")
    effect = quality_profiles.in_effect(project)  # history is reviewed with today's profile
    Scan.objects.filter(pk=scan.pk).update(
        status=Scan.Status.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        commit_sha=sha,
        ruleset_hash=rules_fingerprint(project, effect),
        profile_version=effect.version,
        progress_message=f"Backfilling the week of {date:%Y-%m-%d}",
    )
    scan.refresh_from_db()
    try:
        workdir = Path(settings.REVIEWDECK_WORKDIR)
        with (
            heartbeat(scan.pk),  # a dead worker's backfill scan is expired like any other
            tempfile.TemporaryDirectory(prefix=f"backfill-{project.pk}-", dir=workdir) as tmp,
        ):
            git.export_tree(project.checkout_dir, sha, Path(tmp))
            result = review_tree(project, Path(tmp), effect)
            gone_by_profile = left_the_profile(Path(tmp), effect)
        if tracking:
            renames: dict[str, str] = {}
            if previous_sha:
                renames = dict(git.changed_paths(project.checkout_dir, previous_sha, sha).renamed)
            record_results(scan, result, renames, when=date, excluded=gone_by_profile)
        else:
            _record_summary_only(scan, result, date)
    except Exception as exc:
        logger.exception("backfill scan %s failed", scan.pk)
        reason = str(exc) if isinstance(exc, git.RepoError) else type(exc).__name__
        Scan.objects.filter(pk=scan.pk).update(
            status=Scan.Status.FAILED, finished_at=timezone.now(), error=reason
        )
        raise
    scan.refresh_from_db()
    return scan


def _record_summary_only(scan: Scan, result: ReviewResult, when: datetime) -> None:
    by_severity: dict[str, int] = defaultdict(int)
    by_category: dict[str, int] = defaultdict(int)
    by_debt: dict[str, dict[str, int]] = {}
    for issue in result.issues:
        by_severity[issue.severity] += 1
        by_category[issue.category] += 1
        if issue.debt_kind:
            slot = by_debt.setdefault(issue.debt_kind, {"count": 0, "minutes": 0})
            slot["count"] += 1
            slot["minutes"] += issue.debt_minutes
    with transaction.atomic():
        ScanSummary.objects.create(
            scan=scan,
            project=scan.project,
            created_at=when,
            open_critical=by_severity[Severity.CRITICAL.code],
            open_important=by_severity[Severity.IMPORTANT.code],
            open_suggestion=by_severity[Severity.SUGGESTION.code],
            debt_minutes=sum(slot["minutes"] for slot in by_debt.values()),
            by_category=dict(by_category),
            by_debt_kind=by_debt,
        )
        Scan.objects.filter(pk=scan.pk).update(
            status=Scan.Status.SUCCEEDED,
            finished_at=timezone.now(),
            progress=100,
            progress_message="Backfilled (summary only)",
            files_reviewed=result.files_reviewed,
        )
