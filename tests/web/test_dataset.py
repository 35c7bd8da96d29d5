"""The benchmark data set generator builds what the pages read (used by bench/ scripts)."""

from __future__ import annotations

import pytest
from django.test import Client

from bench.dataset import build
from reviewer.finding_filters import FindingFilter, after_key
from reviewer.models import Finding, Project, Scan, ScanSummary

pytestmark = pytest.mark.django_db


def test_build_makes_projects_scans_summaries_and_one_big_project() -> None:
    data = build(projects=3, weeks=2, findings=40, sample=10)
    assert Project.objects.count() == 3 and Scan.objects.count() == 6 == data.scans
    assert ScanSummary.objects.count() == 6
    assert Finding.objects.filter(project_id=data.big_project_id).count() == 40
    assert len(data.finding_ids) == 10
    project = Project.objects.get(pk=data.big_project_id)
    assert project.latest_summary is not None and project.last_scan is not None
    # deep_after is the middle of the default order: the keyset page after it is the rest.
    rest = after_key(
        FindingFilter(status="all", triage="all").apply(project), data.deep_after, project
    )
    assert rest.count() == 40 - 40 // 2 - 1
    client = Client()
    assert client.login(username=data.username, password=data.password)
    page = client.get(f"/projects/{data.big_slug}/?after={data.deep_after}")
    assert page.status_code == 200 and b"Finding" in page.content
