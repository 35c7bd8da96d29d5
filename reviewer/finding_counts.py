"""The project page's counts per severity and code context, and its category list, at a
bounded cost.

A project with 300k open findings must not be counted row by row on every page view:
each severity is counted exactly up to COUNT_CAP (a walk of at most COUNT_CAP + 1 entries
of ``finding_visible_by_severity``); above that the page shows the figure of the latest
scan summary, which counted the same findings when the scan was recorded. The categories
come from a loose index scan of ``finding_visible_by_category``: one index probe per
distinct category, however many findings share it. The context facet is counted the
same way (up to CONTEXT_CAP each, from ``finding_visible_by_context``) in the same query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection

from reviewer.models import Finding, Project, Severity

COUNT_CAP = 10_000
#: The context facet only says where the findings are: counted exactly up to this, then
#: "1,000+" (each count walks at most this many index entries; at COUNT_CAP the five
#: context counts cost more than the three severity counts together).
CONTEXT_CAP = 1_000


@dataclass(frozen=True)
class SeverityCount:
    severity: Severity
    count: int
    exact: bool  # False: over COUNT_CAP, the figure is the latest summary's

    @property
    def label(self) -> str:
        if self.exact:
            return f"{self.count:,}"
        return f"{self.count:,}" if self.count > COUNT_CAP else f"{COUNT_CAP:,}+"


@dataclass(frozen=True)
class ContextCount:
    context: Finding.Context
    count: int  # exact up to CONTEXT_CAP; CONTEXT_CAP + 1 means "more"

    @property
    def label(self) -> str:
        return f"{CONTEXT_CAP:,}+" if self.count > CONTEXT_CAP else f"{self.count:,}"


@dataclass(frozen=True)
class PageCounts:
    severities: list[SeverityCount]
    contexts: list[ContextCount]  # only the contexts that have visible findings


def counts_query(project: Project, *, contexts: bool = True) -> tuple[str, list[Any]]:
    """One query: the three bounded severity counts, the bounded count of each code
    context (``contexts=False``: without them, the bench's peer), then the latest
    summary's three figures."""
    visible = Finding.objects.visible().for_project(project).order_by()
    parts: list[str] = []
    params: list[Any] = []
    subsets = [(visible.filter(severity=severity), COUNT_CAP) for severity in Severity]
    if contexts:
        subsets += [(visible.filter(context=context), CONTEXT_CAP) for context in Finding.Context]
    for n, (subset, cap) in enumerate(subsets):
        sql, sql_params = subset.values("id")[: cap + 1].query.sql_with_params()
        # The ORM's own compiled SQL, wrapped; nothing here comes from the request.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS s{n})")  # noqa: S608
        params.extend(sql_params)
    for column in ("open_critical", "open_important", "open_suggestion"):
        parts.append(f"(SELECT {column} FROM reviewer_scansummary WHERE id = %s)")  # noqa: S608
        params.append(project.latest_summary_id)
    return f"SELECT {', '.join(parts)}", params


def page_counts(project: Project) -> PageCounts:
    """Visible findings per severity (exact up to COUNT_CAP, else the summary's figure) and
    per code context (exact up to CONTEXT_CAP), in one query."""
    with connection.cursor() as cursor:
        cursor.execute(*counts_query(project))
        row = cursor.fetchone()
    n_sev, n_ctx = len(Severity), len(Finding.Context)
    by_severity, by_context = row[:n_sev], row[n_sev : n_sev + n_ctx]
    at_scan = dict(zip(Severity, (n or 0 for n in row[n_sev + n_ctx :]), strict=True))
    counts = []
    for severity, n in zip(Severity, by_severity, strict=True):
        if n <= COUNT_CAP:
            counts.append(SeverityCount(severity, n, True))
        else:
            counts.append(SeverityCount(severity, at_scan[severity], False))
    contexts = [
        ContextCount(context, n)
        for context, n in zip(Finding.Context, by_context, strict=True)
        if n
    ]
    return PageCounts(counts, contexts)


def severity_counts(project: Project) -> list[SeverityCount]:
    """Visible findings per severity: exact up to COUNT_CAP, else the summary's figure."""
    return page_counts(project).severities


# The same condition as Finding.objects.visible() (VISIBLE), spelled so that PostgreSQL
# proves it implies the partial index's predicate.
_CATEGORIES = """
WITH RECURSIVE cats(category) AS (
    SELECT MIN(category) FROM reviewer_finding
    WHERE project_id = %s AND status = %s AND NOT low_confidence AND triage NOT IN (%s, %s)
  UNION ALL
    SELECT (
        SELECT MIN(f.category) FROM reviewer_finding f
        WHERE f.project_id = %s AND f.status = %s AND NOT f.low_confidence
          AND f.triage NOT IN (%s, %s) AND f.category > cats.category
    )
    FROM cats WHERE cats.category IS NOT NULL
)
SELECT category FROM cats WHERE category IS NOT NULL
"""


def categories_query(project: Project) -> tuple[str, list[Any]]:
    where: list[Any] = [
        project.pk,
        str(Finding.Status.OPEN),
        str(Finding.Triage.FALSE_POSITIVE),
        str(Finding.Triage.WONT_FIX),
    ]
    return _CATEGORIES, where + where


def visible_categories(project: Project) -> list[str]:
    """The distinct categories of the project's visible findings, sorted."""
    with connection.cursor() as cursor:
        cursor.execute(*categories_query(project))
        return [row[0] for row in cursor.fetchall()]
