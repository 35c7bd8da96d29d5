"""The scan list dates a backfilled scan by the week it stands for, not by when the
backfill ran, and says how long a scan took in seconds when it took less than a minute."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dashboard.templatetags.durations import took
from reviewer.models import Project, Scan, ScanSummary
from tests.factories import make_findings

pytestmark = pytest.mark.django_db


def test_backfilled_weeks_show_their_week_and_durations_read_in_seconds(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory(name="history")
    now = timezone.now()
    week = datetime(2025, 8, 26, 12, 0, tzinfo=UTC)
    old = Scan.objects.create(
        project=project,
        trigger=Scan.Trigger.BACKFILL,
        status=Scan.Status.SUCCEEDED,
        started_at=now - timedelta(seconds=30),
        finished_at=now - timedelta(seconds=16),
    )
    Scan.objects.filter(pk=old.pk).update(created_at=week)
    Scan.objects.create(
        project=project,
        trigger=Scan.Trigger.MANUAL,
        status=Scan.Status.SUCCEEDED,
        started_at=now - timedelta(seconds=10),
        finished_at=now - timedelta(seconds=10) + timedelta(minutes=3, seconds=5),
    )
    text = member_client.get(reverse("dashboard:scans", args=[project.slug])).content.decode()
    assert "week of 2025-08-26" in text
    assert ">14 s<" in text
    assert ">3 min 5 s<" in text
    assert "0 minutes" not in text


def test_took_reads_hours_minutes_and_seconds() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert took(start, start + timedelta(hours=2, minutes=10, seconds=9)) == "2 h 10 min"
    assert took(start, start + timedelta(minutes=4)) == "4 min"
    assert took(start, None) == ""


def test_the_scan_page_costs_the_same_for_many_new_findings(
    member_client: Client,
    project_factory: Callable[..., Project],
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    project = project_factory(name="week")
    scan = Scan.objects.create(project=project, status=Scan.Status.SUCCEEDED)
    make_findings(project, 60, scan=scan)
    url = reverse("dashboard:scan", args=[project.slug, scan.pk])
    with django_assert_max_num_queries(12):
        page = member_client.get(url).content.decode()
    assert page.count(f"/projects/{project.slug}/findings/") >= 60


def test_the_scan_page_states_debt_in_hours_as_every_other_page(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory(name="debt")
    scan = Scan.objects.create(project=project, status=Scan.Status.SUCCEEDED)
    ScanSummary.objects.create(
        scan=scan, project=project, created_at=timezone.now(), debt_minutes=246
    )
    page = member_client.get(reverse("dashboard:scan", args=[project.slug, scan.pk]))
    text = page.content.decode()
    assert "debt 4.1 h" in text and "246 min" not in text
    # An empty list says so in words, as on the meeting page.
    assert "Nothing new." in text and "Nothing fixed." in text and "None." not in text
