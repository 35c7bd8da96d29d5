"""The overview: per-project severity counts, the week's movement, debt, sorting, filters —
in a constant number of queries however many projects there are."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reviewer.models import Project, Scan, ScanSummary

pytestmark = pytest.mark.django_db


def summarise(
    project: Project,
    *,
    critical: int,
    debt: int,
    new: int,
    fixed: int,
    days_ago: int = 0,
    trigger: str = Scan.Trigger.MANUAL,
) -> None:
    scan = Scan.objects.create(project=project, status=Scan.Status.SUCCEEDED, trigger=trigger)
    summary = ScanSummary.objects.create(
        scan=scan,
        project=project,
        created_at=timezone.now() - timedelta(days=days_ago),
        open_critical=critical,
        debt_minutes=debt,
        new_count=new,
        fixed_count=fixed,
    )
    Project.objects.filter(pk=project.pk).update(last_scan=scan, latest_summary=summary)


def names(client: Client, **params: str) -> list[str]:
    response = client.get("/", params)
    return [row[0].name for row in response.context["rows"]]


def test_counts_movement_and_sorting(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    calm, busy = project_factory(name="calm"), project_factory(name="busy")
    summarise(calm, critical=0, debt=30, new=9, fixed=9, days_ago=20)  # outside the week
    summarise(calm, critical=1, debt=120, new=1, fixed=2, days_ago=1)
    summarise(busy, critical=0, debt=600, new=50, fixed=0, days_ago=2, trigger="backfill")
    summarise(busy, critical=7, debt=600, new=3, fixed=0)
    rows = {
        p.name: (new, fixed) for p, new, fixed, _doing in member_client.get("/").context["rows"]
    }
    assert rows["calm"] == (1, 2)  # this week only
    assert rows["busy"] == (3, 0)  # backfilled history is not movement
    assert names(member_client) == ["busy", "calm"]
    assert names(member_client, sort="critical") == ["busy", "calm"]
    assert names(member_client, sort="debt") == ["busy", "calm"]
    assert names(member_client, q="cal") == ["calm"]
    assert names(member_client, sort="nonsense") == ["busy", "calm"]


def test_problem_filter(member_client: Client, project_factory: Callable[..., Project]) -> None:
    project_factory(name="fine")
    broken = project_factory(name="broken")
    Project.objects.filter(pk=broken.pk).update(clone_state=Project.CloneState.ERROR)
    assert names(member_client, problems="1") == ["broken"]


def test_query_count_does_not_grow_with_projects(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert member_client.get("/").status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        summarise(project_factory(name=f"a{i}"), critical=i, debt=i, new=i, fixed=0)
    few = count()
    for i in range(20):
        summarise(project_factory(name=f"b{i}"), critical=i, debt=i, new=i, fixed=0)
    assert count() == few <= 6
