"""Pages stay bounded at any data size: the meeting lists the first rows of each section
with a count and links to the full lists, the project page counts up to a cap (then uses
the scan summary) and reads its categories by index probes, and the trends page reads the
insights the last scan stored instead of grouping every finding."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviewer import finding_counts, meetings, metrics
from reviewer.models import Finding, Project, Scan, ScanSummary, Severity
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo
from tests.factories import make_findings
from tests.web.test_meetings import scan_at, start

pytestmark = pytest.mark.django_db


def _section(page: str, name: str) -> str:
    return page.split(f'id="{name}"')[1].split("</section>")[0]


# The same agenda whichever plan is chosen: scan ids as a list or a subquery (a window of
# thousands of scans), sorted rows or an ordered index walk (a week expected to be big).
PLANS = [(500, 5000), (1, 5000), (500, -1), (1, -1)]


@pytest.mark.parametrize(("literal_scans", "walk_above"), PLANS)
def test_the_meeting_groups_new_findings_by_rule_and_pages_every_one(
    member_client: Client,
    team: Group,
    project_factory: Callable[..., Project],
    monkeypatch: pytest.MonkeyPatch,
    literal_scans: int,
    walk_above: int,
) -> None:
    monkeypatch.setattr(meetings, "GROUP_PAGE", 3)
    monkeypatch.setattr(meetings, "LITERAL_SCANS", literal_scans)
    monkeypatch.setattr(meetings, "WALK_ABOVE", walk_above)
    shop, api = project_factory(name="shop"), project_factory(name="api")
    make_findings(shop, 5, scan=scan_at(shop, 2), severity=Severity.IMPORTANT, rule_id="SA001")
    make_findings(api, 2, scan=scan_at(api, 1), severity=Severity.CRITICAL, rule_id="AS001")
    meeting = start(member_client, team)

    page = member_client.get(meeting.get_absolute_url()).content.decode()
    new = _section(page, "new-findings")
    assert "New critical and important findings (7)" in new
    # Critical first; one line per rule with its count, files and projects.
    assert new.index('id="group-AS001"') < new.index('id="group-SA001"')
    assert "5 findings in 1 file" in new and "2 findings in 1 file" in new
    # Every finding of a group is reachable, page by page (3 a page here).
    url = reverse("dashboard:meeting_group", args=[meeting.pk, "SA001"])
    first = member_client.get(url).content.decode()
    second = member_client.get(url + "?page=2").content.decode()
    assert first.count('class="meeting-finding"') == 3 and 'class="group-next"' in first
    assert second.count('class="meeting-finding"') == 2 and 'class="group-next"' not in second
    assert "4\u20135" in second
    md = member_client.get(reverse("dashboard:meeting_markdown", args=[meeting.pk])).content
    assert md.decode().count("- **Important** `SA001`") == 5  # the export is not capped

    # Past GROUPED the count stops: the page says "more than", it does not count them all.
    monkeypatch.setattr(meetings, "GROUPED", 6)
    page = member_client.get(meeting.get_absolute_url()).content.decode()
    assert "New critical and important findings (6+)" in _section(page, "new-findings")
    assert 'id="new-more"' in page


@pytest.mark.parametrize(("literal_scans", "walk_above"), PLANS)
def test_a_quiet_meeting_has_no_more_link(
    member_client: Client,
    team: Group,
    project_factory: Callable[..., Project],
    monkeypatch: pytest.MonkeyPatch,
    literal_scans: int,
    walk_above: int,
) -> None:
    monkeypatch.setattr(meetings, "LITERAL_SCANS", literal_scans)
    monkeypatch.setattr(meetings, "WALK_ABOVE", walk_above)
    shop = project_factory(name="shop")
    make_findings(shop, 2, scan=scan_at(shop, 2), severity=Severity.CRITICAL)
    fixed = make_findings(shop, 3, scan=scan_at(shop, 30))
    Finding.objects.filter(pk__in=[f.pk for f in fixed]).update(
        status=Finding.Status.FIXED, fixed_in_scan=scan_at(shop, 1)
    )
    meeting = start(member_client, team)
    page = member_client.get(meeting.get_absolute_url()).content.decode()
    assert "New critical and important findings (2)" in page and 'id="new-more"' not in page
    assert "Fixed (3)" in _section(page, "fixed-findings")


def test_project_counts_are_exact_up_to_the_cap_then_from_the_summary(
    member_client: Client, project_factory: Callable[..., Project], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = project_factory()
    make_findings(project, 8, severity=Severity.CRITICAL, category="asyncio", rule_id="AS001")
    make_findings(project, 3, severity=Severity.SUGGESTION, category="tests", rule_id="PT001")
    hidden = make_findings(project, 2, category="pydantic", rule_id="PD001")
    Finding.objects.filter(pk__in=[f.pk for f in hidden]).update(triage="false_positive")
    scan = Scan.objects.create(project=project, status=Scan.Status.SUCCEEDED)
    summary = ScanSummary.objects.create(
        scan=scan, project=project, created_at=timezone.now(), open_critical=12_345
    )
    Project.objects.filter(pk=project.pk).update(latest_summary=summary)
    project.refresh_from_db()

    exact = {c.severity: c.label for c in finding_counts.severity_counts(project)}
    assert exact == {Severity.CRITICAL: "8", Severity.IMPORTANT: "0", Severity.SUGGESTION: "3"}
    assert finding_counts.visible_categories(project) == ["asyncio", "tests"]

    monkeypatch.setattr(finding_counts, "COUNT_CAP", 5)
    capped = finding_counts.severity_counts(project)
    assert [(c.label, c.exact) for c in capped] == [("12,345", False), ("0", True), ("3", True)]
    ScanSummary.objects.filter(pk=summary.pk).update(open_critical=4)
    project.refresh_from_db()
    assert finding_counts.severity_counts(project)[0].label == "5+"

    # The page counts exactly, following its filters (reviewer/finding_facets.py).
    page = member_client.get(project.get_absolute_url()).content.decode()
    assert 'data-value="critical" data-count="8"' in page
    assert 'data-value="asyncio"' in page and 'data-value="pydantic"' not in page


def test_an_empty_project_has_no_counts_or_categories(
    project_factory: Callable[..., Project],
) -> None:
    project = project_factory()
    assert finding_counts.visible_categories(project) == []
    assert [c.count for c in finding_counts.severity_counts(project)] == [0, 0, 0]


def test_the_trends_page_reads_the_insights_the_last_scan_stored(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory()
    scan = Scan.objects.create(project=project, status=Scan.Status.SUCCEEDED)
    at = timezone.now() - timedelta(days=3)
    stored = {
        "at": at.isoformat(),
        "age_days": {"critical": 10.0},
        "fix_days": {"important": 2.5},
        "hotspots": [["app/hot.py", 42]],
        "new_code_open": 7,
        "open_total": 9,
    }
    summary = ScanSummary.objects.create(scan=scan, project=project, created_at=at, insights=stored)
    Project.objects.filter(pk=project.pk).update(latest_summary=summary)

    result = metrics.stored(stored)
    assert result is not None and 12.9 <= result.age_days["critical"] <= 13.1  # 10 d + 3 d
    with CaptureQueriesContext(connection) as ctx:
        page = member_client.get(reverse("dashboard:project_trends", args=[project.slug]))
    assert not any("reviewer_finding" in q["sql"] for q in ctx.captured_queries)
    html = page.content.decode()
    assert "app/hot.py" in html and "42 findings over time" in html
    assert "7 of 9 open findings" in html and "important 2.5 d" in html


def test_a_scan_stores_its_insights(
    workdir: Path, make_repo: Callable[[str], GitRepo], project_factory: Callable[..., Project]
) -> None:
    repo = make_repo("r")
    repo.commit({"a.py": "import time\n\nasync def handler():\n    time.sleep(1)\n"})
    project = project_factory(repo_url=str(repo.path))
    scan, _ = request_scan(project, Scan.Trigger.CLI)
    run_scan(scan.pk)
    project.refresh_from_db()
    assert project.latest_summary is not None
    saved = metrics.stored(project.latest_summary.insights)
    assert saved is not None and saved.open_total >= 1
    assert saved.open_total == metrics.insights(project).open_total
    assert saved.hotspots == metrics.insights(project).hotspots
