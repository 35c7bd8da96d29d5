"""Trends and migration debt read per-scan summaries: right numbers, escaped labels, and a
query count that does not grow with projects or scans."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviewer.metrics import history_end, insights, total, weekly_by_project
from reviewer.models import Finding, Project, Scan, ScanSummary
from tests.factories import make_findings

pytestmark = pytest.mark.django_db
NOW = timezone.now()
# A Wednesday noon of last week: week boundaries do not depend on the day the test runs.
ANCHOR = (NOW - timedelta(days=NOW.weekday() + 5)).replace(hour=12, minute=0, second=0)


def summary(
    project: Project,
    when: datetime,
    *,
    critical: int = 0,
    new: int = 0,
    fixed: int = 0,
    pydantic_minutes: int = 0,
) -> ScanSummary:
    scan = Scan.objects.create(project=project, status=Scan.Status.SUCCEEDED)
    Scan.objects.filter(pk=scan.pk).update(created_at=when)
    row = ScanSummary.objects.create(
        scan=scan,
        project=project,
        created_at=when,
        open_critical=critical,
        new_count=new,
        fixed_count=fixed,
        debt_minutes=pydantic_minutes,
        by_debt_kind={"pydantic": {"count": pydantic_minutes // 30, "minutes": pydantic_minutes}}
        if pydantic_minutes
        else {},
    )
    Project.objects.filter(pk=project.pk).update(latest_summary=row)
    return row


def test_weekly_series_takes_each_weeks_last_state_and_carries_it_forward(
    project_factory: Callable[..., Project],
) -> None:
    a, b = project_factory(name="a"), project_factory(name="b")
    summary(a, ANCHOR - timedelta(weeks=10), critical=9)  # before the range: starting state
    summary(a, ANCHOR - timedelta(weeks=3, days=1), critical=5, new=2)
    summary(a, ANCHOR - timedelta(weeks=3), critical=4, fixed=1)  # same week, later: wins
    summary(b, ANCHOR - timedelta(weeks=1), critical=1, new=1)
    starts, series = weekly_by_project([a.pk, b.pk], 5, now=ANCHOR)
    assert len(starts) == 5
    assert [w.state.critical if w.state else None for w in series[a.pk]] == [9, 4, 4, 4, 4]
    assert sum(w.new or 0 for w in series[a.pk]) == 2
    assert sum(w.fixed or 0 for w in series[a.pk]) == 1
    # b had no scan before its week -1: no data (None), not zero.
    assert [w.state.critical if w.state else None for w in series[b.pk]] == [
        None, None, None, 1, 1
    ]  # fmt: skip
    assert [w.new for w in series[b.pk]] == [None, None, None, 1, 0]
    summed = total(series, starts)
    assert [w.state.critical if w.state else None for w in summed] == [9, 4, 4, 5, 5]


def test_trends_page_and_range_selector(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory(
        name="evil",
    )
    Project.objects.filter(pk=project.pk).update(name="<script>alert(1)</script>")
    summary(project, NOW - timedelta(weeks=2), critical=3, new=3)
    summary(project, NOW, critical=1, fixed=2)
    page = member_client.get(reverse("dashboard:trends")).content.decode()
    assert page.count("<svg") >= 3 and "<polyline" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    partial = member_client.get(
        reverse("dashboard:trends"), {"weeks": "26"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert (
        partial.startswith('\n<section id="charts" data-weeks="26"') or 'data-weeks="26"' in partial
    )
    assert "<html" not in partial


def test_project_insights(member_client: Client, project_factory: Callable[..., Project]) -> None:
    project = project_factory()
    old_scan = Scan.objects.create(project=project, status=Scan.Status.SUCCEEDED)
    Scan.objects.filter(pk=old_scan.pk).update(created_at=NOW - timedelta(days=20))
    fix_scan = Scan.objects.create(project=project, status=Scan.Status.SUCCEEDED)
    Scan.objects.filter(pk=fix_scan.pk).update(created_at=NOW - timedelta(days=10))
    old_scan.refresh_from_db()
    fixed, still = make_findings(project, 2, scan=old_scan, path="app/hot.py")
    Finding.objects.filter(pk=fixed.pk).update(status="fixed", fixed_in_scan=fix_scan)
    result = insights(project)
    assert result.fix_days == {"important": 10.0}
    assert 19.9 <= result.age_days["important"] <= 20.1
    assert result.hotspots == [("app/hot.py", 2)]
    assert (result.new_code_open, result.open_total) == (1, 1)
    page = member_client.get(reverse("dashboard:project_trends", args=[project.slug]))
    assert 'id="insights"' in page.content.decode() and still.pk


def test_debt_matrix_and_burn_down(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory()
    summary(project, NOW - timedelta(weeks=6), pydantic_minutes=600)
    summary(project, NOW - timedelta(days=1), pydantic_minutes=240)
    since = (NOW - timedelta(weeks=7)).date().isoformat()
    page = member_client.get(reverse("dashboard:debt"), {"since": since}).content.decode()
    assert f'{project.get_absolute_url()}?debt_kind=pydantic">8 · 4.0 h' in page
    assert "6.0 h of debt paid down" in page
    assert 'class="spark spark-down"' in page


def test_the_debt_matrix_is_cached_until_a_summary_changes(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory()
    summary(project, NOW - timedelta(weeks=2), pydantic_minutes=600)
    since = (NOW - timedelta(weeks=3)).date().isoformat()

    def get() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as ctx:
            page = member_client.get(reverse("dashboard:debt"), {"since": since})
        html = page.content.decode()
        # The matrix and the burn-down (the rest carries per-request nonce and token).
        body = html[html.index('id="debt-matrix"') : html.rindex("</svg>")]
        return body, len(ctx.captured_queries)

    first, computed = get()
    again, cached = get()
    assert again == first and cached < computed  # the weekly series were not read again
    assert f'{project.get_absolute_url()}?debt_kind=pydantic">20 · 10.0 h' in first
    # A new scan's summary is a new key: the page shows it at once.
    summary(project, NOW - timedelta(days=1), pydantic_minutes=120)
    after, _ = get()
    assert f'{project.get_absolute_url()}?debt_kind=pydantic">4 · 2.0 h' in after
    assert "8.0 h of debt paid down" in after


def test_trends_across_projects_are_cached_until_a_summary_changes(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory()
    summary(project, NOW - timedelta(weeks=6), critical=7)
    summary(project, NOW - timedelta(weeks=1), critical=3)

    def get() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as ctx:
            html = member_client.get(reverse("dashboard:trends")).content.decode()
        table = html[html.index('id="movement"') :]
        charts = html[html.index("<svg") : html.rindex("</svg>")]
        return table[: table.index("</table>")] + charts, len(ctx.captured_queries)

    first, computed = get()
    again, cached = get()
    assert again == first and cached < computed
    assert '<td class="num">7</td><td class="num">3</td>' in first
    summary(project, NOW - timedelta(hours=1), critical=9)
    after, _ = get()
    assert '<td class="num">7</td><td class="num">9</td>' in after


@pytest.mark.parametrize("name", ["dashboard:trends", "dashboard:debt"])
def test_query_count_does_not_grow_with_projects(
    name: str, member_client: Client, project_factory: Callable[..., Project]
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert member_client.get(reverse(name)).status_code == 200
        return len(ctx.captured_queries)

    for i in range(2):
        p = project_factory(name=f"a{i}")
        for w in range(3):
            summary(p, NOW - timedelta(weeks=w), critical=w, pydantic_minutes=30 * w)
    few = count()
    for i in range(12):
        p = project_factory(name=f"b{i}")
        for w in range(6):
            summary(p, NOW - timedelta(weeks=w), critical=w, pydantic_minutes=30 * w)
    assert count() == few <= 8


def test_a_dormant_projects_trends_end_where_its_history_ends(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    # Backfilled long after its last commit: every summary is a year old.
    project = project_factory()
    old = ANCHOR - timedelta(weeks=52)
    summary(project, old - timedelta(weeks=2), critical=4, new=4)
    summary(project, old, critical=1, fixed=3)
    page = member_client.get(reverse("dashboard:project_trends", args=[project.slug]))
    text = page.content.decode()
    assert f"ends on {old.date().isoformat()}" in text
    # The charts show those weeks, not twelve weeks of nothing before today.
    _, series = weekly_by_project([project.pk], 12, history_end(project.pk, 12))
    assert [w.state.critical for w in series[project.pk][-3:] if w.state] == [4, 4, 1]
    # A project with a recent summary keeps the weeks up to today.
    summary(project, ANCHOR, critical=2)
    page = member_client.get(reverse("dashboard:project_trends", args=[project.slug]))
    assert "history-ends" not in page.content.decode()
    assert history_end(project.pk, 12) is None
