"""Each page of this work in real Chromium at 1366 and 1024 px: the 400-finding meeting
(groups, paging, group and row decisions, comments, closing, carried actions), the Teams
page, the settings page, error pages, the inline bulk-triage message, the overview.
Screenshots go to test-artifacts/ (not committed)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Page, expect

from reviewer.models import Finding, Project, Scan
from tests.browser import login, screenshot
from tests.factories import make_findings, make_scan
from tests.meetings.conftest import RULES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [1366, 1024]


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def width(request: pytest.FixtureRequest) -> int:
    return int(request.param)


@pytest.fixture
def page(browser: object, width: int) -> Iterator[Page]:
    page = browser.new_page(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    yield page
    page.close()


def no_sideways_scroll(page: Page) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= page.viewport_size["width"], wide  # type: ignore[index]


def test_the_meeting_with_400_findings(
    live_server: object, page: Page, width: int, team: Group, member: User, busy_week: Project
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    login(page, base)
    page.goto(f"{base}/meetings/")
    page.click("#start-meeting button")
    expect(page.locator("#new-findings h2")).to_contain_text("(400)")
    expect(page.locator(".rule-group")).to_have_count(len(RULES))
    no_sideways_scroll(page)
    screenshot(page, f"meeting-groups-{width}")

    # Open a group: its 25 rows load, one line each at 1366 px.
    page.click("#group-SA007 summary")
    rows = page.locator("#items-SA007 tr.meeting-finding")
    expect(rows).to_have_count(25)
    heights = [rows.nth(i).bounding_box()["height"] for i in range(3)]  # type: ignore[index]
    if width == 1366:
        assert max(heights) < 40, heights  # one line per finding
    else:
        assert max(heights) < 80, heights
    no_sideways_scroll(page)
    screenshot(page, f"meeting-group-open-{width}")

    # A comment and a decision on one finding, in place.
    first = rows.first
    first.locator("select[name=action]").select_option("acknowledge")
    first.locator("input[name=comment]").fill("Ana pairs on it")
    first.locator("button[type=submit]").click()
    expect(
        page.locator("#items-SA007 tr.meeting-finding").first.locator(".triage-state")
    ).to_contain_text("Acknowledged")
    expect(page.locator("#items-SA007 tr.meeting-finding").first).to_contain_text(
        "“Ana pairs on it”"
    )

    # The whole group at once.
    decide = page.locator("#group-SA007 form.group-decide")
    decide.locator("select[name=action]").select_option("wont_fix")
    decide.locator("select[name=assignee]").select_option("ana")
    decide.locator("button").click()
    expect(page.locator("#group-message-SA007")).to_have_text("Decided for 25 findings.")
    expect(page.locator("#items-SA007 .triage-state").last).to_contain_text("Won't fix · ana")
    assert Finding.objects.filter(rule_id="SA007", triage="wont_fix").count() == 25

    # Paging inside a bigger group: make AS001 55 findings, then page to the end.
    as001 = Finding.objects.filter(rule_id="AS001").select_related("first_seen_scan").first()
    assert as001 is not None
    make_findings(
        busy_week, 30, scan=as001.first_seen_scan, rule_id="AS001", severity=1, path="zz/last.py"
    )
    page.reload()
    page.click("#group-AS001 summary")
    expect(page.locator("#items-AS001 tr.meeting-finding")).to_have_count(50)
    page.click("#items-AS001 .group-next")
    expect(page.locator("#items-AS001 tr.meeting-finding")).to_have_count(5)
    expect(page.locator("#items-AS001 .group-position")).to_have_text("51\u201355")
    expect(page.locator("#items-AS001 .group-prev")).to_be_visible()

    # Close it: the page becomes a record.
    page.fill("textarea[name=decisions]", "SA007 is accepted risk")
    page.check("input[name=closed]")
    page.click("#notes button[type=submit]")
    expect(page.locator("#closed-note")).to_be_visible()
    expect(page.locator("form.group-decide")).to_have_count(0)
    expect(page.locator("#decisions-record")).to_have_text("SA007 is accepted risk")
    screenshot(page, f"meeting-closed-{width}")

    # The next meeting carries the decisions with their status.
    Finding.objects.filter(pk__in=Finding.objects.filter(rule_id="SA007").values("pk")[:5]).update(
        status=Finding.Status.FIXED
    )
    page.goto(f"{base}/meetings/")
    page.click("#start-meeting button")
    actions = page.locator("#open-actions")
    expect(actions).to_contain_text("Open actions from last time")
    expect(actions.locator("tr.carried", has_text="Won't fix")).to_contain_text(
        "20 of 25 still open · 5 fixed"
    )
    expect(actions).to_contain_text("Ana pairs on it")
    no_sideways_scroll(page)
    screenshot(page, f"meeting-next-{width}")


def test_teams_page_and_a_meeting_that_cannot_start(
    live_server: object, page: Page, width: int, db: None
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    User.objects.create_user("lead", password="pw-lead-1", is_staff=True)
    User.objects.create_user("ana", password="pw-ana-1")
    orphan = Project.objects.create(name="orphan", slug="orphan", repo_url="/nonexistent")
    login(page, base, "lead", "pw-lead-1")
    page.goto(f"{base}/meetings/")
    expect(page.locator("#cannot-start")).to_contain_text("You are not in a team yet")
    page.goto(f"{base}/projects/add/")
    expect(page.locator("main form")).to_contain_text("You are in no team yet")
    page.goto(f"{base}/teams/")
    page.fill("#team-add input[name=name]", "platform")
    page.click("#team-add button")
    row = page.locator("#teams tr", has_text="platform")
    row.locator("input[name=username]").fill("ana")
    row.locator(".add-member button").click()
    row = page.locator("#teams tr", has_text="platform")
    expect(row.locator(".team-members")).to_contain_text("ana")
    row.locator(".add-member input[name=username]").fill("lead")
    row.locator(".add-member button").click()
    page.locator("#teams tr", has_text="platform").locator(".give-project select").select_option(
        str(orphan.pk)
    )
    page.locator("#teams tr", has_text="platform").locator(".give-project button").click()
    expect(
        page.locator("#teams tr", has_text="platform").locator(".team-projects")
    ).to_contain_text("orphan")
    # Nothing left to give: no empty menu.
    expect(page.locator("#teams tr", has_text="platform").locator(".give-project")).to_have_count(0)
    no_sideways_scroll(page)
    screenshot(page, f"teams-{width}")
    page.goto(f"{base}/meetings/")
    expect(page.locator("#start-meeting")).to_be_visible()
    page.click("#start-meeting button")
    expect(page.locator("h1")).to_contain_text("platform review")


def test_settings_page_repository_schedule_and_deletion(
    live_server: object,
    page: Page,
    width: int,
    member: User,
    project_factory: Callable[..., Project],
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    project = project_factory(name="shop", repo_url="https://example.com/shop.git")
    login(page, base)
    page.goto(f"{base}/projects/shop/settings/")
    expect(page).to_have_title("Settings · shop · Reviewdeck")
    expect(page.locator("#schedule-runs")).to_contain_text("last run never")
    page.fill("#id_repo_url", "https://user:hunter2@10.0.0.1/shop.git")
    page.click("#repository-save")
    expect(page.locator("#project-repository .errorlist")).to_be_visible()
    assert "hunter2" not in page.content()
    page.fill("#id_repo_url", "https://example.com/shop-v2.git")
    page.fill("#id_branch", "release")
    page.click("#repository-save")
    expect(page.locator(".messages")).to_contain_text("Saved")
    project.refresh_from_db()
    assert (project.repo_url, project.branch) == ("https://example.com/shop-v2.git", "release")
    no_sideways_scroll(page)
    screenshot(page, f"settings-{width}")
    page.fill("#id_confirm", "shpo")
    page.click("#delete-project")
    expect(page.locator("#project-delete .errorlist")).to_contain_text("Type shop exactly")
    page.fill("#id_confirm", "shop")
    page.click("#delete-project")
    expect(page.locator(".messages")).to_contain_text("Deleted shop")
    assert not Project.objects.filter(slug="shop").exists()


def test_error_pages_favicon_bulk_message_and_overview(
    settings: object,
    live_server: object,
    page: Page,
    width: int,
    member: User,
    project_factory: Callable[..., Project],
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    shop = project_factory(name="shop")
    make_findings(shop, 3)
    broken = project_factory(name="broken")
    Project.objects.filter(pk=broken.pk).update(
        last_scan=make_scan(broken, status=Scan.Status.FAILED)
    )
    project_factory(name="fresh")
    login(page, base)
    expect(page.locator("#projects")).to_contain_text("fresh")
    expect(page.locator("label", has_text="Only projects with failing scans")).to_be_visible()
    expect(page.locator("tr", has_text="fresh").locator(".no-counts").first).to_have_text("—")
    no_sideways_scroll(page)
    screenshot(page, f"overview-{width}")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon and icon.endswith(".svg")
    fetched = page.request.get(f"{base}{icon}")
    assert fetched.status == 200 and b"<svg" in fetched.body()

    response = page.goto(f"{base}/projects/nope/")
    assert response is not None and response.status == 404
    expect(page.locator("#error-page h1")).to_have_text("Not found")
    expect(page.locator("header.topbar nav")).to_contain_text("Meetings")
    screenshot(page, f"error-404-{width}")
    response = page.goto(f"{base}/projects/?q=%00")
    assert response is not None and response.status == 400
    expect(page.locator("#error-page h1")).to_have_text("Bad request")
    settings.ROOT_URLCONF = "tests.meetings.urls_with_failure"  # type: ignore[attr-defined]
    response = page.goto(f"{base}/boom/")
    assert response is not None and response.status == 500
    expect(page.locator("#error-page h1")).to_have_text("Something went wrong")
    expect(page.locator("header.topbar nav")).to_contain_text("Projects")
    assert "a bug in a view" not in page.content()
    screenshot(page, f"error-500-{width}")
    settings.ROOT_URLCONF = "dashboard.urls"  # type: ignore[attr-defined]

    page.goto(f"{base}/projects/shop/")
    page.evaluate("window.__marker = 1")
    page.click("#bulk-apply")
    expect(page.locator("#bulk-triage-message")).to_have_text(
        "Select at least one finding first (tick its box)."
    )
    assert page.evaluate("window.__marker") == 1  # said in place, no 400 page
    screenshot(page, f"bulk-nothing-selected-{width}")
