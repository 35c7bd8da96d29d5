"""Human decisions on findings: triage state, assignee, comment — always with an audit row.

A triage decision belongs to the finding, not to a scan: it survives line moves, fixes and
reopenings (a false positive that comes back is still a false positive).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet

from reviewer.findings.summaries import refresh_latest_counts
from reviewer.models import Finding, TriageEvent

ACTIONS: dict[str, str] = {
    "acknowledge": Finding.Triage.ACKNOWLEDGED,
    "false_positive": Finding.Triage.FALSE_POSITIVE,
    "wont_fix": Finding.Triage.WONT_FIX,
    "reopen": Finding.Triage.OPEN,
}
MAX_BULK = 1000
#: "All N matching this filter" applies to at most this many findings (in MAX_BULK steps).
MAX_MATCHING = 20_000


class TriageError(ValueError):
    """A triage request that cannot be applied; the message says why."""


@dataclass(frozen=True)
class Decision:
    action: str = ""  # a key of ACTIONS, or "" to keep the triage state
    assignee: User | None = None
    change_assignee: bool = False
    comment: str = ""

    def check(self) -> None:
        if self.action and self.action not in ACTIONS:
            raise TriageError(f"Unknown triage action {self.action!r}.")
        if not (self.action or self.change_assignee or self.comment.strip()):
            raise TriageError("Choose a triage action, an assignee or write a comment.")
        if len(self.comment) > 5000:
            raise TriageError("The comment is too long (5000 characters at most).")


def apply_triage(findings: Iterable[Finding], user: User, decision: Decision) -> int:
    """Apply ``decision`` to ``findings`` (all of one team's projects; the caller checks
    access) and write one TriageEvent per finding. Returns how many were changed."""
    decision.check()
    ids = [f.pk for f in findings]
    if len(ids) > MAX_BULK:
        raise TriageError(f"Triage at most {MAX_BULK} findings at once.")
    with transaction.atomic():
        rows = list(Finding.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        events: list[TriageEvent] = []
        for finding in rows:
            before = finding.triage
            if decision.action:
                finding.triage = ACTIONS[decision.action]
            if decision.change_assignee:
                finding.assignee = decision.assignee
            events.append(
                TriageEvent(
                    finding=finding,
                    user=user,
                    from_triage=before,
                    to_triage=finding.triage,
                    assignee=finding.assignee,
                    comment=decision.comment.strip(),
                )
            )
        Finding.objects.bulk_update(rows, ["triage", "assignee"])
        TriageEvent.objects.bulk_create(events)
        if decision.action:  # dismissing or reopening changes every count shown
            refresh_latest_counts({f.project_id for f in rows})
    return len(rows)


def apply_triage_matching(
    matching: QuerySet[Finding], user: User, decision: Decision, expected: int
) -> int:
    """Apply ``decision`` to every finding of ``matching`` (a filter the server built from
    the request, never a list of ids from the page). ``expected`` is the count the person
    confirmed: if the filter now matches a different number, nothing is changed."""
    decision.check()
    ids = list(matching.order_by("pk").values_list("pk", flat=True)[: MAX_MATCHING + 1])
    if len(ids) > MAX_MATCHING:
        raise TriageError(
            f"The filter matches more than {MAX_MATCHING:,} findings; narrow it down first."
        )
    if len(ids) != expected:
        raise TriageError(
            f"The filter now matches {len(ids):,} findings, not {expected:,}: nothing was "
            "changed. Check the list and apply again."
        )
    done = 0
    for start in range(0, len(ids), MAX_BULK):
        chunk = ids[start : start + MAX_BULK]
        done += apply_triage(Finding.objects.filter(pk__in=chunk), user, decision)
    return done
