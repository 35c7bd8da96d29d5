"""History backfill: scan the last commit of each past week so charts start on day one.

On a project with no regular scan yet, the weeks are scanned oldest first through the
normal tracking path, so each finding's history (first seen, fixed, reopened) starts in
the week it really appeared, and the first regular scan afterwards reports only what
changed since. On a project that already has regular scans, the weeks before its first
scan are added as summaries only (the charts' history), without touching findings.

Backfilled scans have ``trigger=backfill``; their findings never count as "new" in the
meeting view, and the scans, their summaries and the findings they first saw are dated at
the week's commit (the last commit of the week by committer date, UTC weeks).
"""

from __future__ import annotations

import logging
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from reviewer import git, quality_profiles
from reviewer.engine import ReviewResult
from reviewer.locks import project_lock
from reviewer.models import Project, Scan, ScanSummary, Severity
from reviewer.progress import FileProgress
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


@dataclass
class Backfill:
    """What a backfill did: the new scans, oldest first, and a sentence saying so."""

    scans: list[Scan] = field(default_factory=list)
    note: str = ""


def backfill(project: Project, weeks: int | None = None, *, write_note: bool = True) -> Backfill:
    """Scan one commit per past week (default ``project.backfill_weeks``), up to and
    including the branch head. Weeks already backfilled are not scanned again.
    ``write_note=False`` leaves writing ``result.note`` to the caller (the note ends a
    project's onboarding on its pages, see reviewer.progress).

    A dormant repository (no commit in the last ``weeks`` weeks) gets the ``weeks``
    weeks before its head's date instead, and the note says where its history ends.
    Each backfilled scan is dated at its commit (see Scan.created_at).

    The project is held (``reviewer.locks``) before anything is fetched and until the last
    week is written, on whichever machine; a regular scan that claims the project meanwhile
    stops the backfill at its next week (:class:`BackfillBusyError`: the task retries it
    later, and weeks already done are kept)."""
    with project_lock(project.pk) as held:
        if not held or Scan.objects.active().filter(project=project).exists():
            raise BackfillBusyError(f"another job of {project.name} is running")
        weeks = project.backfill_weeks if weeks is None else weeks
        return _backfill(project, weeks, write_note=write_note)


def _backfill(project: Project, weeks: int, *, write_note: bool) -> Backfill:
    synced = sync_project(project)
    checkout = project.checkout_dir
    points = git.weekly_commits(checkout, weeks=weeks, rev=synced.sha)
    note = ""
    if weeks and not points:
        head = git.commit_date(checkout, synced.sha)
        points = git.weekly_commits(checkout, weeks=weeks, now=head, rev=synced.sha)
        note = f"no commits in the last {weeks} weeks; history ends {head:%Y-%m-%d}"
    first_regular = (
        Scan.objects.filter(project=project, status=Scan.Status.SUCCEEDED)
        .exclude(trigger=Scan.Trigger.BACKFILL)
        .order_by("id")
        .first()
    )
    tracking = first_regular is None
    if not tracking:
        _forget_empty_weeks(project)
        assert first_regular is not None
        before = first_regular.started_at or first_regular.created_at
        points = [(sha, date) for sha, date in points if date < before]
    backfilled = Scan.objects.filter(
        project=project, trigger=Scan.Trigger.BACKFILL, status=Scan.Status.SUCCEEDED
    )
    # Commits already scanned (by a backfill, or a regular scan) are not scanned again.
    done = set(backfilled.values_list("commit_sha", flat=True))
    if not tracking:
        done |= set(
            Scan.objects.filter(project=project, status=Scan.Status.SUCCEEDED).values_list(
                "commit_sha", flat=True
            )
        )
    # Findings are tracked forwards in time only: weeks older than the newest one tracked
    # (a longer range asked for later) are added as summaries only.
    tracked_until = backfilled.aggregate(last=Max("created_at"))["last"]
    result = Backfill()
    previous_sha = ""
    todo = [sha for sha, _date in points if sha not in done]
    for sha, date in points:
        if sha in done:
            previous_sha = sha
            continue
        forwards = tracking and (tracked_until is None or date > tracked_until)
        week = (len(result.scans) + 1, len(todo))
        result.scans.append(
            _scan_point(project, sha, date, previous_sha, tracking=forwards, week=week)
        )
        previous_sha = sha
    done_words = f"{len(result.scans)} week(s) backfilled"
    if points and len(result.scans) < len(points):
        done_words += f" ({len(points) - len(result.scans)} already done)"
    result.note = f"{note}: {done_words}" if note else done_words
    if not points:
        result.note = "no commits to backfill"
    if write_note:
        Project.objects.filter(pk=project.pk).update(backfill_note=result.note[:300])
    return result


def _forget_empty_weeks(project: Project) -> None:
    """Summary-only weeks that reviewed no file at all are scanned again: a release before
    gitignore.py reviewed nothing when the data folder sat inside an ignoring checkout,
    and those weeks must not count as done. Only called once regular scans exist (the
    weeks are then summaries only), so no finding's history is rewritten."""
    Scan.objects.filter(
        project=project,
        trigger=Scan.Trigger.BACKFILL,
        status=Scan.Status.SUCCEEDED,
        files_reviewed=0,
        summary__open_critical=0,
        summary__open_important=0,
        summary__open_suggestion=0,
    ).delete()


def _scan_point(
    project: Project,
    sha: str,
    date: datetime,
    previous_sha: str,
    *,
    tracking: bool,
    week: tuple[int, int] = (1, 1),
) -> Scan:
    where = f"History, week {week[0]} of {week[1]} ({date:%Y-%m-%d})"
    scan, created = request_scan(project, Scan.Trigger.BACKFILL)
    if not created:
        raise BackfillBusyError(f"scan #{scan.pk} of {project.name} is still active")
    effect = quality_profiles.in_effect(project)  # history is reviewed with today's profile
    scan.created_at = date  # the scan stands for its commit's week, not for today
    Scan.objects.filter(pk=scan.pk).update(
        created_at=date,
        status=Scan.Status.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        commit_sha=sha,
        ruleset_hash=rules_fingerprint(project, effect),
        profile_version=effect.version,
        progress_message=f"{where}: exporting the commit",
    )
    scan.refresh_from_db()
    try:
        workdir = Path(settings.REVIEWDECK_WORKDIR)
        with (
            heartbeat(scan.pk),  # a dead worker's backfill scan is expired like any other
            tempfile.TemporaryDirectory(prefix=f"backfill-{project.pk}-", dir=workdir) as tmp,
        ):
            git.export_tree(project.checkout_dir, sha, Path(tmp))
            result = review_tree(
                project, Path(tmp), effect, FileProgress(scan.pk, f"{where}: ", 10, 95)
            )
            gone_by_profile = left_the_profile(Path(tmp), effect)
            if tracking:  # while the tree exists: the findings' excerpts come from it
                renames: dict[str, str] = {}
                if previous_sha:
                    renames = dict(
                        git.changed_paths(project.checkout_dir, previous_sha, sha).renamed
                    )
                record_results(
                    scan, result, renames, when=date, excluded=gone_by_profile, root=Path(tmp)
                )
        if not tracking:
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
