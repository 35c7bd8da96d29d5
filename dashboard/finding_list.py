"""The project page's findings list as shown: facet links, paging links and the query
strings they carry (presentation only; the counts come from reviewer/finding_facets.py,
the page from reviewer/finding_pages.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict

from reviewer.finding_facets import Facets
from reviewer.finding_pages import Page

#: Parameters that place a page, never carried by a filter link or an export.
PAGING = ("after", "before", "at")


@dataclass(frozen=True)
class FacetLink:
    label: str
    count: int
    query: str  # the filter with this value chosen (or cleared, when selected)
    selected: bool
    value: str


@dataclass(frozen=True)
class FacetGroup:
    name: str  # the filter parameter
    title: str
    links: list[FacetLink]
    more: int = 0


def filter_query(get: QueryDict) -> QueryDict:
    """The request's filter without its paging parameters and empty fields."""
    query = get.copy()
    for key in PAGING:
        query.pop(key, None)
    for key in [k for k, values in query.lists() if not any(values)]:
        query.pop(key)
    return query


def _link(base: QueryDict, name: str, value: str, label: str, count: int) -> FacetLink:
    query = base.copy()
    selected = base.get(name, "") == value
    if selected:
        query.pop(name, None)
    else:
        query[name] = value
    return FacetLink(label, count, query.urlencode(), selected, value)


def facet_groups(facets: Facets, get: QueryDict) -> list[FacetGroup]:
    base = filter_query(get)
    return [
        FacetGroup(
            "severity",
            "Severity",
            [_link(base, "severity", s.code, s.label, n) for s, n in facets.severity],
        ),
        FacetGroup(
            "triage",
            "Triage",
            [_link(base, "triage", t.value, t.label, n) for t, n in facets.triage],
        ),
        FacetGroup(
            "context",
            "Where",
            [_link(base, "context", c.value, c.label, n) for c, n in facets.context],
        ),
        FacetGroup(
            "category", "Category", [_link(base, "category", c, c, n) for c, n in facets.category]
        ),
        FacetGroup(
            "rule",
            "Rule",
            [_link(base, "rule", r, r, n) for r, n in facets.rule],
            facets.more_rules,
        ),
    ]


@dataclass(frozen=True)
class Paging:
    first: int
    last: int
    total: int
    next_query: str  # "" on the last page
    prev_query: str  # "" on the first page


def paging(page: Page, total: int, size: int, get: QueryDict) -> Paging:
    base = filter_query(get)
    next_query = prev_query = ""
    if page.next_after is not None:
        query = base.copy()
        query["after"] = str(page.next_after)
        query["at"] = str(page.last + 1)
        next_query = query.urlencode()
    if page.prev_before is not None:
        query = base.copy()
        query["before"] = str(page.prev_before)
        query["at"] = str(max(1, page.first - size))
        prev_query = query.urlencode()
    return Paging(page.first, page.last, total, next_query, prev_query)
