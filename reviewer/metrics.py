"""Trend and insight numbers, read from per-scan summary rows and aggregate queries.

Nothing here loads all findings: the weekly series come from ScanSummary rows (one per
scan), reduced in the database to the last summary of each project and week; the
insights are GROUP BY queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, DateField, DurationField, ExpressionWrapper, F, Max, Q, Sum
from django.db.models.functions import Coalesce, Now, TruncWeek
from django.utils import timezone

from reviewer.models import Finding, Project, ScanSummary, Severity

DEBT_KINDS = ["pydantic", "sqlalchemy", "fastapi", "alembic", "tooling"]


@dataclass
class State:
    critical: int = 0
    important: int = 0
    suggestion: int = 0
    debt_minutes: int = 0
    debt_by_kind: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def open_total(self) -> int:
        return self.critical + self.important + self.suggestion


@dataclass
class Week:
    """One week of a series. ``state`` is None before the first scan (no data, which a
    chart leaves empty: not zero); ``new``/``fixed`` are None likewise."""

    start: date
    state: State | None
    new: int | None = 0
    fixed: int | None = 0


def monday(moment: datetime) -> date:
    day = timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return day - timedelta(days=day.weekday())


def _state(row: dict[str, object]) -> State:
    return State(
        critical=int(str(row["open_critical"])),
        important=int(str(row["open_important"])),
        suggestion=int(str(row["open_suggestion"])),
        debt_minutes=int(str(row["debt_minutes"])),
        debt_by_kind=dict(row["by_debt_kind"] or {}),  # type: ignore[call-overload]
    )


_FIELDS = ("project_id", "created_at", "open_critical", "open_important", "open_suggestion",
           "debt_minutes", "by_debt_kind")  # fmt: skip


def weekly_by_project(
    project_ids: Collection[int], weeks: int, now: datetime | None = None
) -> tuple[list[date], dict[int, list[Week]]]:
    """The state of each project at the end of each of the last ``weeks`` weeks (carried
    forward through weeks without a scan) and its new/fixed counts per week; weeks before
    the project's first scan have no data (``state`` None), never zeros."""
    now = now or timezone.now()
    first = monday(now) - timedelta(weeks=weeks - 1)
    starts = [first + timedelta(weeks=i) for i in range(weeks)]
    since = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    summaries = ScanSummary.objects.filter(project_id__in=project_ids)
    per_week = list(
        summaries.filter(created_at__gte=since, created_at__lte=now)
        .annotate(week=TruncWeek("created_at", output_field=DateField()))
        .values("project_id", "week")
        .annotate(last=Max("created_at"), new=Sum("new_count"), fixed=Sum("fixed_count"))
        .order_by()
    )
    before = list(
        summaries.filter(created_at__lt=since)
        .values("project_id")
        .annotate(last=Max("created_at"))
        .order_by()
    )
    wanted = {(r["project_id"], r["last"]) for r in per_week + before}
    rows = summaries.filter(created_at__in={last for _, last in wanted}).values(*_FIELDS)
    states = {
        (r["project_id"], r["created_at"]): _state(r)
        for r in rows
        if (r["project_id"], r["created_at"]) in wanted
    }
    by_week: dict[tuple[int, date], dict[str, object]] = {
        (r["project_id"], _as_date(r["week"])): dict(r) for r in per_week
    }
    result: dict[int, list[Week]] = {}
    before_last = {r["project_id"]: r["last"] for r in before}
    for pid in project_ids:
        current: State | None = (
            states.get((pid, before_last[pid]), State()) if pid in before_last else None
        )
        series = []
        for start in starts:
            row = by_week.get((pid, start))
            if row is not None:
                current = states.get((pid, row["last"]), current)
            if current is None:  # before the project's first scan: no data
                series.append(Week(start, None, None, None))
                continue
            series.append(
                Week(
                    start,
                    current,
                    int(str(row["new"] or 0)) if row else 0,
                    int(str(row["fixed"] or 0)) if row else 0,
                )
            )
        result[pid] = series
    return starts, result


def history_end(project_id: int, weeks: int, now: datetime | None = None) -> datetime | None:
    """The moment a dormant project's history ends, when its last summary is older than
    the ``weeks`` shown (a repository backfilled long after its last commit): its charts
    end there instead of showing weeks with no data. None for a project with recent
    summaries or none at all."""
    now = now or timezone.now()
    last = (
        ScanSummary.objects.filter(project_id=project_id)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if last is None or monday(last) > monday(now) - timedelta(weeks=weeks - 1):
        return None
    return last


def _as_date(value: object) -> date:
    return value.date() if isinstance(value, datetime) else value  # type: ignore[return-value]


def total(series: dict[int, list[Week]], starts: list[date]) -> list[Week]:
    """Sum the per-project weeks into one series (across projects); a week before every
    project's first scan has no data (None)."""
    out = []
    for i, start in enumerate(starts):
        state, new, fixed = State(), 0, 0
        kinds: dict[str, dict[str, int]] = defaultdict(lambda: {"count": 0, "minutes": 0})
        known = [weeks[i] for weeks in series.values() if weeks[i].state is not None]
        if not known:  # no project had been scanned yet
            out.append(Week(start, None, None, None))
            continue
        for week in known:
            assert week.state is not None
            state.critical += week.state.critical
            state.important += week.state.important
            state.suggestion += week.state.suggestion
            state.debt_minutes += week.state.debt_minutes
            for kind, slot in week.state.debt_by_kind.items():
                kinds[kind]["count"] += int(slot.get("count", 0))
                kinds[kind]["minutes"] += int(slot.get("minutes", 0))
            new += week.new or 0
            fixed += week.fixed or 0
        state.debt_by_kind = dict(kinds)
        out.append(Week(start, state, new, fixed))
    return out


@dataclass
class Insights:
    age_days: dict[str, float]  # open findings' mean age per severity
    fix_days: dict[str, float]  # mean time to fix per severity
    hotspots: list[tuple[str, int]]  # paths that keep collecting findings
    new_code_open: int  # open findings in code of the last 30 days (not baseline, not new rules)
    open_total: int


def insights(project: Project, now: datetime | None = None) -> Insights:
    now = now or timezone.now()
    findings = Finding.objects.filter(project=project)
    # When the flagged code is from: its commit's date where known (backfilled history,
    # findings of a new rule in old code), else the scan that first saw it (whose date is
    # the commit's for a backfilled scan).
    code_date = Coalesce(F("introduced_at"), F("first_seen_scan__created_at"))
    age = ExpressionWrapper(Now() - code_date, output_field=DurationField())
    to_fix = ExpressionWrapper(
        F("fixed_in_scan__created_at") - F("first_seen_scan__created_at"),
        output_field=DurationField(),
    )
    ages = findings.visible().values("severity").annotate(a=Avg(age)).order_by()
    fixes = (
        findings.filter(status=Finding.Status.FIXED, fixed_in_scan__isnull=False)
        .values("severity")
        .annotate(a=Avg(to_fix))
        .order_by()
    )
    hot = (
        findings.values("path").annotate(n=Count("id")).filter(n__gt=1).order_by("-n", "path")[:10]
    )
    counts = (
        findings.visible()
        .alias(code_date=code_date)
        .aggregate(
            total=Count("id"),
            new=Count(
                "id",
                filter=Q(code_date__gte=now - timedelta(days=30), from_new_rule=False)
                & ~Q(first_seen_scan__is_baseline=True),
            ),
        )
    )
    code = {s.value: s.code for s in Severity}
    return Insights(
        age_days={code[r["severity"]]: _days(r["a"]) for r in ages},
        fix_days={code[r["severity"]]: _days(r["a"]) for r in fixes},
        hotspots=[(r["path"], r["n"]) for r in hot],
        new_code_open=counts["new"],
        open_total=counts["total"],
    )


def stored(data: dict[str, object], *, now: datetime | None = None) -> Insights | None:
    """Insights as a scan recorded them (``ScanSummary.insights``), with the open
    findings' ages moved on to ``now``: the mean age grows by the time since the scan."""
    if not data or "at" not in data:
        return None
    now = now or timezone.now()
    since = (now - datetime.fromisoformat(str(data["at"]))).total_seconds() / 86400
    ages: dict[str, float] = data.get("age_days", {})  # type: ignore[assignment]
    return Insights(
        age_days={sev: round(days + since, 1) for sev, days in ages.items()},
        fix_days=dict(data.get("fix_days", {})),  # type: ignore[call-overload]
        hotspots=[(str(path), int(n)) for path, n in data.get("hotspots", [])],  # type: ignore[attr-defined]
        new_code_open=int(str(data.get("new_code_open", 0))),
        open_total=int(str(data.get("open_total", 0))),
    )


def to_json(result: Insights, at: datetime) -> dict[str, object]:
    """What ``ScanSummary.insights`` stores: ``insights()`` at the scan, and when."""
    return {
        "at": at.isoformat(),
        "age_days": result.age_days,
        "fix_days": result.fix_days,
        "hotspots": [[path, n] for path, n in result.hotspots],
        "new_code_open": result.new_code_open,
        "open_total": result.open_total,
    }


def project_insights(project: Project) -> Insights:
    """The trends page's insights: those the latest scan stored (no finding is read), or,
    for a project whose summaries predate them, computed now."""
    summary = project.latest_summary
    return (stored(summary.insights) if summary else None) or insights(project)


def _days(value: object) -> float:
    if isinstance(value, timedelta):
        return round(value.total_seconds() / 86400, 1)
    if isinstance(value, int | float):  # SQLite returns microseconds
        return round(value / 86_400_000_000, 1)
    return 0.0
