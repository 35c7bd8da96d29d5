"""Apply a tracking result to stored findings: reopen, move, fix and create, with events.

Only what changed is written: a finding seen again exactly as stored (same location,
text, severity, excerpt, ...) costs no row write, so a re-scan's writes grow with the
change, not with the open findings. "Still open" is derived (``Finding.last_seen_in``
and the summary's ``still_open_count``), never written per finding per scan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from reviewer.engine.types import Issue
from reviewer.findings.excerpts import Excerpts
from reviewer.models import Finding, FindingEvent, Scan
from reviewer.tracking import TrackResult

# Every field a scan or a Claude run may change on a finding it saw again or fixed (a
# finding is written when one of them differs). Triage, assignee and corroborations are
# never among them: people and other runs own those. last_seen_scan is written with them.
COMPARED_FIELDS = [
    "status",
    "fixed_in_scan",
    "reopen_count",
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
    "excerpt_start",
    "excerpt",
]


@dataclass
class Applied:
    """What applying one tracking result did, before it is saved."""

    created: list[Finding] = field(default_factory=list)
    # Each finding to write with the fields that changed (last_seen_scan among them).
    changed: list[tuple[Finding, list[str]]] = field(default_factory=list)
    events: list[FindingEvent] = field(default_factory=list)
    reopened: int = 0
    fixed: int = 0
    excluded: int = 0  # closed because the quality profile no longer reports them


# The attribute each compared field is held in (a foreign key's id, not the object).
_ATTNAMES = ["fixed_in_scan_id" if name == "fixed_in_scan" else name for name in COMPARED_FIELDS]


def _state(finding: Finding) -> tuple[object, ...]:
    return tuple(getattr(finding, name) for name in _ATTNAMES)


def _differ(finding: Finding, before: tuple[object, ...]) -> list[str]:
    """The compared fields whose value is not what it was (``before``)."""
    now = _state(finding)
    return [name for name, old, new in zip(COMPARED_FIELDS, before, now, strict=True) if old != new]


def apply(
    scan: Scan,
    tracked: TrackResult[Finding],
    *,
    fill: Callable[[Finding, Issue], None],
    new: Callable[[Issue], Finding],
    may_close: Callable[[Finding], bool],
    excluded: Callable[[Finding], bool] | None = None,
    excerpts: Excerpts | None = None,
    previous_scan_id: int | None = None,
) -> Applied:
    """Reopen or move the matched findings and refresh them from their issue (``fill``)
    and the reviewed tree (``excerpts``: the code around them), fix the gone ones that
    ``may_close`` allows (a file not read this time proves nothing), and build (unsaved)
    findings for the new issues with ``new``. A gone finding that ``excluded`` says the
    quality profile left out is closed as excluded, not fixed; an excluded finding seen
    again is open again (not "reopened": the code never changed). A matched finding is
    only written when something about it changed; a closed one records
    ``previous_scan_id`` (the project's last recorded scan, where it was still open) as
    its last seen scan."""
    applied = Applied()
    for finding, issue in tracked.matched:
        before = _state(finding)
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
        if excerpts is not None:
            excerpts.fill(finding)
        changed = _differ(finding, before)
        if changed:
            finding.last_seen_scan = scan
            applied.changed.append((finding, [*changed, "last_seen_scan"]))
    for finding in tracked.gone:
        if not may_close(finding):
            continue
        before = _state(finding)
        if previous_scan_id is not None:
            finding.last_seen_scan_id = previous_scan_id
        if excluded is not None and excluded(finding):
            finding.status = Finding.Status.EXCLUDED
            applied.excluded += 1
            applied.events.append(finding.event(scan, FindingEvent.Kind.EXCLUDED))
        else:
            finding.mark_fixed(scan)
            applied.fixed += 1
            applied.events.append(finding.event(scan, FindingEvent.Kind.FIXED))
        applied.changed.append((finding, [*_differ(finding, before), "last_seen_scan"]))
    applied.created = [new(issue) for issue in tracked.new]
    if excerpts is not None:
        for finding in applied.created:
            excerpts.fill(finding)
    return applied


def save(scan: Scan, applied: Applied) -> None:
    """Write the created findings and events in bulk, and each changed finding with only
    the fields that changed: one small UPDATE each (Django's bulk_update builds a CASE
    per field over the whole batch, which costs more than these for any batch size)."""
    Finding.objects.bulk_create(applied.created, batch_size=1000)
    applied.events.extend(
        finding.event(scan, FindingEvent.Kind.CREATED) for finding in applied.created
    )
    for finding, fields in applied.changed:
        finding.save(update_fields=fields)
    FindingEvent.objects.bulk_create(applied.events, batch_size=2000)


def exclude(scan: Scan, findings: list[Finding]) -> int:
    """Close open findings the quality profile no longer reviews (their path is excluded)
    as *excluded*, with an event each; never as fixed. Returns how many."""
    for finding in findings:
        finding.status = Finding.Status.EXCLUDED
    Finding.objects.filter(pk__in=[f.pk for f in findings]).update(status=Finding.Status.EXCLUDED)
    FindingEvent.objects.bulk_create(
        [f.event(scan, FindingEvent.Kind.EXCLUDED) for f in findings], batch_size=2000
    )
    return len(findings)
