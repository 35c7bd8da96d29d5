"""Apply a tracking result to stored findings: reopen, move, fix and create, with events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from reviewer.engine.types import Issue
from reviewer.models import Finding, FindingEvent, Scan
from reviewer.tracking import TrackResult

# Every field a scan or a Claude run may change on a finding it saw again or fixed. Triage,
# assignee and corroborations are never among them: people and other runs own those.
UPDATE_FIELDS = [
    "status",
    "fixed_in_scan",
    "reopen_count",
    "last_seen_scan",
    "path",
    "line",
    "column",
    "snippet",
    "line_hash",
    "title",
    "message",
    "severity",
    "confidence",
    "category",
    "debt_kind",
    "debt_minutes",
    "context",
    "dialects",
    "agent_version",
    "explanation",
    "suggested_fix",
    "low_confidence",
]


@dataclass
class Applied:
    """What applying one tracking result did, before it is saved."""

    created: list[Finding] = field(default_factory=list)
    changed: list[Finding] = field(default_factory=list)
    events: list[FindingEvent] = field(default_factory=list)
    reopened: int = 0
    fixed: int = 0
    excluded: int = 0  # closed because the quality profile no longer reports them


def apply(
    scan: Scan,
    tracked: TrackResult[Finding],
    *,
    fill: Callable[[Finding, Issue], None],
    new: Callable[[Issue], Finding],
    may_close: Callable[[Finding], bool],
    excluded: Callable[[Finding], bool] | None = None,
) -> Applied:
    """Reopen or move the matched findings and refresh them from their issue (``fill``),
    fix the gone ones that ``may_close`` allows (a file not read this time proves nothing),
    and build (unsaved) findings for the new issues with ``new``. A gone finding that
    ``excluded`` says the quality profile left out is closed as excluded, not fixed; an
    excluded finding seen again is open again (not "reopened": the code never changed)."""
    applied = Applied()
    for finding, issue in tracked.matched:
        if finding.status == Finding.Status.EXCLUDED:
            finding.status = Finding.Status.OPEN
            applied.events.append(finding.event(scan, FindingEvent.Kind.INCLUDED, at=issue))
        elif not finding.is_open:
            finding.reopen()
            applied.reopened += 1
            applied.events.append(finding.event(scan, FindingEvent.Kind.REOPENED, at=issue))
        elif (finding.path, finding.line) != (issue.path, issue.line):
            applied.events.append(finding.event(scan, FindingEvent.Kind.MOVED, at=issue))
        fill(finding, issue)
        finding.last_seen_scan = scan
        applied.changed.append(finding)
    for finding in tracked.gone:
        if not may_close(finding):
            continue
        if excluded is not None and excluded(finding):
            finding.status = Finding.Status.EXCLUDED
            applied.excluded += 1
            applied.events.append(finding.event(scan, FindingEvent.Kind.EXCLUDED))
            applied.changed.append(finding)
            continue
        finding.mark_fixed(scan)
        applied.fixed += 1
        applied.events.append(finding.event(scan, FindingEvent.Kind.FIXED))
        applied.changed.append(finding)
    applied.created = [new(issue) for issue in tracked.new]
    return applied


def save(scan: Scan, applied: Applied) -> None:
    """Write the created and changed findings and every event, in bulk."""
    Finding.objects.bulk_create(applied.created, batch_size=1000)
    applied.events.extend(
        finding.event(scan, FindingEvent.Kind.CREATED) for finding in applied.created
    )
    Finding.objects.bulk_update(applied.changed, UPDATE_FIELDS, batch_size=1000)
    FindingEvent.objects.bulk_create(applied.events, batch_size=2000)


def exclude(scan: Scan, findings: list[Finding]) -> int:
    """Close open findings the quality profile no longer reviews (their path is excluded)
    as *excluded*, with an event each; never as fixed. Returns how many."""
    for finding in findings:
        finding.status = Finding.Status.EXCLUDED
    Finding.objects.bulk_update(findings, ["status"], batch_size=1000)
    FindingEvent.objects.bulk_create(
        [f.event(scan, FindingEvent.Kind.EXCLUDED) for f in findings], batch_size=2000
    )
    return len(findings)
