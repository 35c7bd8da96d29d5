"""The weekly review meeting: the right changes since the previous meeting, inline triage,
notes saved, Markdown export, and a real browser run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from reviewer.models import (
    Finding,
    FindingEvent,
    Meeting,
    Project,
    Scan,
    ScanSummary,
    Severity,
    TriageEvent,
)
from tests.browser import login, screenshot
from tests.factories import make_findings

pytestmark = pytest.mark.django_db


def scan_at(project: Project, days_ago: float, status: str = "succeeded", **fields: str) -> Scan:
    scan = Scan.objects.create(project=project, status=status, **fields)
    Scan.objects.filter(pk=scan.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    scan.refresh_from_db()
    return scan


@pytest.fixture
def week(project_factory: Callable[..., Project]) -> dict[str, object]:
    """A project with a week of history: what the meeting must and must not show."""
    project = project_factory(name="shop")
    old = scan_at(project, 20)
    recent = scan_at(project, 2)
    backfill = scan_at(project, 1, trigger=Scan.Trigger.BACKFILL)
    failed = scan_at(project, 1, status=Scan.Status.FAILED, error="git: host unreachable")
    new = make_findings(project, 1, scan=recent, severity=Severity.CRITICAL, rule_id="AS001")[0]
    Finding.objects.filter(pk=new.pk).update(title="Blocking sleep in handler")
    new_rule = make_findings(project, 1, scan=recent, rule_id="SA005")[0]
    Finding.objects.filter(pk=new_rule.pk).update(from_new_rule=True)
    make_findings(project, 1, scan=backfill, rule_id="PD001")
    make_findings(project, 1, scan=recent, severity=Severity.SUGGESTION, rule_id="CQ001")
    fixed = make_findings(project, 1, scan=old, rule_id="FA001")[0]
    Finding.objects.filter(pk=fixed.pk).update(status="fixed", fixed_in_scan=recent)
    back = make_findings(project, 1, scan=old, rule_id="AL001")[0]
    FindingEvent.objects.create(scan=recent, finding=back, kind="reopened", path="a", line=1)
    ScanSummary.objects.create(
        scan=old, project=project, created_at=old.created_at, debt_minutes=600
    )
    ScanSummary.objects.create(
        scan=recent, project=project, created_at=recent.created_at, debt_minutes=420
    )
    return {"project": project, "new": new, "failed": failed}


def start(client: Client, team: Group) -> Meeting:
    response = client.post(reverse("dashboard:meeting_start"), {"team": team.pk})
    assert response.status_code == 302
    return Meeting.objects.order_by("-id").first()  # type: ignore[return-value]


def test_the_meeting_shows_what_changed(
    member_client: Client, team: Group, week: dict[str, object]
) -> None:
    meeting = start(member_client, team)
    assert abs((timezone.now() - meeting.since) - timedelta(days=7)) < timedelta(minutes=1)
    with CaptureQueriesContext(connection) as ctx:
        page = member_client.get(meeting.get_absolute_url()).content.decode()
    assert len(ctx.captured_queries) == 16  # pinned; see test_meeting_details for growth
    new = page.split('id="new-findings"')[1].split("</section>")[0]
    assert 'id="group-AS001"' in new and "(1)" in new and "1 finding in 1 file" in new
    assert "SA005" not in new and "PD001" not in new and "CQ001" not in new
    group = member_client.get(reverse("dashboard:meeting_group", args=[meeting.pk, "AS001"]))
    assert "Blocking sleep in handler" in group.content.decode()
    assert "FA001" in page.split('id="fixed-findings"')[1].split("</section>")[0]
    assert "AL001" in page.split('id="reopened-findings"')[1].split("</section>")[0]
    assert "git: host unreachable" in page
    assert "-3.0" in page.split('id="debt-movement"')[1]
    assert 'id="open-actions"' not in page  # the team's first meeting
    assert 'href="/static/css/print.css' in page and 'media="print"' in page
    # The next meeting starts where this one started.
    assert start(member_client, team).since == meeting.started_at


def test_inline_triage_notes_and_markdown(
    member_client: Client, member: User, team: Group, week: dict[str, object]
) -> None:
    meeting = start(member_client, team)
    new = week["new"]
    assert isinstance(new, Finding)
    url = reverse("dashboard:meeting_triage", args=[meeting.pk, new.pk])
    row = member_client.post(url, {"action": "acknowledge"}, HTTP_HX_REQUEST="true")
    text = row.content.decode()
    assert text.strip().startswith(f'<tr id="meeting-finding-{new.pk}"') and "Acknowledged" in text
    event = TriageEvent.objects.get(finding=new)
    assert event.user == member and event.comment == f"in {meeting.title}"

    notes = member_client.post(
        reverse("dashboard:meeting_notes", args=[meeting.pk]),
        {"notes": "Sleep in handlers: <b>Ana</b> owns it", "decisions": "Adopt AS001 as blocker"},
        HTTP_HX_REQUEST="true",
    )
    assert 'id="saved"' in notes.content.decode()
    assert "&lt;b&gt;Ana&lt;/b&gt;" in notes.content.decode()
    md = member_client.get(reverse("dashboard:meeting_markdown", args=[meeting.pk]))
    body = md.content.decode()
    assert md["Content-Type"].startswith("text/markdown")
    assert "## New critical and important findings (1)" in body
    assert "`AS001` shop: `app/db.py:1` Blocking sleep in handler — Acknowledged" in body
    assert "## Decisions\nAdopt AS001 as blocker" in body
    assert "- shop: 10.0 h → 7.0 h (-3.0 h)" in body


def test_another_team_cannot_see_or_triage(
    outsider_client: Client, member_client: Client, team: Group, week: dict[str, object]
) -> None:
    meeting = start(member_client, team)
    assert outsider_client.get(meeting.get_absolute_url()).status_code == 404
    new = week["new"]
    assert isinstance(new, Finding)
    url = reverse("dashboard:meeting_triage", args=[meeting.pk, new.pk])
    assert outsider_client.post(url, {"action": "wont_fix"}).status_code == 404
    other = Group.objects.get(name="frontend")
    assert (
        outsider_client.post(reverse("dashboard:meeting_start"), {"team": team.pk}).status_code
        == 403
    )
    # A team without a project has nothing to review: the page says what is missing.
    listing = outsider_client.get(reverse("dashboard:meetings")).content.decode()
    assert 'id="cannot-start"' in listing and "Your teams own no project yet" in listing
    Project.objects.create(name="web", slug="web", repo_url="/nonexistent", team=other)
    assert start(outsider_client, other).team == other


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_meeting_in_a_browser(
    live_server: object, browser: object, team: Group, member: User, week: dict[str, object]
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page = browser.new_page(accept_downloads=True)  # type: ignore[attr-defined]
    login(page, base)
    page.goto(f"{base}/meetings/")
    page.click("#start-meeting button")
    page.click("#group-AS001 summary")
    expect(page.locator("#new-findings")).to_contain_text("Blocking sleep in handler")
    page.evaluate("window.__marker = 1")
    row = page.locator("#new-findings tr.meeting-finding")
    row.locator("select[name=action]").select_option("false_positive")
    row.locator("button[type=submit]").click()
    expect(page.locator("#new-findings .triage-state")).to_contain_text("False positive")
    row.locator("select[name=assignee]").select_option("member")
    row.locator("button[type=submit]").click()
    expect(page.locator("#new-findings .triage-state")).to_contain_text("· member")
    page.fill("textarea[name=notes]", "Decided in the browser")
    page.click("#notes button[type=submit]")
    expect(page.locator("#saved")).to_be_visible()
    assert page.evaluate("window.__marker") == 1  # no full reload
    screenshot(page, "meeting")
    with page.expect_download() as download:
        page.click("#export-md")
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Blocking sleep in handler — False positive (assigned to member)" in exported
    assert "## Notes\nDecided in the browser" in exported
    page.emulate_media(media="print")
    assert not page.locator("#export-md").is_visible()
    expect(page.locator("header.topbar")).to_be_hidden()
    screenshot(page, "meeting-print")
    page.close()


def test_a_quiet_week_says_so_in_every_section_alike(
    member_client: Client, team: Group, project_factory: Callable[..., Project]
) -> None:
    project_factory(name="quiet")
    page = member_client.get(start(member_client, team).get_absolute_url()).content.decode()
    assert "None." not in page
    for section, words in (
        ("new-findings", "Nothing new."),
        ("fixed-findings", "Nothing fixed."),
        ("reopened-findings", "Nothing reopened."),
        ("failed-scans", "No scan failed."),
    ):
        part = page.split(f'id="{section}"')[1].split("</section>")[0]
        assert words in part
        assert "<table" not in part  # a sentence, not an empty table's lone cell
