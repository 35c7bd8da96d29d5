"""The migration-debt matrix (projects x debt kinds) and its burn-down, from the per-scan
summaries only.

Computing it means reading every project's weekly series and drawing a sparkline per cell
(100 projects: ~600 SVGs); the result depends on nothing but the summaries of the projects
shown, the chosen date and the current week. So it is cached under a key made of those:
the projects' ids and their summaries' count and highest id (a new scan or a backfill
changes them; triage does not touch summaries). A cache that is down or cold only makes
the page compute it again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.safestring import SafeString

from reviewer.charts import Series, line_chart, sparkline
from reviewer.metrics import DEBT_KINDS, State, monday, total, weekly_by_project
from reviewer.models import Project, ScanSummary

CACHE_SECONDS = 3600

#: One matrix cell: (debt kind, open count, hours, sparkline of the last 12 known weeks).
Cell = tuple[str, int, float, SafeString]


@dataclass(frozen=True)
class DebtMatrix:
    rows: dict[int, tuple[list[Cell], float]]  # by project id: cells and total hours
    burn: SafeString  # the burn-down chart since the chosen date
    burned_hours: float  # debt at the chosen date minus debt now (negative: it grew)


def debt_matrix(projects: Sequence[Project], since: date, now: datetime) -> DebtMatrix:
    """The matrix for ``projects`` (each with ``latest_summary`` selected) and the
    burn-down since ``since``; from the cache when the summaries have not changed."""
    ids = sorted(p.pk for p in projects)
    stamp = ScanSummary.objects.filter(project_id__in=ids).aggregate(n=Count("id"), top=Max("id"))
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:32]
    key = f"debt-matrix:{digest}:{stamp['n']}:{stamp['top']}:{since}:{monday(now)}"
    found = cache.get(key)
    if isinstance(found, DebtMatrix):
        return found
    computed = _compute(projects, since, now)
    cache.set(key, computed, CACHE_SECONDS)
    return computed


def _compute(projects: Sequence[Project], since: date, now: datetime) -> DebtMatrix:
    midnight = timezone.make_aware(datetime.combine(since, datetime.min.time()))
    span = max(2, min(104, (monday(now) - monday(midnight)).days // 7 + 1))
    starts, series = weekly_by_project([p.pk for p in projects], max(span, 12), now)
    empty = State()
    rows: dict[int, tuple[list[Cell], float]] = {}
    for project in projects:
        latest = project.latest_summary.by_debt_kind if project.latest_summary else {}
        # Weeks since the project's first scan, found once per project (not per cell).
        seen = [w.state.debt_by_kind for w in series[project.pk] if w.state != empty][-12:]
        cells: list[Cell] = []
        for kind in DEBT_KINDS:
            slot = latest.get(kind, {})
            trend = [kinds.get(kind, {}).get("minutes", 0) for kinds in seen]
            cells.append(
                (kind, slot.get("count", 0), slot.get("minutes", 0) / 60, sparkline(trend))
            )
        rows[project.pk] = (cells, sum(c[2] for c in cells))
    overall = total(series, starts)[-span:]
    burn = line_chart(
        [w.start.strftime("%Y-%m-%d") for w in overall],
        [Series("Debt hours", [w.state.debt_minutes / 60 for w in overall], "s-debt")],
        title=f"Migration debt since {since:%Y-%m-%d}",
        unit=" h",
    )
    # The baseline is the debt at the chosen date, or at the first scan after it.
    known = [w for w in overall if w.state != empty]
    first = known[0].state.debt_minutes if known else 0
    last = known[-1].state.debt_minutes if known else 0
    return DebtMatrix(rows, burn, (first - last) / 60)
