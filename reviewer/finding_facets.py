"""The project page's facets: how many findings match the filter, and per severity,
category, rule, code context and triage state, in one GROUP BY query.

As in SonarQube, each facet counts with every *other* filter applied (the severity facet
ignores the chosen severity, so the other severities still show what choosing them would
give); the total is what the whole filter matches. The query groups the findings the
non-facet filters select (status, path, agent, search, dates, debt kind) by the five
facet columns and the confidence flag; the facet filters are then applied to those
groups in Python, so one query serves every count however many filters are combined.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from django.db.models import Count

from reviewer.finding_filters import TRIAGE_ALL, FindingFilter
from reviewer.models import Finding, Project, Severity

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


def groups(selection: FindingFilter, project: Project) -> list[Group]:
    rows = (
        _base(selection)
        .apply(project)
        .order_by()
        .values_list("severity", "category", "rule_id", "context", "triage", "low_confidence")
        .annotate(n=Count("*"))
    )
    return [Group(*row) for row in rows]


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
    """The total and the five facets for ``selection`` in ``project``: one query."""
    return facets_of(groups(selection, project), selection)
