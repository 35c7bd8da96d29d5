"""Trends (per project and across projects) and the migration-debt matrix."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dashboard.access import AuthedRequest, changeable, get_project_for_user, visible_projects
from dashboard.charts import Series, Sparkline, bar_pairs, line_chart, sparkline
from dashboard.params import id_param
from reviewer.debt import debt_matrix
from reviewer.metrics import (
    DEBT_KINDS,
    State,
    Week,
    history_end,
    monday,
    project_insights,
    total,
    weekly_by_project,
)
from reviewer.models import PatchRequest, Project
from reviewer.summary_cache import cached, summaries_key

RANGES = [4, 12, 26, 52]

#: A debt matrix cell as drawn: (debt kind, open count, hours, sparkline).
DrawnCell = tuple[str, int, float, Sparkline | None]


def _weeks(request: AuthedRequest) -> int:
    weeks = id_param(request.GET.get("weeks", ""), "weeks")
    return weeks if weeks in RANGES else 12


def _charts(weeks: list[Week]) -> dict[str, object]:
    """The three charts; weeks with no data (before the first scan) stay empty."""
    labels = [w.start.strftime("%Y-%m-%d") for w in weeks]
    kinds = sorted({k for w in weeks if w.state for k in w.state.debt_by_kind} | set(DEBT_KINDS))

    def of(pick: Callable[[State], float]) -> list[float | None]:
        return [None if w.state is None else pick(w.state) for w in weeks]

    return {
        # Small multiples: one chart per severity on its own scale, so 1,800 suggestions
        # do not flatten 60 criticals.
        "open_charts": [
            line_chart(
                labels,
                [Series(label, of(pick), css)],
                width=340,
                height=220,
                x_ticks=3,
                title=f"Open {label.lower()} findings per week",
                y_label=f"open {label.lower()}",
            )
            for label, pick, css in (
                ("Critical", lambda s: s.critical, "s-critical"),
                ("Important", lambda s: s.important, "s-important"),
                ("Suggestion", lambda s: s.suggestion, "s-suggestion"),
            )
        ],
        "flow_chart": bar_pairs(
            labels,
            Series("New", [w.new for w in weeks], "s-new"),
            Series("Fixed", [w.fixed for w in weeks], "s-fixed"),
            title="New vs fixed per week",
            y_label="findings",
        ),
        "debt_chart": line_chart(
            labels,
            [Series(kind, of(partial(_debt_hours, kind)), f"k-{kind}") for kind in kinds],
            title="Debt hours per kind",
            unit=" h",
            y_label="hours",
        ),
    }


def _render(request: AuthedRequest, template: str, context: dict[str, object]) -> HttpResponse:
    context |= {"ranges": RANGES}
    if request.htmx:
        return render(request, f"{template}#charts", context)
    return render(request, template, context)


@login_required
def trends(request: AuthedRequest) -> HttpResponse:
    weeks = _weeks(request)
    projects = list(visible_projects(request.user).order_by("name"))
    ids = [p.pk for p in projects]
    # v3: the charts it holds place their labels and ticks differently (charts.py)
    key = summaries_key("trends-v3", ids, weeks, monday(timezone.now()))
    found = cached(key, lambda: _across_projects(ids, weeks), dict)
    moved = found["movement"]
    movement = [(p, *moved[p.pk], _change(*moved[p.pk])) for p in projects]
    context = {"weeks": weeks, "movement": movement, **found["charts"]}
    return _render(request, "dashboard/trends.html", context)


def _across_projects(ids: list[int], weeks: int) -> dict[str, Any]:
    """The charts summed over ``ids`` and each project's open findings a month ago and
    now (cached while the projects' summaries do not change)."""
    starts, series = weekly_by_project(ids, weeks)
    movement = {}
    for pid in ids:
        points = series[pid]
        month_ago = points[-5] if len(points) >= 5 else points[0]
        movement[pid] = (_open(month_ago), _open(points[-1]))
    return {"movement": movement, "charts": _charts(total(series, starts))}


def _change(before: int | None, now: int | None) -> str:
    """The month-over-month change as shown: "+12", "-3", "0", or "" without data."""
    if before is None or now is None:
        return ""
    return f"{now - before:+,}" if now != before else "0"


def _debt_hours(kind: str, state: State) -> float:
    return int(state.debt_by_kind.get(kind, {}).get("minutes", 0)) / 60


def _open(week: Week) -> int | None:
    return None if week.state is None else week.state.open_total


@login_required
def project_trends(request: AuthedRequest, slug: str) -> HttpResponse:
    project = get_project_for_user(request, slug)
    weeks = _weeks(request)
    ends = history_end(project.pk, weeks)
    _, series = weekly_by_project([project.pk], weeks, ends)
    context = {
        "project": project,
        "weeks": weeks,
        "history_ends": ends,
        "insights": project_insights(project),
        **_charts(series[project.pk]),
    }
    return _render(request, "dashboard/trends.html", context)


def _since(request: AuthedRequest) -> date:
    raw = request.GET.get("since", "")
    try:
        chosen = date.fromisoformat(raw)
    except ValueError:
        chosen = timezone.now().date().replace(day=1)
    return min(chosen, timezone.now().date())


def _payable(
    request: AuthedRequest, matrix: list[tuple[Project, list[DrawnCell], float]]
) -> list[tuple[Project, list[tuple[str, int]]]]:
    """Rows of the "Pay it down" table: projects the user may act on with debt of a kind
    that has a codemod (one query for the user's teams)."""
    may_change = changeable(request.user, [project for project, _cells, _hours in matrix])
    rows = []
    for project, cells, _hours in matrix:
        if project.pk not in may_change:
            continue
        counts = {kind: count for kind, count, _h, _s in cells}
        kinds = [(kind, counts.get(kind, 0)) for kind in PatchRequest.Kind.values]
        if any(count for _kind, count in kinds):
            rows.append((project, kinds))
    return rows


@login_required
def debt(request: AuthedRequest) -> HttpResponse:
    """Projects x debt kinds: counts, hours, a sparkline per cell, and the burn-down."""
    since = _since(request)
    projects = list(
        visible_projects(request.user).select_related("latest_summary").order_by("name")
    )
    found = debt_matrix(projects, since, timezone.now())
    matrix: list[tuple[Project, list[DrawnCell], float]] = []
    for project in projects:
        cells, hours = found.rows[project.pk]
        drawn = [(kind, n, cell_hours, sparkline(trend)) for kind, n, cell_hours, trend in cells]
        matrix.append((project, drawn, hours))
    burn = line_chart(
        found.weeks,
        [Series("Debt hours", found.burn, "s-debt")],
        title=f"Migration debt since {since:%Y-%m-%d}",
        unit=" h",
        y_label="debt hours",
    )
    return render(
        request,
        "dashboard/debt.html",
        {
            "kinds": DEBT_KINDS,
            "matrix": matrix,
            "payable": _payable(request, matrix),
            "burn": burn,
            "since": since,
            "burned_hours": found.burned_hours,
            "grown_hours": -found.burned_hours,
            "found": found,
        },
    )
