"""The meeting's inline assignment, triage of reopened findings, a Markdown export that
repository text cannot inject into, and a query count that does not grow with data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviewer.meetings import md_code, md_text
from reviewer.models import Finding, FindingEvent, Project, ScanSummary, Severity, TriageEvent
from tests.factories import make_findings
from tests.web.test_meetings import scan_at, start, week

pytestmark = pytest.mark.django_db
__all__ = ["week"]  # the fixture, shared with test_meetings.py


def test_assign_inline_to_a_team_member_only(
    member_client: Client, member: User, team: Group, week: dict[str, object]
) -> None:
    meeting = start(member_client, team)
    new = week["new"]
    assert isinstance(new, Finding)
    url = reverse("dashboard:meeting_triage", args=[meeting.pk, new.pk])
    row = member_client.post(url, {"action": "", "assignee": "member"}, HTTP_HX_REQUEST="true")
    assert "· member" in row.content.decode()
    new.refresh_from_db()
    assert new.assignee == member and new.triage == Finding.Triage.OPEN
    event = TriageEvent.objects.get(finding=new)
    assert event.assignee == member and event.from_triage == event.to_triage == "open"

    User.objects.create_user("stranger")  # exists, but not in the team
    refused = member_client.post(url, {"assignee": "stranger"}, HTTP_HX_REQUEST="true")
    assert "is not a member of the team backend" in refused.content.decode()
    new.refresh_from_db()
    assert new.assignee == member and TriageEvent.objects.filter(finding=new).count() == 1

    member_client.post(url, {"action": "", "assignee": ""}, HTTP_HX_REQUEST="true")
    new.refresh_from_db()
    assert new.assignee is None


def test_reopened_findings_can_be_triaged_from_the_meeting(
    member_client: Client, team: Group, week: dict[str, object]
) -> None:
    meeting = start(member_client, team)
    back = Finding.objects.get(rule_id="AL001")
    page = member_client.get(meeting.get_absolute_url()).content.decode()
    reopened = page.split('id="reopened-findings"')[1].split("</section>")[0]
    action = reverse("dashboard:meeting_triage", args=[meeting.pk, back.pk])
    assert f'hx-post="{action}"' in reopened
    member_client.post(action, {"action": "wont_fix"}, HTTP_HX_REQUEST="true")
    back.refresh_from_db()
    assert back.triage == Finding.Triage.WONT_FIX


def test_markdown_export_escapes_repository_text(
    member_client: Client, team: Group, week: dict[str, object]
) -> None:
    new = week["new"]
    assert isinstance(new, Finding)
    Finding.objects.filter(pk=new.pk).update(
        title="<img src=x onerror=alert(1)> [click](https://evil.example)\n# Owned",
        path="app/`weird`.py",
    )
    failed = week["failed"]
    type(failed).objects.filter(pk=failed.pk).update(error="boom\n## Fake heading <b>x</b>")  # type: ignore[attr-defined]
    meeting = start(member_client, team)
    body = member_client.get(reverse("dashboard:meeting_markdown", args=[meeting.pk])).content
    text = body.decode()
    line = next(ln for ln in text.splitlines() if "AS001" in ln and ln.startswith("- "))
    assert (
        "\\<img src=x onerror=alert\\(1\\)\\> \\[click\\]\\(https://evil.example\\) \\# Owned"
        in line
    )
    assert "``app/`weird`.py:1``" in line
    assert "boom \\#\\# Fake heading \\<b\\>x\\</b\\>" in text
    assert "\n# Owned" not in text and "\n## Fake heading" not in text
    assert md_text("a_b*c") == "a\\_b\\*c" and md_code("``x") == "``` ``x ```"


def test_meeting_query_count_does_not_grow_with_data(
    member_client: Client,
    team: Group,
    week: dict[str, object],
    project_factory: Callable[..., Project],
) -> None:
    meeting = start(member_client, team)

    def count() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            page = member_client.get(meeting.get_absolute_url()).content.decode()
        return len(ctx.captured_queries), page

    before, _ = count()
    for name in ("two", "three", "four"):
        project = project_factory(name=name)
        for days in (3, 2):
            scan = scan_at(project, days)
            ScanSummary.objects.create(
                scan=scan, project=project, created_at=scan.created_at, debt_minutes=60 * days
            )
            make_findings(project, 5, scan=scan, severity=Severity.CRITICAL, rule_id="AS001")
        back = make_findings(project, 1, scan=scan_at(project, 30), rule_id="AL001")[0]
        FindingEvent.objects.create(scan=scan, finding=back, kind="reopened", path="a", line=1)
    after, page = count()
    assert after == before, (before, after)
    assert page.count('class="meeting-finding"') == 1 + 3  # reopened rows; groups load on open
    assert page.count('class="rule-group"') == 1  # AS001 in four projects
    debt_row = '<td class="num">0.0</td><td class="num">2.0</td><td class="num">+2.0</td>'
    assert f"<td>two</td>{debt_row}" in page
    assert meeting.since < meeting.started_at - timedelta(days=6)
