"""What a meeting decides: triage of one finding or of a whole rule group, a comment per
finding, closing the meeting (then it is a record), and the previous meeting's decisions
carried to the next one as open actions with their status since.

Every change goes through ``reviewer.triage`` (a TriageEvent per finding); the meeting
keeps its own row per finding (``MeetingDecision``, the latest decision wins).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from reviewer.meetings import window_findings
from reviewer.models import Finding, Meeting, MeetingDecision
from reviewer.triage import ACTIONS, MAX_BULK, Decision, TriageError, apply_triage

# Carried comments listed by name on the next meeting (the rest are counted).
CARRIED_COMMENTS = 50


class MeetingClosedError(TriageError):
    """A change asked of a closed meeting: it is a record."""


def _check_open(meeting: Meeting) -> None:
    if meeting.closed:
        raise MeetingClosedError(
            f"{meeting.title} is closed: it is a record now. Start a new meeting to decide."
        )


def decide(
    meeting: Meeting,
    findings: Sequence[Finding],
    user: User,
    *,
    action: str = "",
    assignee: User | None = None,
    change_assignee: bool = False,
    comment: str = "",
) -> int:
    """Apply one decision to ``findings`` (of the meeting's team; the caller checks) and
    record it as the meeting's decision on each. A comment alone keeps an earlier action
    of this meeting. Returns how many findings it reached."""
    _check_open(meeting)
    if action and action not in ACTIONS:
        raise TriageError(f"Unknown triage action {action!r}.")
    said = comment.strip()
    if not (action or change_assignee or said):
        raise TriageError("Choose a decision, an assignee or write a comment.")
    if len(findings) > MAX_BULK:
        raise TriageError(f"Decide at most {MAX_BULK} findings at once.")
    trail = f"{said} (in {meeting.title})" if said else f"in {meeting.title}"
    with transaction.atomic():
        count = apply_triage(
            findings,
            user,
            Decision(
                action=action,
                assignee=assignee,
                change_assignee=change_assignee,
                comment=trail,
            ),
        )
        earlier = {
            d.finding_id: d
            for d in MeetingDecision.objects.filter(
                meeting=meeting, finding__in=[f.pk for f in findings]
            )
        }
        rows = []
        for finding in findings:
            before = earlier.get(finding.pk)
            kind = action or ("assign" if change_assignee else "")
            if not kind:
                kind = before.action if before else MeetingDecision.Action.COMMENT
            rows.append(
                MeetingDecision(
                    meeting=meeting,
                    finding=finding,
                    action=kind,
                    assignee=assignee
                    if change_assignee
                    else (before.assignee if before else finding.assignee),
                    comment=said or (before.comment if before else ""),
                    decided_by=user,
                )
            )
        MeetingDecision.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["meeting", "finding"],
            update_fields=["action", "assignee", "comment", "decided_by", "decided_at"],
        )
    return count


def decide_group(
    meeting: Meeting,
    rule_id: str,
    user: User,
    *,
    action: str = "",
    assignee: User | None = None,
    change_assignee: bool = False,
) -> int:
    """One decision for every new finding of ``rule_id`` in the meeting's window."""
    _check_open(meeting)
    findings = list(
        window_findings(meeting.team, meeting.since, meeting_until(meeting))
        .filter(rule_id=rule_id)
        .order_by("id")[: MAX_BULK + 1]
    )
    if not findings:
        raise TriageError(f"No new {rule_id} finding in this meeting.")
    return decide(
        meeting,
        findings,
        user,
        action=action,
        assignee=assignee,
        change_assignee=change_assignee,
    )


def meeting_until(meeting: Meeting) -> datetime | None:
    """Where the meeting's window ends: its start once closed, else now (None)."""
    return meeting.started_at if meeting.closed else None


def close(meeting: Meeting) -> None:
    """Close the meeting: from now on it is read only (a record of what was decided)."""
    _check_open(meeting)
    meeting.closed = True
    meeting.closed_at = timezone.now()
    meeting.save(update_fields=["closed", "closed_at"])


def save_notes(meeting: Meeting, notes: str, decisions: str) -> None:
    _check_open(meeting)
    meeting.notes = notes[:20000]
    meeting.decisions = decisions[:20000]
    meeting.save(update_fields=["notes", "decisions"])


@dataclass
class CarriedAction:
    """The previous meeting's decisions on one rule, as one line: what was decided, for
    whom, and what became of the findings since."""

    rule_id: str
    action: str
    assignee: str | None
    total: int
    still_open: int
    fixed: int

    @property
    def action_label(self) -> str:
        return MeetingDecision.Action(self.action).label

    @property
    def done(self) -> bool:
        return self.still_open == 0

    @property
    def status(self) -> str:
        if self.done:
            return "done: none still open"
        parts = [f"{self.still_open} of {self.total} still open"]
        if self.fixed:
            parts.append(f"{self.fixed} fixed")
        return " · ".join(parts)


@dataclass
class Carried:
    previous: Meeting | None
    actions: list[CarriedAction] = field(default_factory=list)
    comments: list[MeetingDecision] = field(default_factory=list)
    comments_total: int = 0

    @property
    def open_count(self) -> int:
        return sum(1 for a in self.actions if not a.done)


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(team_id=meeting.team_id, started_at__lt=meeting.started_at)
        .exclude(pk=meeting.pk)
        .order_by("-started_at", "-id")
        .first()
    )


def carried(meeting: Meeting) -> Carried:
    """The previous meeting's decisions with their status now: one line per rule, action
    and assignee (counted in the database), and its commented findings (bounded)."""
    previous = previous_meeting(meeting)
    if previous is None:
        return Carried(None)
    decisions = MeetingDecision.objects.filter(meeting=previous)
    rows = (
        decisions.values("finding__rule_id", "action", "assignee__username")
        .annotate(
            total=Count("id"),
            still_open=Count("id", filter=Q(finding__status=Finding.Status.OPEN)),
            fixed=Count("id", filter=Q(finding__status=Finding.Status.FIXED)),
        )
        .order_by("finding__rule_id", "action", "assignee__username")
    )
    actions = [
        CarriedAction(
            rule_id=r["finding__rule_id"],
            action=r["action"],
            assignee=r["assignee__username"],
            total=r["total"],
            still_open=r["still_open"],
            fixed=r["fixed"],
        )
        for r in rows
    ]
    commented = decisions.exclude(comment="")
    comments = list(
        commented.select_related("finding__project").order_by("finding__rule_id", "finding_id")[
            :CARRIED_COMMENTS
        ]
    )
    total = len(comments) if len(comments) < CARRIED_COMMENTS else commented.count()
    return Carried(previous, actions, comments, total)
