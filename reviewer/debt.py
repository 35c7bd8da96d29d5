"""The migration-debt matrix (projects x debt kinds) and its burn-down, from the per-scan
summaries only; cached while those summaries do not change (see summary_cache.py): 100
projects mean ~600 sparklines and every project's weekly series."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from reviewer.metrics import DEBT_KINDS, monday, total, weekly_by_project
from reviewer.models import Project
from reviewer.summary_cache import cached, summaries_key

#: One matrix cell: (debt kind, open count, hours, debt minutes of the last 12 known weeks).
Cell = tuple[str, int, float, tuple[float, ...]]


@dataclass(frozen=True)
class DebtMatrix:
    rows: dict[int, tuple[list[Cell], float]]  # by project id: cells and total hours
    weeks: tuple[str, ...]  # the burn-down's weeks since the chosen date (Mondays)
    burn: tuple[float | None, ...]  # debt hours of each of those weeks (None: no data)
    burned_hours: float  # debt at the chosen date minus debt now (negative: it grew)
    start_hours: float | None = None  # the first known point drawn (None: no data)
    end_hours: float | None = None  # the last known point drawn
    known_weeks: int = 0  # how many of the drawn weeks have data

    @property
    def compared(self) -> bool:
        """True when the burn-down has two known weeks to compare."""
        return self.known_weeks >= 2


def debt_matrix(projects: Sequence[Project], since: date, now: datetime) -> DebtMatrix:
    """The matrix for ``projects`` (each with ``latest_summary`` selected) and the
    burn-down since ``since``; from the cache when the summaries have not changed."""
    key = summaries_key("debt-data-v2", [p.pk for p in projects], since, monday(now))
    return cached(key, lambda: _compute(projects, since, now), DebtMatrix)


def _compute(projects: Sequence[Project], since: date, now: datetime) -> DebtMatrix:
    midnight = timezone.make_aware(datetime.combine(since, datetime.min.time()))
    span = max(2, min(104, (monday(now) - monday(midnight)).days // 7 + 1))
    starts, series = weekly_by_project([p.pk for p in projects], max(span, 12), now)
    rows: dict[int, tuple[list[Cell], float]] = {}
    for project in projects:
        latest = project.latest_summary.by_debt_kind if project.latest_summary else {}
        # Weeks since the project's first scan, found once per project (not per cell).
        seen = [w.state.debt_by_kind for w in series[project.pk] if w.state is not None][-12:]
        cells: list[Cell] = []
        for kind in DEBT_KINDS:
            slot = latest.get(kind, {})
            trend = tuple(kinds.get(kind, {}).get("minutes", 0) for kinds in seen)
            cells.append((kind, slot.get("count", 0), slot.get("minutes", 0) / 60, trend))
        rows[project.pk] = (cells, sum(c[2] for c in cells))
    overall = total(series, starts)[-span:]
    weeks = tuple(w.start.strftime("%Y-%m-%d") for w in overall)
    burn = tuple(None if w.state is None else w.state.debt_minutes / 60 for w in overall)
    # The baseline is the first point drawn (the debt at the chosen date, or at the first
    # scan after it), so the sentence above the chart says what its line shows.
    known = [hours for hours in burn if hours is not None]
    first = known[0] if known else None
    last = known[-1] if known else None
    burned = (first - last) if first is not None and last is not None else 0.0
    return DebtMatrix(rows, weeks, burn, burned, first, last, len(known))
