"""Quality gates: conditions on *new code since a baseline*, judged after every scan.

``gate_for(project)`` is the project's own gate, else its team's, else the defaults
(no new Critical, no failed scan). ``record(scan)`` judges the project as of that scan and
stores a :class:`GateResult`; the API, the badge and ``reviewdeck gate`` read the newest.

New code = open, visible findings that are new problems (not there only because a rule is
new, not found by a history backfill) first seen after the baseline: a date, the commit
date of a baseline commit (a release tag's commit; the clone has the branch's history),
the previous release branch (the branches named like ``QualityGate.release_branches`` are
fetched into the clone; the one that left the scanned branch last, other than the scanned
branch itself, gives its merge base as the baseline commit), or, without any, the
project's first regular scan.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path

from django.conf import settings

from reviewer import git
from reviewer.git.errors import RepoError
from reviewer.git.run import LOCAL_COMMAND_TIMEOUT, Deadline, check_sha, run
from reviewer.models import (
    Finding,
    FindingQuerySet,
    GateResult,
    Project,
    QualityGate,
    Scan,
    ScanSummary,
    Severity,
)
from reviewer.outbound import Policy

logger = logging.getLogger(__name__)


def gate_for(project: Project) -> QualityGate:
    """The gate that applies to ``project`` (unsaved defaults when none is configured)."""
    own = QualityGate.objects.filter(project=project).first()
    if own is not None:
        return own
    if project.team_id is not None:
        shared = QualityGate.objects.filter(team_id=project.team_id).first()
        if shared is not None:
            return shared
    return QualityGate(project=project)


@dataclass(frozen=True)
class Baseline:
    since: datetime | None  # findings first seen in scans created after this moment ...
    after_scan: int | None  # ... or after this scan
    words: str
    problem: str = ""  # the baseline could not be resolved


def _commit_time(project: Project, sha: str) -> datetime:
    check_sha(sha)
    done = run(
        ["show", "-s", "--format=%cI", f"{sha}^{{commit}}", "--"],
        cwd=project.checkout_dir,
        deadline=Deadline(LOCAL_COMMAND_TIMEOUT),
        doing="reading the baseline commit",
    )
    if done.returncode != 0:
        raise RepoError(f"baseline commit {sha[:12]} is not in the branch's history")
    return datetime.fromisoformat(done.stdout.decode().strip())


def _at_commit(project: Project, sha: str, words: str) -> Baseline:
    # The newest scan of that very commit, when there is one: what it found is old.
    scanned = (
        Scan.objects.filter(project=project, commit_sha__startswith=sha)
        .exclude(status__in=[Scan.Status.QUEUED, Scan.Status.RUNNING, Scan.Status.FAILED])
        .order_by("-id")
        .values_list("pk", flat=True)
        .first()
    )
    if scanned is not None:
        return Baseline(None, scanned, words)
    try:
        moment = _commit_time(project, sha)
    except RepoError as exc:
        return Baseline(None, None, words, str(exc))
    return Baseline(moment, None, f"{words} ({moment:%Y-%m-%d})")


def previous_release(project: Project, pattern: str) -> git.Fork:
    """The release branch the gate's baseline comes from: the project's branches named
    like ``pattern`` are fetched (network), then the newest fork other than the scanned
    branch is chosen. Raises :class:`RepoError` with the reason when there is none."""
    git.fetch_branches(
        project.repo_url,
        project.checkout_dir,
        pattern,
        timeout=settings.REVIEWDECK_GIT_TIMEOUT,
        local_roots=settings.REVIEWDECK_LOCAL_REPO_ROOTS,
        workdir=Path(settings.REVIEWDECK_WORKDIR),
        policy=Policy.from_settings(),
    )
    scanned = project.branch or _checked_out_branch(project)
    fork = git.newest_fork(project.checkout_dir, pattern, exclude=scanned)
    if fork is None:
        other = f" other than {scanned}" if scanned else ""
        raise RepoError(f"no release branch named like {pattern}{other} shares its history")
    return fork


def _checked_out_branch(project: Project) -> str:
    done = run(
        ["symbolic-ref", "-q", "--short", "HEAD"],
        cwd=project.checkout_dir,
        deadline=Deadline(LOCAL_COMMAND_TIMEOUT),
        doing="reading the clone",
    )
    return done.stdout.decode().strip() if done.returncode == 0 else ""


def baseline_of(gate: QualityGate, project: Project) -> Baseline:
    if gate.baseline_release:
        words = f"the previous release branch ({gate.release_branches})"
        try:
            fork = previous_release(project, gate.release_branches)
        except RepoError as exc:
            return Baseline(None, None, words, str(exc))
        return _at_commit(project, fork.commit, f"release branch {fork.branch}")
    if gate.baseline_commit:
        return _at_commit(project, gate.baseline_commit, f"commit {gate.baseline_commit[:12]}")
    if gate.baseline_date:
        moment = datetime.combine(gate.baseline_date, time.min, tzinfo=UTC)
        return Baseline(moment, None, f"{gate.baseline_date:%Y-%m-%d}")
    first = (
        Scan.objects.filter(project=project, status=Scan.Status.SUCCEEDED)
        .exclude(trigger=Scan.Trigger.BACKFILL)
        .order_by("id")
        .values_list("pk", flat=True)
        .first()
    )
    return Baseline(None, first or 0, "the first scan")


def new_code(project: Project, baseline: Baseline) -> FindingQuerySet:
    qs = Finding.objects.for_project(project).visible().new_problems()
    if baseline.since is not None:
        return qs.filter(first_seen_scan__created_at__gte=baseline.since)
    return qs.filter(first_seen_scan_id__gt=baseline.after_scan or 0)


def _debt_at_baseline(project: Project, baseline: Baseline) -> int | None:
    rows = ScanSummary.objects.filter(project=project)
    if baseline.since is not None:
        before = rows.filter(created_at__lt=baseline.since).order_by("-created_at", "-id")
        row = before.first() or rows.order_by("created_at", "id").first()
    else:
        row = rows.filter(scan_id=baseline.after_scan or 0).first() or rows.order_by("id").first()
    return row.debt_minutes if row else None


@dataclass
class Verdict:
    passed: bool
    baseline: str
    failures: list[str] = field(default_factory=list)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def judge(project: Project, scan: Scan, gate: QualityGate | None = None) -> Verdict:
    """The gate's verdict on ``project`` as of ``scan`` (its newest finished scan)."""
    gate = gate or gate_for(project)
    baseline = baseline_of(gate, project)
    failures: list[str] = []
    if baseline.problem:
        failures.append(f"The baseline cannot be used: {baseline.problem}.")
    if gate.no_failed_scan and scan.status == Scan.Status.FAILED:
        failures.append(f"The scan failed: {scan.error or 'no reason given'}")
    if not baseline.problem:
        fresh = new_code(project, baseline)
        if gate.no_new_critical:
            count = fresh.filter(severity=Severity.CRITICAL).count()
            if count:
                failures.append(f"{_plural(count, 'new Critical finding')} since {baseline.words}.")
        if gate.no_new_important_in_production:
            count = fresh.filter(
                severity=Severity.IMPORTANT, context=Finding.Context.PRODUCTION
            ).count()
            if count:
                failures.append(
                    f"{_plural(count, 'new Important finding')} in production code "
                    f"since {baseline.words}."
                )
        if gate.no_debt_growth:
            then = _debt_at_baseline(project, baseline)
            latest = project.latest_summary
            now = latest.debt_minutes if latest else None
            if then is not None and now is not None and now > then:
                failures.append(
                    f"Migration debt grew from {then} to {now} minutes since {baseline.words}."
                )
    return Verdict(passed=not failures, baseline=baseline.words, failures=failures)


def record(scan: Scan) -> GateResult | None:
    """Judge the project after ``scan`` finished and store the verdict (never raises: a
    gate that cannot be judged must not fail the scan)."""
    if scan.is_active:
        return None
    try:
        project = Project.objects.select_related("latest_summary").get(pk=scan.project_id)
        verdict = judge(project, scan)
        result, _ = GateResult.objects.update_or_create(
            scan=scan,
            defaults={
                "project": project,
                "passed": verdict.passed,
                "failures": verdict.failures,
                "baseline": verdict.baseline[:200],
            },
        )
    except Exception:
        logger.exception("quality gate of scan %s could not be judged", scan.pk)
        return None
    return result


def rejudge_latest(project: Project) -> GateResult | None:
    """After the gate changed: judge the newest finished scan again."""
    scan = (
        Scan.objects.filter(project=project)
        .exclude(status__in=[Scan.Status.QUEUED, Scan.Status.RUNNING])
        .order_by("-id")
        .first()
    )
    return record(scan) if scan is not None else None


def latest_result(project: Project) -> GateResult | None:
    return GateResult.objects.filter(project=project).order_by("-id").first()
