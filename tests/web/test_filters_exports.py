"""Combinable filters in the URL, streamed exports of any filtered view, scan history."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviewer.models import Finding, Project, Scan, ScanSummary, Severity
from tests.factories import make_findings, make_scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(project_factory: Callable[..., Project]) -> Project:
    project = project_factory()
    old = make_scan(project)
    Scan.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    make_findings(project, 3, scan=old, rule_id="SA001", path="app/db/models.py")
    make_findings(project, 2, scan=old, rule_id="PD001", category="pydantic", path="app/api.py")
    new = make_scan(project)
    fresh = make_findings(
        project, 2, scan=new, rule_id="AS001", category="asyncio", severity=Severity.CRITICAL
    )
    Finding.objects.filter(pk=fresh[0].pk).update(
        triage=Finding.Triage.FALSE_POSITIVE, title="=HYPERLINK(evil)"
    )
    Finding.objects.filter(rule_id="PD001").update(debt_kind="pydantic", agent="expert")
    return project


def body(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def shown(client: Client, project: Project, **params: str) -> set[str]:
    response = client.get(project.get_absolute_url(), params, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return {f"{f.rule_id}:{f.path}" for _, items in response.context["groups"] for f in items}


def test_filters_combine(member_client: Client, project: Project) -> None:
    assert len(shown(member_client, project)) == 3  # distinct rule:path pairs, FP hidden
    assert shown(member_client, project, rule="SA") == {"SA001:app/db/models.py"}
    assert shown(member_client, project, path="app/api") == {"PD001:app/api.py"}
    assert shown(member_client, project, agent="expert", debt_kind="pydantic") == {
        "PD001:app/api.py"
    }
    since = (timezone.now() - timedelta(days=1)).date().isoformat()
    assert shown(member_client, project, since=since) == {"AS001:app/db.py"}
    assert shown(member_client, project, triage="false_positive") == {"AS001:app/db.py"}
    assert shown(member_client, project, q="models.py", severity="important") == {
        "SA001:app/db/models.py"
    }
    assert shown(member_client, project, rule="SA", severity="critical") == set()
    response = member_client.get(project.get_absolute_url(), {"since": "not-a-date"})
    assert response.status_code == 200 and 'id="filter-errors"' in response.content.decode()


def test_next_page_keeps_the_filters(
    member_client: Client, project: Project, settings: object
) -> None:
    settings.REVIEWDECK_PAGE_SIZE = 2  # type: ignore[attr-defined]
    page = member_client.get(project.get_absolute_url(), {"rule": "SA"}).content.decode()
    assert 'id="next-page" href="?rule=SA&amp;after=' in page


def test_csv_export_streams_the_filtered_view(member_client: Client, project: Project) -> None:
    url = reverse("dashboard:export_csv", args=[project.slug])
    response = member_client.get(url, {"triage": "all", "severity": "critical"})
    assert response.status_code == 200 and response.streaming
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(body(response).decode())))
    assert [r["rule_id"] for r in rows] == ["AS001", "AS001"]
    assert {r["severity"] for r in rows} == {"critical"}
    assert "'=HYPERLINK(evil)" in {r["title"] for r in rows}  # defused formula


def test_csv_export_queries_do_not_grow_with_rows(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    def count(n: int) -> int:
        project = project_factory(name=f"p{n}")
        make_findings(project, n)
        url = reverse("dashboard:export_csv", args=[project.slug])
        with CaptureQueriesContext(connection) as ctx:
            body(member_client.get(url))
        return len(ctx.captured_queries)

    assert count(5) == count(300)


def test_sarif_export_is_valid_sarif(member_client: Client, project: Project) -> None:
    url = reverse("dashboard:export_sarif", args=[project.slug])
    response = member_client.get(url, {"rule": "SA"})
    log = json.loads(body(response))
    assert log["version"] == "2.1.0"
    results = log["runs"][0]["results"]
    assert len(results) == 3 and {r["ruleId"] for r in results} == {"SA001"}
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == "SA001" for r in results)
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "app/db/models.py"


def test_scan_history_and_detail(member_client: Client, project: Project) -> None:
    scans = list(Scan.objects.filter(project=project).order_by("id"))
    ScanSummary.objects.create(
        scan=scans[-1], project=project, created_at=timezone.now(), open_critical=2, new_count=2
    )
    for _ in range(3):
        make_scan(project, status=Scan.Status.SKIPPED)
    for _ in range(55):
        make_scan(project)
    for _ in range(60):
        make_scan(project, status=Scan.Status.SKIPPED)
    url = reverse("dashboard:scans", args=[project.slug])
    with CaptureQueriesContext(connection) as ctx:
        page = member_client.get(url).content.decode()
    assert len(ctx.captured_queries) <= 7
    # Scheduled "no change" checks fold into one line per run, whatever their number.
    assert page.count('class="scan-row"') == 50 and "Older scans" in page
    assert page.count('class="scan-row no-change"') == 1 and "No change</span>, 60 times" in page
    older = member_client.get(url, {"before": page.split("?before=")[1].split('"')[0]})
    rest = older.content.decode()
    assert rest.count('class="scan-row"') == len(scans) + 5
    assert rest.count('class="scan-row no-change"') == 1 and "No change</span>, 3 times" in rest
    detail = member_client.get(reverse("dashboard:scan", args=[project.slug, scans[-1].pk]))
    text = detail.content.decode()
    assert "New in this scan" in text and "AS001" in text and "2 new" in text
