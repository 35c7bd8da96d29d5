"""Teams in the app, the settings page's repository/team/deletion, error pages in the
layout, the inline bulk-triage message, the overview's naming and "—", and the demo's
team."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from reviewer import schedules
from reviewer.models import Finding, Project, Scan
from reviewer.teams import demo_team, meeting_readiness
from tests.factories import make_findings, make_scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_user("lead", password="pw-lead-1", is_staff=True))
    return client


def test_staff_create_teams_add_members_and_give_projects(
    staff_client: Client, member: User, project_factory: Callable[..., Project]
) -> None:
    orphan = project_factory(name="orphan", team=None)
    assert (
        staff_client.post(reverse("dashboard:team_add"), {"name": "  data   team "}).status_code
        == 302
    )
    data = Group.objects.get(name="data team")
    again = staff_client.post(reverse("dashboard:team_add"), {"name": "Data Team"}, follow=True)
    assert "exists already" in again.content.decode()
    staff_client.post(reverse("dashboard:team_member_add", args=[data.pk]), {"username": "member"})
    assert data.user_set.filter(pk=member.pk).exists()
    missing = staff_client.post(
        reverse("dashboard:team_member_add", args=[data.pk]), {"username": "nobody"}, follow=True
    )
    assert "No active user is named" in missing.content.decode()
    staff_client.post(
        reverse("dashboard:team_project_give", args=[data.pk]), {"project": orphan.pk}
    )
    orphan.refresh_from_db()
    assert orphan.team == data
    page = staff_client.get(reverse("dashboard:teams")).content.decode()
    assert "data team" in page and ">orphan</a>" in page and "member" in page
    staff_client.post(reverse("dashboard:team_member_remove", args=[data.pk]), {"user": member.pk})
    assert not data.user_set.filter(pk=member.pk).exists()


def test_only_staff_change_teams(member_client: Client, team: Group, member: User) -> None:
    page = member_client.get(reverse("dashboard:teams")).content.decode()
    assert "backend" in page and "frontend" not in page and 'id="team-add"' not in page
    for url, data in [
        (reverse("dashboard:team_add"), {"name": "mine"}),
        (reverse("dashboard:team_member_add", args=[team.pk]), {"username": "member"}),
        (reverse("dashboard:team_member_remove", args=[team.pk]), {"user": member.pk}),
    ]:
        assert member_client.post(url, data).status_code == 403
    assert not Group.objects.filter(name="mine").exists() and team.user_set.count() == 1


def test_staff_may_not_give_away_another_teams_project(
    staff_client: Client, project_factory: Callable[..., Project]
) -> None:
    theirs = project_factory(name="theirs")
    mine = Group.objects.create(name="mine")
    url = reverse("dashboard:team_project_give", args=[mine.pk])
    assert staff_client.post(url, {"project": theirs.pk}).status_code == 403
    theirs.refresh_from_db()
    assert theirs.team is not None and theirs.team.name == "backend"


def test_the_teams_page_query_count_does_not_grow(
    staff_client: Client, project_factory: Callable[..., Project]
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(reverse("dashboard:teams")).status_code == 200
        return len(ctx.captured_queries)

    project_factory(name="one")
    before = count()
    for n in range(6):
        team = Group.objects.create(name=f"team {n}")
        for m in range(4):
            User.objects.create_user(f"user{n}-{m}").groups.add(team)
        project_factory(name=f"p{n}", team=team)
    assert count() == before


def test_the_meeting_page_says_what_is_missing(db: None) -> None:
    lone = User.objects.create_user("lone")
    client = Client()
    client.force_login(lone)
    page = client.get(reverse("dashboard:meetings")).content.decode()
    assert (
        "You are not in a team yet: ask a staff user" in page and 'id="start-meeting"' not in page
    )
    empty = Group.objects.create(name="empty")
    lone.groups.add(empty)
    assert "own no project yet" in meeting_readiness(lone, lone.groups.all()).missing
    assert client.post(reverse("dashboard:meeting_start"), {"team": empty.pk}).status_code == 403


def test_the_add_project_form_explains_an_empty_team_list(db: None) -> None:
    client = Client()
    client.force_login(User.objects.create_user("lone"))
    page = client.get(reverse("dashboard:project_add")).content.decode()
    assert "You are in no team yet" in page and 'id="team-hint"' in page


def test_the_demo_team_holds_the_login(db: None) -> None:
    admin = User.objects.create_superuser("admin", "", "pw")
    project = Project.objects.create(name="demo", slug="demo", repo_url="/nonexistent")
    team = demo_team(project)
    project.refresh_from_db()
    assert project.team == team and team.user_set.filter(pk=admin.pk).exists()
    assert meeting_readiness(admin, Group.objects.all()).ready


def test_settings_edit_repository_branch_and_team_with_the_add_form_checks(
    member_client: Client, member: User, project_factory: Callable[..., Project], tmp_path: object
) -> None:
    project = project_factory(name="shop")
    other = Group.objects.create(name="platform")
    member.groups.add(other)
    url = reverse("dashboard:project_repository", args=[project.slug])
    bad = member_client.post(
        url,
        {
            "repo_url": "https://user:s3cret@127.0.0.1/x.git",
            "branch": "main",
            "team": project.team_id,
        },
    )
    assert bad.status_code == 400 and "s3cret" not in bad.content.decode()
    bad_branch = member_client.post(
        url, {"repo_url": "https://example.com/x.git", "branch": "-x", "team": project.team_id}
    )
    assert bad_branch.status_code == 400
    project.refresh_from_db()
    assert project.repo_url == "/nonexistent"
    ok = member_client.post(
        url, {"repo_url": "https://example.com/shop.git", "branch": "release", "team": other.pk}
    )
    assert ok.status_code == 302
    project.refresh_from_db()
    assert (project.repo_url, project.branch, project.team) == (
        "https://example.com/shop.git",
        "release",
        other,
    )
    # A team that already has a project of that name is refused.
    Project.objects.create(
        name="shop", slug="shop-2", repo_url="/nonexistent", team=Group.objects.get(name="backend")
    )
    clash = member_client.post(
        url,
        {
            "repo_url": "https://example.com/shop.git",
            "branch": "",
            "team": Group.objects.get(name="backend").pk,
        },
    )
    assert clash.status_code == 400 and "already has a project" in clash.content.decode()


def test_deleting_a_project_asks_for_its_name(
    member_client: Client, project_factory: Callable[..., Project], outsider_client: Client
) -> None:
    project = project_factory(name="shop")
    make_findings(project, 3)
    schedules.set_schedule(project, schedules.Schedule("interval", every_minutes=30))
    url = reverse("dashboard:project_delete", args=[project.slug])
    assert outsider_client.post(url, {"confirm": "shop"}).status_code == 404
    wrong = member_client.post(url, {"confirm": "sho"})
    assert wrong.status_code == 400 and "Type shop exactly" in wrong.content.decode()
    assert Project.objects.filter(pk=project.pk).exists()
    assert member_client.post(url, {"confirm": "shop"}).status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists()
    assert not Finding.objects.exists() and not PeriodicTask.objects.exists()


def test_the_settings_page_shows_the_schedules_last_and_next_run(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory(name="shop")
    url = reverse("dashboard:project_settings", args=[project.slug])
    page = member_client.get(url).content.decode()
    assert '<span id="schedule-last">never</span>' in page and "not scheduled" in page
    schedules.set_schedule(project, schedules.Schedule("interval", every_minutes=30))
    last = timezone.now() - timedelta(minutes=10)
    PeriodicTask.objects.filter(pk=project.schedule_id).update(last_run_at=last)
    project.refresh_from_db()
    runs = schedules.runs(project)
    assert runs.last == last and runs.next is not None
    start = project.schedule.start_time  # type: ignore[union-attr]
    expected = max(last + timedelta(minutes=30), start) if start else last + timedelta(minutes=30)
    assert abs((runs.next - expected).total_seconds()) < 5
    page = member_client.get(url).content.decode()
    assert f'<span id="schedule-last">{last:%Y-%m-%d %H:%M}' in page
    assert f'<span id="schedule-next">{runs.next:%Y-%m-%d %H:%M}' in page


def test_error_pages_are_in_the_layout(
    member_client: Client,
    settings: object,
    outsider_client: Client,
    project_factory: Callable[..., Project],
) -> None:
    settings.DEBUG = False  # type: ignore[attr-defined]
    missing = member_client.get("/no/such/page/")
    assert missing.status_code == 404
    body = missing.content.decode()
    assert 'class="topbar"' in body and "Not found" in body and 'href="/meetings/"' in body
    project = project_factory(name="shop")
    staff = Client()
    staff.force_login(User.objects.create_user("auditor", is_staff=True))
    denied = staff.get(reverse("dashboard:project_settings", args=[project.slug]))
    assert (
        denied.status_code == 403
        and "Not allowed" in denied.content.decode()
        and 'class="topbar"' in denied.content.decode()
    )
    bad = member_client.get(reverse("dashboard:meeting_group", args=[1, "AS001"]) + "?page=x")
    assert bad.status_code in (400, 404)
    bad = member_client.get(reverse("dashboard:projects") + "?q=%00")
    assert (
        bad.status_code == 400
        and 'class="topbar"' in bad.content.decode()
        and "Bad request" in bad.content.decode()
    )
    settings.ROOT_URLCONF = "tests.meetings.urls_with_failure"  # type: ignore[attr-defined]
    failing = Client(raise_request_exception=False)
    failing.force_login(User.objects.get(username="member"))
    broken = failing.get("/boom/")
    assert broken.status_code == 500
    assert (
        "Something went wrong" in broken.content.decode()
        and 'class="topbar"' in broken.content.decode()
    )
    assert "a bug in a view" not in broken.content.decode()


def test_the_favicon_is_served_from_our_static_files(member_client: Client) -> None:
    page = member_client.get(reverse("dashboard:projects")).content.decode()
    assert '<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">' in page


def test_bulk_triage_with_nothing_selected_says_so_inline(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory(name="shop")
    make_findings(project, 2)
    url = reverse("dashboard:bulk_triage", args=[project.slug])
    inline = member_client.post(url, {"action": "acknowledge"}, HTTP_HX_REQUEST="true")
    assert (
        inline.status_code == 200
        and inline.content.decode() == "Select at least one finding first (tick its box)."
    )
    plain = member_client.post(url, {"action": "acknowledge"}, follow=True)
    assert "Select at least one finding first" in plain.content.decode()
    one = Finding.objects.filter(project=project).first()
    assert one is not None
    done = member_client.post(
        url, {"action": "acknowledge", "finding": one.pk}, HTTP_HX_REQUEST="true"
    )
    assert done["HX-Redirect"] == project.get_absolute_url()
    page = member_client.get(project.get_absolute_url()).content.decode()
    assert 'hx-target="#bulk-triage-message"' in page


def test_the_overview_names_failing_scans_and_shows_a_dash_without_counts(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project_factory(name="fresh")
    failed = project_factory(name="broken")
    scan = make_scan(failed, status=Scan.Status.FAILED)
    Project.objects.filter(pk=failed.pk).update(last_scan=scan)
    page = member_client.get(reverse("dashboard:projects")).content.decode()
    assert "Only projects with failing scans" in page and "with problems" not in page
    for name in ("fresh", "broken"):
        row = next(r for r in page.split("<tr")[1:] if f">{name}</a>" in r)
        assert row.count('class="num no-counts"') == 5 and ">0<" not in row


def test_the_admin_says_scan_summaries(db: None) -> None:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.invalid", "pw"))
    assert "Scan summaries" in client.get("/admin/").content.decode()


@pytest.mark.parametrize("offset_minutes", [5, 25, 29])
def test_next_run_is_one_period_after_the_last_whatever_the_projects_offset(
    project_factory: Callable[..., Project], offset_minutes: int
) -> None:
    # The spread start lies inside the next period (it depends on the project id): the
    # next run is one period after the last, or the start when that is later.
    project = project_factory(name=f"shop-{offset_minutes}")
    schedules.set_schedule(project, schedules.Schedule("interval", every_minutes=30))
    now = timezone.now()
    last = now - timedelta(minutes=10)
    start = now + timedelta(minutes=offset_minutes)
    PeriodicTask.objects.filter(pk=project.schedule_id).update(last_run_at=last, start_time=start)
    project.refresh_from_db()
    assert schedules.runs(project, now).next == max(last + timedelta(minutes=30), start)
