"""Run one scan of a project and persist what it found.

The flow: claim the queued Scan, sync the clone (``repos``), run the engine, then in ONE
transaction match the candidates to the project's findings (``tracking``), write the new
and changed findings, their per-scan events and the scan's summary row. A failure at any
step marks the scan failed with a clear reason; nothing half-written is left visible.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from reviewer import checkouts, gates, git, quality_profiles
from reviewer.agents.recovery import expire_stale_agent_runs
from reviewer.agents.selection import claude_fingerprint, plan_claude_review
from reviewer.engine import Issue, Note, ReviewResult, review
from reviewer.engine.profile import DEFAULT_PROFILE
from reviewer.engine.project_config import load_config
from reviewer.engine.registry import ruleset_fingerprint
from reviewer.findings import summaries, writer
from reviewer.findings.excerpts import Excerpts
from reviewer.liveness import WORKER_GONE, dead_after_seconds
from reviewer.locks import project_lock
from reviewer.models import Finding, Project, Scan, ScanSummary
from reviewer.progress import FileProgress
from reviewer.tracking import track

logger = logging.getLogger(__name__)


#: Notes about the review's configuration (the stored profile, the repository's
#: ``[tool.reviewdeck]``): shown apart on the scan page, since someone has to fix them.
CONFIG_NOTE_PATHS = frozenset({"quality profile", "pyproject.toml"})


def request_scan(project: Project, trigger: str = Scan.Trigger.MANUAL) -> tuple[Scan, bool]:
    """Queue a scan unless one is already queued or running; return it and whether it is new.

    The partial unique constraint ``one_active_scan_per_project`` makes this safe against
    two triggers racing: the loser gets the winner's scan back.
    """
    expire_stale_scans(project)
    try:
        with transaction.atomic():
            scan = Scan.objects.create(project=project, trigger=trigger, branch=project.branch)
            if trigger != Scan.Trigger.BACKFILL:  # history is not the project's last scan
                Project.objects.filter(pk=project.pk).update(last_scan=scan)
    except IntegrityError:
        active = Scan.objects.active().filter(project=project).first()
        if active is None:  # it finished between our insert and this read: try once more
            return request_scan(project, trigger)
        return active, False
    return scan, True


#: The reason a scan fails when another job of the project kept it (reviewer.locks).
BUSY = "Another job of this project (a history backfill) kept running; scan again later."


def expire_stale_scans(project: Project) -> int:
    """Fail active scans (and Claude parts) whose worker stopped reporting (killed, out of
    memory, ...)."""
    seconds = dead_after_seconds()
    cutoff = timezone.now() - timedelta(seconds=seconds)
    running_dead = Scan.objects.filter(
        project=project, status=Scan.Status.RUNNING, heartbeat_at__lt=cutoff
    )
    queued_forever = Scan.objects.filter(
        project=project,
        status=Scan.Status.QUEUED,
        created_at__lt=timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT),
    )
    now = timezone.now()
    count = running_dead.update(
        status=Scan.Status.FAILED,
        finished_at=now,
        error=f"{WORKER_GONE}: no heartbeat for {seconds:g} s (killed, out of memory, or its "
        "machine stopped).",
    )
    count += queued_forever.update(
        status=Scan.Status.FAILED, finished_at=now, error="No worker picked the scan up in time."
    )
    count += expire_stale_agent_runs(project.pk)  # Claude parts whose worker died
    return count


def _progress(scan: Scan, percent: int, message: str) -> None:
    scan.progress, scan.progress_message = percent, message
    Scan.objects.filter(pk=scan.pk).update(
        progress=percent, progress_message=message, heartbeat_at=timezone.now()
    )


def fail_scan(scan: Scan, error: str) -> None:
    scan.status, scan.error = Scan.Status.FAILED, error
    Scan.objects.filter(pk=scan.pk).update(
        status=Scan.Status.FAILED, error=error, finished_at=timezone.now()
    )


class ScanAbandonedError(Exception):
    """The scan was declared dead while its worker still ran; its result is dropped."""


class TransientScanError(Exception):
    """git failed in a way that may pass (network, timeout): the task retries the scan."""


_TRANSIENT_MARKERS = (
    "timed out",
    "could not resolve host",
    "connection refused",
    "failed to connect",
    "couldn't connect",
    "connection reset",
    "connection timed out",
    "temporary failure",
    "early eof",
    "the remote end hung up",
    "network is unreachable",
    "http 502",
    "http 503",
    "error: 502",
    "error: 503",
)


def is_transient(exc: git.RepoError) -> bool:
    if isinstance(exc, git.RepoRefusedError):
        return False  # the outbound policy will refuse it again
    if isinstance(exc, git.RepoTimeoutError | git.RepoUnreachableError):
        return True
    text = str(exc).lower()
    return any(marker in text for marker in _TRANSIENT_MARKERS)


def previous_scan(project: Project, exclude: Scan | None = None) -> Scan | None:
    """The scan the next one is compared with: the last successful regular scan, else the
    newest point of a history backfill."""
    done = Scan.objects.filter(project=project, status=Scan.Status.SUCCEEDED).exclude(commit_sha="")
    if exclude is not None:
        done = done.exclude(pk=exclude.pk)
    regular = done.exclude(trigger=Scan.Trigger.BACKFILL).order_by("-id").first()
    return regular or done.order_by("-id").first()


def sync_project(project: Project) -> git.SyncResult:
    """Fetch the project's branch head into this machine's cache (nothing is checked
    out: the review reads ``checkouts.tree_at(project, sha)``); a failure is recorded on
    the project and re-raised."""
    return checkouts.fetch(project)


def rules_fingerprint(project: Project, effect: quality_profiles.InEffect) -> str:
    """What the scan's rules are: the engine's rule-set fingerprint and, unless it is the
    built-in default, what the quality profile does. A profile change is a rule-set change
    (its new findings in untouched files are "from a new rule")."""
    base = ruleset_fingerprint(project.agents or None)
    if effect.profile == DEFAULT_PROFILE:
        return base
    profiled = f"{base}:{quality_profiles.fingerprint(effect.profile)}"
    return hashlib.sha256(profiled.encode()).hexdigest()


def review_tree(
    project: Project,
    root: Path,
    effect: quality_profiles.InEffect | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ReviewResult:
    """Review a checkout with the project's quality profile (``effect``: resolved by the
    caller, so the scan records the version it used). Stored entries the engine no longer
    accepts are left out and become notes on the scan, never a failure."""
    effect = effect or quality_profiles.in_effect(project)
    result = review(
        root,
        agents=project.agents or None,
        max_file_bytes=settings.REVIEWDECK_MAX_FILE_BYTES,
        # A prefork worker's child is a daemon and may not start a process pool.
        jobs=1 if multiprocessing.current_process().daemon else None,
        ruff=settings.REVIEWDECK_RUFF,
        cache_dir=Path(settings.DATA_DIR) / "engine-cache",
        profile=effect.profile,
        progress=progress,
    )
    result.notes[:0] = [Note("quality profile", problem) for problem in effect.problems]
    return result


def left_the_profile(root: Path, effect: quality_profiles.InEffect) -> Callable[[Finding], bool]:
    """For a finding the review no longer reports: True when the profile (or the
    repository's ``[tool.reviewdeck]`` in the checkout at ``root``) stops it from being
    reported, i.e. it is excluded, not fixed."""
    config, _ = load_config(root)
    profile = effect.profile

    def gone_by_profile(finding: Finding) -> bool:
        return not quality_profiles.reported(finding.rule_id, finding.path, profile, config)

    return gone_by_profile


def run_scan(scan_id: int, *, final_attempt: bool = True) -> Scan | None:
    """Run a queued scan to the end. Returns None when it is gone or not queued any more.

    When git fails in a way that may pass and this is not the ``final_attempt``, the scan
    goes back to queued and :class:`TransientScanError` tells the task to retry later.
    """
    claimed = Scan.objects.filter(pk=scan_id, status=Scan.Status.QUEUED).update(
        status=Scan.Status.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    if not claimed:
        logger.info("scan %s is not queued any more; nothing to do", scan_id)
        return None
    scan = Scan.objects.select_related("project").get(pk=scan_id)
    with (
        heartbeat(scan.pk),
        # The project across machines, from the fetch to the last write; a history
        # backfill holding it stops at its next week (it finds this scan active).
        project_lock(scan.project_id, wait=settings.REVIEWDECK_LOCK_WAIT_SECONDS) as held,
    ):
        if held:
            finished = _run_claimed(scan, final_attempt=final_attempt)
        else:
            fail_scan(scan, BUSY)
            finished = scan
    if finished is not None and not finished.is_active:
        gates.record(finished)  # the quality gate is judged after every finished scan
    return finished


@contextlib.contextmanager
def heartbeat(scan_id: int) -> Iterator[None]:
    """Keep the running scan's heartbeat fresh from a thread while the work runs: a scan
    whose heartbeat stops (worker killed) is marked failed by ``expire_stale_scans``."""
    stop = threading.Event()

    def beat() -> None:
        down_since: datetime | None = None  # the database refused the last beats
        try:
            while not stop.wait(settings.REVIEWDECK_HEARTBEAT_SECONDS):
                try:
                    beaten = Scan.objects.filter(pk=scan_id, status=Scan.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:
                    # Keep trying: the worker is alive, the database is not reachable.
                    down_since = down_since or timezone.now()
                    connection.close()
                    continue
                if not beaten:  # declared dead while this worker was alive: say why
                    database_came_back(scan_id, down_since)
                down_since = None
        except Exception:  # a lost heartbeat must never break the scan itself
            logger.warning("heartbeat of scan %s stopped", scan_id, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"scan-{scan_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)


def database_came_back(scan_id: int, down_since: datetime | None) -> None:
    """The heartbeat of a live worker found its scan declared dead: its beats could not
    be written (the database was unreachable). Replace "the worker stopped responding"
    with that reason."""
    if down_since is not None:
        seconds = round((timezone.now() - down_since).total_seconds())
        reason = (
            f"The database was unavailable for about {seconds} s from "
            f"{down_since:%Y-%m-%d %H:%M:%S} UTC"
        )
    else:
        reason = "The worker was running but could not write its heartbeat to the database"
    logger.warning("scan %s was declared dead while its worker ran: %s", scan_id, reason)
    Scan.objects.filter(
        pk=scan_id, status=Scan.Status.FAILED, error__startswith=WORKER_GONE
    ).update(error=f"{reason}: the worker could not report, so the scan was stopped. Scan again.")


def _run_claimed(scan: Scan, *, final_attempt: bool) -> Scan | None:
    project = scan.project
    scan_id = scan.pk
    try:
        _progress(
            scan,
            5,
            "Cloning the repository"
            if not (project.checkout_dir / ".git").exists()
            else "Fetching the repository",
        )
        try:
            synced = sync_project(project)
        except git.RepoError as exc:
            if not final_attempt and is_transient(exc):
                Scan.objects.filter(pk=scan.pk).update(
                    status=Scan.Status.QUEUED, progress_message=f"Retrying: {exc}"
                )
                raise TransientScanError(str(exc)) from exc
            fail_scan(scan, str(exc))
            return scan
        scan.commit_sha, scan.branch = synced.sha, synced.branch
        effect = quality_profiles.in_effect(project)
        scan.ruleset_hash = rules_fingerprint(project, effect)
        scan.agents_hash = claude_fingerprint(project)
        scan.profile_version = effect.version
        Scan.objects.filter(pk=scan.pk).update(
            commit_sha=synced.sha,
            branch=synced.branch,
            ruleset_hash=scan.ruleset_hash,
            agents_hash=scan.agents_hash,
            profile_version=effect.version,
        )
        previous = previous_scan(project, exclude=scan)
        # Only scheduled runs may end as "no change": a manual scan is how a user checks a
        # new profile or agent, so it is always done.
        if (
            scan.trigger == Scan.Trigger.SCHEDULE
            and previous is not None
            and is_unchanged(previous, scan)
        ):
            _skip(scan, previous)
            return scan

        _progress(scan, 30, "Reviewing the code")
        # The exact commit the scan names, never whatever a checkout on this machine holds.
        try:
            root = checkouts.tree_at(project, scan.commit_sha)
        except git.RepoError as exc:
            fail_scan(scan, str(exc))
            return scan
        _pause(settings.REVIEWDECK_SCAN_DELAY_SECONDS)
        result = review_tree(project, root, effect, FileProgress(scan.pk))
        _progress(scan, 80, "Recording findings")
        changes = _changes_since(project, previous, scan.commit_sha)
        record_results(
            scan,
            result,
            dict(changes.renamed) if changes else {},
            new_rules=_new_rule_context(project, previous, scan, changes),
            excluded=left_the_profile(root, effect),
            root=root,
        )
    except TransientScanError:
        raise
    except SoftTimeLimitExceeded:
        fail_scan(scan, "The scan took longer than its time limit (REVIEWDECK_SCAN_TIME_LIMIT).")
        raise
    except ScanAbandonedError:
        logger.warning("scan %s was declared dead while running; result dropped", scan_id)
        scan.refresh_from_db()
        return scan
    except DatabaseError as exc:
        logger.exception("scan %s failed: database error", scan_id)
        connection.close()
        with contextlib.suppress(DatabaseError):  # if it is still down, expiry says so later
            fail_scan(scan, f"The database was unavailable during the scan ({type(exc).__name__}).")
        raise
    except Exception as exc:
        logger.exception("scan %s failed", scan_id)
        fail_scan(scan, f"Internal error while scanning: {type(exc).__name__}")
        raise
    plan_claude_review(scan)  # the scan task sends it
    return scan


#: Claude parts a worker has or will take up (a dead one is failed by the recovery sweep).
IN_PROGRESS = ("queued", "running", "collecting")


def is_unchanged(previous: Scan, scan: Scan) -> bool:
    """Would reviewing ``scan`` repeat ``previous``? Same head, rules and agents, and the
    previous scan's Claude part ended complete: a part that failed, stopped, ended
    incomplete or partial is worth another try (a part whose worker died is failed by the
    recovery sweep), and one still waiting for its batch does not hold the head back (the
    new scan does not send the files that batch holds again)."""
    failed_agents = any(
        isinstance(run, dict) and run.get("status") not in ("succeeded", *IN_PROGRESS)
        for run in (previous.agent_runs or {}).values()
    )
    return (
        previous.trigger != Scan.Trigger.BACKFILL
        and previous.commit_sha == scan.commit_sha
        and previous.ruleset_hash == scan.ruleset_hash
        and previous.agents_hash == scan.agents_hash
        and not failed_agents
    )


def _pause(seconds: float) -> None:
    """``REVIEWDECK_SCAN_DELAY_SECONDS``: a deliberate pause before the review (0 in
    production). Tests use it to have a scan that is reliably still running; with
    ``REVIEWDECK_SCAN_HOLD_FILE`` the pause ends as soon as that file is gone."""
    hold = settings.REVIEWDECK_SCAN_HOLD_FILE
    deadline = time.monotonic() + seconds
    while (remaining := deadline - time.monotonic()) > 0:
        if hold and not Path(hold).exists():
            return
        time.sleep(min(remaining, 0.1) if hold else remaining)


def _skip(scan: Scan, previous: Scan) -> None:
    """A scheduled run found nothing to do. The project's "last scan" stays the last real
    result; the check itself shows as ``Project.last_synced_at``."""
    scan.status = Scan.Status.SKIPPED
    Scan.objects.filter(pk=scan.pk).update(
        status=Scan.Status.SKIPPED,
        finished_at=timezone.now(),
        progress=100,
        progress_message=f"No change since scan #{previous.pk}",
    )
    Project.objects.filter(pk=scan.project_id, last_scan=scan).update(last_scan=previous)


def _changes_since(project: Project, previous: Scan | None, sha: str) -> git.ChangeSet | None:
    """What changed between the previous scan's commit and ``sha`` (None: unknown)."""
    if previous is None or not previous.commit_sha:
        return None
    if previous.commit_sha == sha:
        return git.ChangeSet()
    try:
        return git.changed_paths(project.checkout_dir, previous.commit_sha, sha)
    except git.RepoError:
        return None  # history rewritten (force push): match by content alone


@dataclass(frozen=True)
class NewRuleContext:
    """When the rule set or agents changed: files the commit did not touch, and where the
    git history of each file can be read to backdate a finding to the code's age."""

    touched: frozenset[str]
    checkout: Path
    commit: str


def _new_rule_context(
    project: Project, previous: Scan | None, scan: Scan, changes: git.ChangeSet | None
) -> NewRuleContext | None:
    if previous is None or changes is None or not previous.ruleset_hash:
        return None
    if previous.ruleset_hash == scan.ruleset_hash:  # agents only add Claude findings
        return None
    touched = changes.added | changes.modified | frozenset(changes.renamed.values())
    return NewRuleContext(touched, project.checkout_dir, scan.commit_sha)


def _mark_new_rule_findings(created: list[Finding], context: NewRuleContext) -> None:
    """Findings in files this commit did not touch exist only because a rule is new: they
    are not new problems. Backdate them to the last commit that changed their file."""
    old_code = [f for f in created if f.path not in context.touched]
    if not old_code:
        return
    try:
        dates = git.last_commit_dates(context.checkout, context.commit, {f.path for f in old_code})
    except git.RepoError:
        dates = {}
    for finding in old_code:
        finding.from_new_rule = True
        finding.introduced_at = dates.get(finding.path)


def _left_the_rules(
    excluded: Callable[[Finding], bool] | None,
    new_rules: NewRuleContext | None,
    renames: dict[str, str],
) -> Callable[[Finding], bool] | None:
    """For a finding no longer reported: closed as excluded (not fixed) when the profile
    stopped reporting it, or when the rule set changed and the commit did not touch its
    file (a refined rule, not a fix: the code is the same)."""
    if new_rules is None:
        return excluded
    touched = new_rules.touched

    def gone_by_rules(finding: Finding) -> bool:
        if excluded is not None and excluded(finding):
            return True
        return finding.path not in touched and finding.path not in renames

    return gone_by_rules


def record_results(
    scan: Scan,
    result: ReviewResult,
    renames: dict[str, str],
    *,
    new_rules: NewRuleContext | None = None,
    when: datetime | None = None,
    excluded: Callable[[Finding], bool] | None = None,
    root: Path | None = None,
) -> ScanSummary:
    """Track candidates against known findings and write everything in one transaction.

    ``excluded`` tells, for a finding no longer reported, whether the quality profile
    stopped reporting it: it is then closed as *excluded* (not fixed, not counted as a
    fix), and comes back as open, not "reopened", if the profile reports it again.
    ``root`` is the reviewed tree: the code around each finding written is stored from
    it (pages never read a worker's clone)."""
    project = scan.project
    ran_agents = {issue.agent for issue in result.issues} | set(project.agents or [])
    # Files (and project rules) whose result is missing or partial this time: the absence
    # of their earlier findings proves nothing, so those stay open.
    incomplete = set(result.incomplete) | set(result.unreadable)
    failed_rules = set(result.failed_rules)
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)  # one writer
        if not Scan.objects.filter(pk=scan.pk, status=Scan.Status.RUNNING).exists():
            # Declared dead meanwhile (missed heartbeats): its result is not written.
            raise ScanAbandonedError(f"scan {scan.pk} is no longer running")
        previous_scan_id = locked.latest_recorded_scan_id()
        # The project's first tracked scan is its starting point: nothing in it is "new".
        baseline = not ScanSummary.objects.filter(project=project).exists()
        known = list(Finding.objects.filter(project=project, origin=Finding.Origin.RULES))
        if project.agents:
            known = [f for f in known if f.agent in ran_agents]
        tracked = track(known, result.issues, renames)

        applied = writer.apply(
            scan,
            tracked,
            fill=Finding.fill_from,
            new=lambda issue: _new_finding(project, scan, issue),
            # Not fully reviewed this time: absence proves nothing.
            may_close=lambda f: (
                f.path not in incomplete
                and renames.get(f.path) not in incomplete
                and f.rule_id not in failed_rules
            ),
            excluded=_left_the_rules(excluded, new_rules, renames),
            excerpts=Excerpts(root, settings.REVIEWDECK_MAX_FILE_BYTES),
            previous_scan_id=previous_scan_id,
        )
        if new_rules is not None:
            _mark_new_rule_findings(applied.created, new_rules)
        if when is not None:  # a history point: the code is as old as its commit
            for finding in applied.created:
                finding.introduced_at = finding.introduced_at or when
        writer.save(scan, applied)

        now = timezone.now()
        summary = summaries.create_summary(
            scan,
            when or now,
            new=0 if baseline else sum(1 for f in applied.created if not f.from_new_rule),
            fixed=applied.fixed,
            reopened=applied.reopened,
            excluded=applied.excluded,
            still_open=len(tracked.matched) - applied.reopened,
        )
        scan.status = Scan.Status.SUCCEEDED
        scan.finished_at = now
        scan.is_baseline = baseline
        scan.progress, scan.progress_message = 100, "Done"
        scan.files_reviewed = result.files_reviewed
        scan.stats = {
            "notes": [{"path": n.path, "message": n.message} for n in result.notes[:200]],
            "config_notes": [
                {"path": n.path, "message": n.message}
                for n in result.notes
                if n.path in CONFIG_NOTE_PATHS
            ][:50],
            "notes_total": len(result.notes),
            "unreadable": len(result.unreadable),
            # Which files were not fully reviewed and why (their findings were kept open).
            "not_reviewed": [
                {"path": path, "reason": why} for path, why in list(result.incomplete.items())[:200]
            ],
            "not_reviewed_total": len(result.incomplete),
            "failed_rules": dict(result.failed_rules),
            "renames": len(renames),
            **{k: v for k, v in result.stats.items() if isinstance(v, int | float | str)},
        }
        scan.save(
            update_fields=[
                "status",
                "finished_at",
                "progress",
                "progress_message",
                "files_reviewed",
                "stats",
                "is_baseline",
            ]
        )
        Project.objects.filter(pk=project.pk).update(latest_summary=summary)
    return summary


def _new_finding(project: Project, scan: Scan, issue: Issue) -> Finding:
    finding = Finding(
        project=project,
        rule_id=issue.rule_id,
        agent=issue.agent,
        first_seen_scan=scan,
        last_seen_scan=scan,
    )
    finding.fill_from(issue)
    return finding
