"""The meeting with 400 new findings: grouped by rule with counts, every finding reachable
page by page, a decision per group and per finding (with a comment), a closed meeting that
is a read-only record, its decisions carried to the next meeting, one rounding rule for
debt, an uncapped export, a bounded number of queries, and another team locked out."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviewer.meetings import DebtMove, hours
from reviewer.models import Finding, MeetingDecision, Project, TriageEvent
from tests.meetings.conftest import RULES, fill_week, new_of, start_meeting

pytestmark = pytest.mark.django_db


def _section(page: str, name: str) -> str:
    return page.split(f'id="{name}"')[1].split("</section>")[0]


def test_four_hundred_new_findings_are_grouped_by_rule(
    member_client: Client, team: Group, busy_week: Project
) -> None:
    meeting = start_meeting(member_client, team)
    page = member_client.get(meeting.get_absolute_url()).content.decode()
    new = _section(page, "new-findings")
    assert "New critical and important findings (400)" in new
    assert new.count('class="rule-group"') == len(RULES)
    assert new.count("25 findings in 5 files") == len(RULES)
    # Critical groups first, and no finding row until a group is opened.
    assert new.index('id="group-AS001"') < new.index('id="group-FA001"')
    assert 'class="meeting-finding"' not in new
    # Every one of a group's 25 is reachable: 1-25 on one page of 50.
    group = member_client.get(reverse("dashboard:meeting_group", args=[meeting.pk, "SA007"]))
    assert group.content.decode().count('class="meeting-finding"') == 25


def test_query_counts_do_not_grow_with_findings(
    member_client: Client, team: Group, project_factory: Callable[..., Project], member: User
) -> None:
    small = project_factory(name="small")
    fill_week(small, RULES[:2])
    meeting = start_meeting(member_client, team)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert member_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    page = meeting.get_absolute_url()
    group = reverse("dashboard:meeting_group", args=[meeting.pk, "AS001"])
    before = (count(page), count(group))
    for name in ("big", "bigger"):
        fill_week(project_factory(name=name))  # +800 new findings, two more projects
    for name in ("ana", "bo", "cy"):
        User.objects.create_user(name).groups.add(team)
    after = (count(page), count(group))
    assert after == before, (before, after)
    assert before[0] <= 16 and before[1] <= 10, before


def test_a_group_decision_reaches_every_finding_of_the_rule(
    member_client: Client, member: User, team: Group, busy_week: Project
) -> None:
    meeting = start_meeting(member_client, team)
    url = reverse("dashboard:meeting_group_decide", args=[meeting.pk, "SA007"])
    answer = member_client.post(
        url, {"action": "wont_fix", "assignee": "ana"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Decided for 25 findings." in answer
    assert answer.count('class="meeting-finding"') == 25
    sa007 = new_of(busy_week, "SA007")
    assert {(f.triage, f.assignee.username if f.assignee else None) for f in sa007} == {
        ("wont_fix", "ana")
    }
    assert MeetingDecision.objects.filter(meeting=meeting, action="wont_fix").count() == 25
    assert TriageEvent.objects.filter(finding__rule_id="SA007").count() == 25
    # The other rules are untouched.
    assert not Finding.objects.filter(rule_id="AS001").exclude(triage="open").exists()
    # Assigning to someone outside the team is refused, inline.
    User.objects.create_user("stranger")
    refused = member_client.post(
        url, {"action": "", "assignee": "stranger"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "is not a member of the team backend" in refused


def test_a_comment_per_finding_keeps_the_meeting_decision(
    member_client: Client, team: Group, busy_week: Project
) -> None:
    meeting = start_meeting(member_client, team)
    finding = new_of(busy_week, "AS001")[0]
    url = reverse("dashboard:meeting_triage", args=[meeting.pk, finding.pk])
    member_client.post(url, {"action": "acknowledge", "assignee": "-"}, HTTP_HX_REQUEST="true")
    row = member_client.post(
        url,
        {"action": "", "assignee": "-", "comment": "Ana pairs on it <b>Friday</b>"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "“Ana pairs on it &lt;b&gt;Friday&lt;/b&gt;”" in row
    decision = MeetingDecision.objects.get(meeting=meeting, finding=finding)
    assert decision.action == "acknowledge" and decision.comment.startswith("Ana pairs")
    event = TriageEvent.objects.filter(finding=finding).last()
    assert (
        event is not None and event.comment == f"Ana pairs on it <b>Friday</b> (in {meeting.title})"
    )
    md = member_client.get(reverse("dashboard:meeting_markdown", args=[meeting.pk])).content
    assert "“Ana pairs on it \\<b\\>Friday\\</b\\>”" in md.decode()


def test_the_markdown_export_lists_all_four_hundred(
    member_client: Client, team: Group, busy_week: Project
) -> None:
    meeting = start_meeting(member_client, team)
    text = member_client.get(reverse("dashboard:meeting_markdown", args=[meeting.pk])).content
    body = text.decode()
    assert "## New critical and important findings (400)" in body
    assert sum(1 for line in body.splitlines() if line.startswith("- **")) == 400 + 0
    assert body.count("### `") == len(RULES) and "### `SA007`" in body and "(25)" in body


def test_a_closed_meeting_is_a_read_only_record(
    member_client: Client, team: Group, busy_week: Project
) -> None:
    meeting = start_meeting(member_client, team)
    finding = new_of(busy_week, "AS001")[0]
    member_client.post(
        reverse("dashboard:meeting_notes", args=[meeting.pk]),
        {"notes": "n", "decisions": "Fix AS001 first", "closed": "1"},
    )
    meeting.refresh_from_db()
    assert meeting.closed and meeting.closed_at is not None
    page = member_client.get(meeting.get_absolute_url()).content.decode()
    assert 'id="closed-note"' in page and "<textarea" not in page and "hx-post" not in page
    group = member_client.get(reverse("dashboard:meeting_group", args=[meeting.pk, "AS001"]))
    assert "row-decide" not in group.content.decode()
    before = (TriageEvent.objects.count(), MeetingDecision.objects.count())
    for url, data in [
        (
            reverse("dashboard:meeting_triage", args=[meeting.pk, finding.pk]),
            {"action": "wont_fix"},
        ),
        (
            reverse("dashboard:meeting_group_decide", args=[meeting.pk, "AS001"]),
            {"action": "wont_fix"},
        ),
        (reverse("dashboard:meeting_notes", args=[meeting.pk]), {"notes": "rewritten"}),
        (reverse("dashboard:meeting_close", args=[meeting.pk]), {}),
    ]:
        response = member_client.post(url, data, HTTP_HX_REQUEST="true")
        assert response.status_code == 403, (url, response.status_code)
    meeting.refresh_from_db()
    assert (
        meeting.notes == "n"
        and (TriageEvent.objects.count(), MeetingDecision.objects.count()) == before
    )


def test_decisions_are_carried_to_the_next_meeting_with_their_status(
    member_client: Client, team: Group, busy_week: Project
) -> None:
    first = start_meeting(member_client, team)
    member_client.post(
        reverse("dashboard:meeting_group_decide", args=[first.pk, "SA007"]),
        {"action": "acknowledge", "assignee": "ana"},
    )
    one = new_of(busy_week, "AS001")[0]
    member_client.post(
        reverse("dashboard:meeting_triage", args=[first.pk, one.pk]),
        {"action": "", "assignee": "-", "comment": "look at the worker pool"},
    )
    member_client.post(reverse("dashboard:meeting_close", args=[first.pk]))
    fixed = new_of(busy_week, "SA007")[:3]
    Finding.objects.filter(pk__in=[f.pk for f in fixed]).update(status=Finding.Status.FIXED)
    second = start_meeting(member_client, team)
    page = member_client.get(second.get_absolute_url()).content.decode()
    carried = _section(page, "open-actions")
    assert "Open actions from last time (2 open)" in carried
    assert first.title in carried
    row = next(r for r in carried.split("<tr") if "SA007" in r)
    assert "Acknowledge" in row and "ana" in row and "22 of 25 still open · 3 fixed" in row
    assert "look at the worker pool" in carried


def test_debt_follows_one_rounding_rule(
    member_client: Client, team: Group, busy_week: Project
) -> None:
    # 32 min = 0.53 h and 280 min = 4.67 h: shown 0.5 and 4.7, so the change is +4.2
    # (the raw difference, 4.13 h, would read 4.1 beside them).
    move = DebtMove(busy_week, 32, 280)
    assert (move.before_hours, move.now_hours, move.change_label) == (0.5, 4.7, "+4.2")
    assert hours(45) == 0.8 and hours(3) == 0.1  # half up, not to even
    meeting = start_meeting(member_client, team)
    page = member_client.get(meeting.get_absolute_url()).content.decode()
    assert '<td class="num">0.5</td><td class="num">4.7</td><td class="num">+4.2</td>' in page
    md = member_client.get(reverse("dashboard:meeting_markdown", args=[meeting.pk])).content
    assert "- shop: 0.5 h → 4.7 h (+4.2 h)" in md.decode()


def test_another_team_reaches_none_of_it(
    member_client: Client, outsider_client: Client, team: Group, busy_week: Project
) -> None:
    meeting = start_meeting(member_client, team)
    finding = new_of(busy_week, "AS001")[0]
    for url in [
        meeting.get_absolute_url(),
        reverse("dashboard:meeting_group", args=[meeting.pk, "AS001"]),
        reverse("dashboard:meeting_markdown", args=[meeting.pk]),
    ]:
        assert outsider_client.get(url).status_code == 404
    for url in [
        reverse("dashboard:meeting_group_decide", args=[meeting.pk, "AS001"]),
        reverse("dashboard:meeting_triage", args=[meeting.pk, finding.pk]),
        reverse("dashboard:meeting_close", args=[meeting.pk]),
    ]:
        assert outsider_client.post(url, {"action": "wont_fix"}).status_code == 404
    assert not Finding.objects.exclude(triage="open").exists()


def test_every_meeting_post_needs_the_csrf_token(
    member: User, team: Group, busy_week: Project, member_client: Client
) -> None:
    meeting = start_meeting(member_client, team)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    finding = new_of(busy_week, "AS001")[0]
    for url in [
        reverse("dashboard:meeting_group_decide", args=[meeting.pk, "AS001"]),
        reverse("dashboard:meeting_triage", args=[meeting.pk, finding.pk]),
        reverse("dashboard:meeting_notes", args=[meeting.pk]),
        reverse("dashboard:meeting_close", args=[meeting.pk]),
    ]:
        assert strict.post(url, {"action": "wont_fix"}, HTTP_HX_REQUEST="true").status_code == 403
    page = member_client.get(meeting.get_absolute_url()).content.decode()
    # HTMX posts carry the token: the body's hx-headers, and each form's hidden field.
    assert 'hx-headers=\'{"X-CSRFToken": "' in page
    assert page.count('name="csrfmiddlewaretoken"') >= page.count("hx-post=")
    assert not Finding.objects.exclude(triage="open").exists()
