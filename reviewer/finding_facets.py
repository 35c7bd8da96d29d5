"""The project page's facets: how many findings match the filter, and per severity,
category, rule, code context and triage state, in one GROUP BY query.

As in SonarQube, each facet counts with every *other* filter applied (the severity facet
ignores the chosen severity, so the other severities still show what choosing them would
give); the total is what the whole filter matches. The query groups the findings the
non-facet filters select (status, path, agent, search, dates, debt kind) by the five
facet columns and the confidence flag; the facet filters are then applied to those
groups in Python, so one query serves every count however many filters are combined.

Without any of those non-facet filters (the page as opened, and every facet link) the
groups are not counted at all: the project's latest scan summary stores them
(``ScanSummary.facet_groups``, written by each scan and Claude run and rewritten by triage,
reviewer/findings/summaries.py), so the page reads one row however many findings there
are. At 200k open findings that GROUP BY is ~25-40 ms of every page view otherwise.

With such a filter (a search, a path) the groups are counted once per state of the
project's findings and kept in Django's cache under the latest summary's id and its
stamp (a new one each time the stored groups are written, i.e. whenever findings
change): the next page of a search, an HTMX re-render or another person's same search
read the cache, and any scan, Claude run or triage makes a new key.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.fields.json import KT

from reviewer.finding_filters import TRIAGE_ALL, FindingFilter
from reviewer.models import Finding, Project, ScanSummary, Severity
from reviewer.summary_cache import cached

#: The rule facet lists the most frequent rules only.
TOP_RULES = 12
_DISMISSED = {Finding.Triage.FALSE_POSITIVE, Finding.Triage.WONT_FIX}


@dataclass(frozen=True)
class Group:
    severity: int
    category: str
    rule_id: str
    context: str
    triage: str
    low_confidence: bool
    count: int


@dataclass(frozen=True)
class Facets:
    total: int  # findings the whole filter matches
    severity: list[tuple[Severity, int]]
    category: list[tuple[str, int]]
    rule: list[tuple[str, int]]  # the TOP_RULES most frequent
    more_rules: int  # how many further rules have matches
    context: list[tuple[Finding.Context, int]]
    triage: list[tuple[Finding.Triage, int]]


def _base(selection: FindingFilter) -> FindingFilter:
    """The filter without its facet fields (triage "all": every open finding, dismissed
    and low-confidence ones included, so the triage facet can count them)."""
    return replace(selection, severity=None, category="", rule="", context="", triage=TRIAGE_ALL)


#: The non-facet part of the page as opened: the base the summaries store groups for.
_STORED_BASE = _base(FindingFilter())


def groups_query(selection: FindingFilter, project: Project) -> QuerySet[Finding, tuple[Any, ...]]:
    """The GROUP BY of the findings the non-facet filters select, by the facet columns."""
    return (
        _base(selection)
        .apply(project)
        .order_by()
        .values_list("severity", "category", "rule_id", "context", "triage", "low_confidence")
        .annotate(n=Count("*"))
    )


def groups(selection: FindingFilter, project: Project) -> list[Group]:
    return [Group(*row) for row in groups_query(selection, project)]


def stored_form(rows: list[Group]) -> dict[str, object]:
    """Groups as a summary stores them (JSON), with a new stamp (see facet_counts)."""
    return {
        "stamp": uuid.uuid4().hex,
        "groups": [
            [g.severity, g.category, g.rule_id, g.context, g.triage, g.low_confidence, g.count]
            for g in rows
        ],
    }


def stored_groups(project: Project) -> list[Group] | None:
    """The groups stored with the project's latest summary; None when it has none."""
    if project.latest_summary_id is None:
        return None
    stored = (
        ScanSummary.objects.filter(pk=project.latest_summary_id)
        .values_list("facet_groups", flat=True)
        .first()
    )
    if not isinstance(stored, dict):
        return None
    return [
        Group(int(sev), str(cat), str(rule), str(ctx), str(tri), bool(low), int(n))
        for sev, cat, rule, ctx, tri, low, n in stored["groups"]
    ]


def _stamp(project: Project) -> str | None:
    """The stamp of the groups stored with the project's latest summary (None: none)."""
    if project.latest_summary_id is None:
        return None
    stamp = (
        ScanSummary.objects.filter(pk=project.latest_summary_id)
        .values_list(KT("facet_groups__stamp"), flat=True)
        .first()
    )
    return str(stamp) if stamp else None


def _live_groups(selection: FindingFilter, project: Project) -> list[Group]:
    """The GROUP BY for a non-facet filter, cached per state of the project's findings."""
    stamp = _stamp(project)  # read before counting: a change after it makes a new key
    if stamp is None:
        return groups(selection, project)
    digest = hashlib.sha256(repr(_base(selection)).encode()).hexdigest()[:32]
    key = f"facets:live-groups:{project.pk}:{project.latest_summary_id}:{stamp}:{digest}"
    return cached(key, lambda: groups(selection, project), list)


def _tests(selection: FindingFilter) -> dict[str, Callable[[Group], bool]]:
    """Each facet filter as a test on a group."""
    status = selection.status
    by_triage: Callable[[Group], bool]
    if selection.triage == TRIAGE_ALL:
        by_triage = lambda g: True  # noqa: E731
    elif selection.triage:
        by_triage = lambda g: g.triage == selection.triage  # noqa: E731
    elif status in (Finding.Status.FIXED, Finding.Status.EXCLUDED):
        by_triage = lambda g: True  # noqa: E731 - as FindingFilter.apply: status only
    else:  # what a reader sees by default: not dismissed, not under the threshold
        by_triage = lambda g: g.triage not in _DISMISSED and not g.low_confidence  # noqa: E731
    return {
        "severity": lambda g: selection.severity is None or g.severity == selection.severity,
        "category": lambda g: not selection.category or g.category == selection.category,
        "rule": lambda g: not selection.rule or g.rule_id.startswith(selection.rule),
        "context": lambda g: not selection.context or g.context == selection.context,
        "triage": by_triage,
    }


def _count(rows: Iterable[Group], key: Callable[[Group], object]) -> Counter[object]:
    counts: Counter[object] = Counter()
    for row in rows:
        counts[key(row)] += row.count
    return counts


def facets_of(rows: list[Group], selection: FindingFilter) -> Facets:
    tests = _tests(selection)

    def others(facet: str) -> list[Group]:
        return [g for g in rows if all(t(g) for name, t in tests.items() if name != facet)]

    total = sum(g.count for g in rows if all(t(g) for t in tests.values()))
    severity = _count(others("severity"), lambda g: g.severity)
    category = _count(others("category"), lambda g: g.category)
    rule = _count(others("rule"), lambda g: g.rule_id)
    context = _count(others("context"), lambda g: g.context)
    # Every triage state, as choosing it in the filter would list them.
    triage = _count(others("triage"), lambda g: g.triage)
    top_rules = sorted(rule.items(), key=lambda item: (-item[1], str(item[0])))
    return Facets(
        total=total,
        severity=[(s, severity.get(int(s), 0)) for s in Severity],
        category=sorted((str(c), n) for c, n in category.items()),
        rule=[(str(r), n) for r, n in top_rules[:TOP_RULES]],
        more_rules=max(0, len(top_rules) - TOP_RULES),
        context=[(c, context[c.value]) for c in Finding.Context if context.get(c.value)],
        triage=[(t, triage[t.value]) for t in Finding.Triage if triage.get(t.value)],
    )


def facet_counts(selection: FindingFilter, project: Project) -> Facets:
    """The total and the five facets for ``selection`` in ``project``: one query (the
    stored groups, or a GROUP BY of the findings the non-facet filters select)."""
    if _base(selection) == _STORED_BASE:
        stored = stored_groups(project)
        if stored is not None:
            return facets_of(stored, selection)
        return facets_of(groups(selection, project), selection)
    return facets_of(_live_groups(selection, project), selection)
