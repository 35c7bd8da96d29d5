"""The findings filter shared by the project page, bulk triage and exports.

Every filter is optional and combinable; the order is always the stable unique key
(severity, id), which the keyset pagination and the partial index
``finding_open_by_severity`` match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.db.models.fields.tuple_lookups import (
    Tuple,
    TupleGreaterThan,
    TupleLessThan,
    TupleLessThanOrEqual,
)

from reviewer.models import Finding, FindingQuerySet, Project, Scan

TRIAGE_ALL = "all"


@dataclass(frozen=True)
class FindingFilter:
    severity: int | None = None
    category: str = ""
    rule: str = ""  # a rule id or prefix: "SA", "SA005", "ruff:E7"
    agent: str = ""
    triage: str = ""  # "" = what a reader sees by default; "all"; or a Finding.Triage value
    status: str = Finding.Status.OPEN
    path: str = ""  # path prefixes: "app/ lib/" any of them; "!tests/" none of them
    debt_kind: str = ""
    context: str = ""  # a Finding.Context value: where the flagged code runs
    since: date | None = None  # first seen in a scan on or after this day (new code only)
    since_scan: int | None = None  # first seen after this scan (new code only)
    text: str = ""

    @property
    def is_default(self) -> bool:
        return self == FindingFilter()

    def apply(self, project: Project) -> FindingQuerySet:
        qs = Finding.objects.for_project(project)
        if self.status in (Finding.Status.FIXED, Finding.Status.EXCLUDED):
            qs = qs.filter(status=self.status)
        elif self.triage == "":
            qs = qs.visible()
        else:
            qs = qs.open()
        if self.triage and self.triage != TRIAGE_ALL:
            qs = qs.filter(triage=self.triage)
        if self.severity is not None:
            qs = qs.filter(severity=self.severity)
        if self.category:
            qs = qs.filter(category=self.category)
        if self.rule:
            qs = qs.filter(rule_id__startswith=self.rule)
        if self.agent:
            qs = qs.filter(agent__icontains=self.agent)
        if self.path:
            qs = path_filter(qs, self.path)
        if self.debt_kind:
            qs = qs.filter(debt_kind=self.debt_kind)
        if self.context:
            qs = qs.filter(context=self.context)
        if self.since is not None or self.since_scan is not None:
            qs = qs.filter(from_new_rule=False).exclude(
                Q(first_seen_scan__trigger=Scan.Trigger.BACKFILL)
                | Q(first_seen_scan__is_baseline=True)
            )
        if self.since is not None:
            qs = qs.filter(first_seen_scan__created_at__date__gte=self.since)
        if self.since_scan is not None:
            qs = qs.filter(first_seen_scan_id__gt=self.since_scan)
        if self.text:
            qs = qs.filter(
                Q(title__icontains=self.text)
                | Q(message__icontains=self.text)
                | Q(path__icontains=self.text)
                | Q(rule_id__iexact=self.text)
            )
        return qs


def path_terms(text: str) -> tuple[list[str], list[str]]:
    """The path filter's prefixes to keep and to leave out ("!tests/"), split on spaces
    and commas."""
    keep: list[str] = []
    drop: list[str] = []
    for term in text.replace(",", " ").split():
        if term.startswith("!"):
            if term[1:]:
                drop.append(term[1:])
        else:
            keep.append(term)
    return keep, drop


def path_filter(qs: FindingQuerySet, text: str) -> FindingQuerySet:
    keep, drop = path_terms(text)
    if keep:
        wanted = Q()
        for prefix in keep:
            wanted |= Q(path__startswith=prefix)
        qs = qs.filter(wanted)
    for prefix in drop:
        qs = qs.exclude(path__startswith=prefix)
    return qs


def anchor_of(qs: FindingQuerySet, key: int, project: Project) -> int | None:
    """The severity of finding ``key``, the keyset anchor, looked up in ``project`` only:
    another project's finding id is ignored, so the page never tells whether it exists or
    how severe it is."""
    return (
        qs.model.objects.filter(pk=key, project=project).values_list("severity", flat=True).first()
    )


def after_key(
    qs: FindingQuerySet, after: int | None, project: Project, *, anchor: int | None = None
) -> FindingQuerySet:
    """Keyset: the findings after finding ``after`` in (severity, id) order (``anchor``:
    its severity when the caller looked it up already)."""
    if not after:
        return qs
    anchor = anchor if anchor is not None else anchor_of(qs, after, project)
    if anchor is None:
        return qs
    # A row comparison, (severity, id) > (anchor, after): PostgreSQL turns it into an index
    # condition on ``finding_open_by_severity`` and seeks straight to the page, where the
    # equivalent OR of two conditions only filters rows while walking the index from the
    # start (as slow as OFFSET deep down). Backends without row values get the OR.
    return qs.filter(TupleGreaterThan(Tuple("severity", "id"), (anchor, after)))


def before_key(qs: FindingQuerySet, before: int, project: Project) -> FindingQuerySet:
    """Keyset backwards: the findings before finding ``before`` in (severity, id) order
    (the previous page reads them in reverse order, the same index walked backwards)."""
    anchor = anchor_of(qs, before, project)
    if anchor is None:
        return qs
    return qs.filter(TupleLessThan(Tuple("severity", "id"), (anchor, before)))


def position_after(
    qs: FindingQuerySet,
    after: int,
    project: Project,
    *,
    anchor: int | None = None,
    per_severity: dict[int, int] | None = None,
) -> int:
    """How many findings of ``qs`` come up to and including finding ``after`` (the
    position of a page reached by a bookmarked link, which carries no position;
    ``anchor``: its severity when known). ``per_severity``: how many findings of ``qs``
    each severity has (the page's severity facet), so that only the anchor's own severity
    is counted row by row."""
    anchor = anchor if anchor is not None else anchor_of(qs, after, project)
    if anchor is None:
        return 0
    if per_severity is not None:
        before = sum(n for severity, n in per_severity.items() if severity < anchor)
        return before + qs.filter(severity=anchor, pk__lte=after).count()
    return qs.filter(TupleLessThanOrEqual(Tuple("severity", "id"), (anchor, after))).count()
