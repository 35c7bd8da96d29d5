"""Live progress in Chromium at 1366 and 1024 px: pages that show a scan or an onboarding
poll every two seconds while something is under way, show what is happening (cloning,
a week of the history, file x of y), stop polling when it is done and update without a
reload — including right after "Add project", with a real Celery worker."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from reviewer.models import Finding, Project, Scan
from reviewer.progress import FileProgress
from tests.browser import login, screenshot
from tests.conftest import GitRepo
from tests.factories import make_findings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1366, 1024]
SERVICE = """\
import time


async def handler():
    time.sleep(1)
"""


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def width(request: pytest.FixtureRequest) -> int:
    return int(request.param)


@pytest.fixture
def page(browser: Any, live_server: Any, member: User, width: int) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    login(page, live_server.url)
    yield page
    context.close()


def no_overflow(page: Any) -> None:
    scroll, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"horizontal overflow: {scroll} > {client}"


def mark_no_reload(page: Any) -> None:
    page.evaluate("() => { window.sameDocument = true }")


def assert_not_reloaded(page: Any) -> None:
    assert page.evaluate("() => window.sameDocument") is True


def running_scan(project: Project, message: str = "Fetching the repository") -> Scan:
    scan = Scan.objects.create(
        project=project, status=Scan.Status.RUNNING, progress=5, progress_message=message
    )
    Project.objects.filter(pk=project.pk).update(last_scan=scan)
    return scan


def finish(scan: Scan) -> None:
    Scan.objects.filter(pk=scan.pk).update(status=Scan.Status.SUCCEEDED, progress=100)


def test_the_project_page_follows_a_scan_and_stops_polling(
    page: Any, live_server: Any, project_factory: Callable[..., Project], width: int
) -> None:
    project = project_factory(name="shop")
    scan = running_scan(project)
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    mark_no_reload(page)
    status = page.locator("#scan-status")
    expect(status).to_have_attribute("data-polling", "1")
    expect(page.locator("#progress-message")).to_have_text("Fetching the repository")
    FileProgress(scan.pk)(3, 10)  # what the worker writes while the engine reviews
    expect(page.locator("#progress-message")).to_have_text("reviewing file 3 of 10")
    assert page.locator("#scan-status progress").get_attribute("value") == "45"
    no_overflow(page)
    screenshot(page, f"progress-project-{width}")
    make_findings(project, 3, scan=scan)
    finish(scan)
    expect(status).to_contain_text("Succeeded")
    expect(status).not_to_have_attribute("data-polling", "1")
    # The findings list reloaded itself when the scan finished.
    expect(page.locator("#match-count")).to_contain_text("3 findings match")
    assert_not_reloaded(page)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "progress" in r.url else None)
    page.wait_for_timeout(2.5 * settings.REVIEWDECK_POLL_MS)  # two and a half polls
    assert requests == []  # polling stopped


def test_the_overview_and_scan_pages_follow_scans(
    page: Any, live_server: Any, project_factory: Callable[..., Project], width: int
) -> None:
    busy = project_factory(name="busy")
    project_factory(name="idle")
    scan = running_scan(busy, "History, week 3 of 12 (2026-10-12): reviewing file 40 of 90")
    # Added yesterday and never scanned: not onboarding any more (nothing to poll for).
    Project.objects.filter(name="idle").update(
        clone_state=Project.CloneState.READY, created_at=timezone.now() - timedelta(days=1)
    )
    page.goto(f"{live_server.url}/")
    mark_no_reload(page)
    table = page.locator("#projects-table")
    expect(table).to_have_attribute("data-polling", "1")
    expect(table).to_contain_text("week 3 of 12")
    no_overflow(page)
    screenshot(page, f"progress-overview-{width}")
    finish(scan)
    expect(table).not_to_have_attribute("data-polling", "1")
    expect(table.locator(".project-row").first).to_contain_text("Succeeded")
    assert_not_reloaded(page)

    second = running_scan(busy, "Reviewing the code")
    page.goto(f"{live_server.url}/projects/busy/scans/{second.pk}/")
    mark_no_reload(page)
    expect(page.locator("#progress-message")).to_have_text("Reviewing the code")
    page.goto(f"{live_server.url}/projects/busy/scans/")
    mark_no_reload(page)
    expect(page.locator("#scans-table")).to_contain_text("Reviewing the code")
    finish(second)
    expect(page.locator("#scans-table")).not_to_have_attribute("data-polling", "1")
    expect(page.locator("#scans-table .scan-row").first).to_contain_text("Succeeded")
    assert_not_reloaded(page)


def test_a_history_backfilled_from_the_command_line_is_not_setting_up(
    page: Any, live_server: Any, project_factory: Callable[..., Project], width: int
) -> None:
    """``add_project`` then ``backfill``: added minutes ago, no regular scan, but nothing
    is under way any more; the pages must neither say "Setting up" nor poll."""
    project = project_factory(name="history", clone_state=Project.CloneState.READY)
    for days in (14, 7):
        scan = Scan.objects.create(
            project=project,
            trigger=Scan.Trigger.BACKFILL,
            status=Scan.Status.SUCCEEDED,
            progress=100,
        )
        Scan.objects.filter(pk=scan.pk).update(created_at=timezone.now() - timedelta(days=days))
    Project.objects.filter(pk=project.pk).update(backfill_note="2 week(s) backfilled")
    page.goto(f"{live_server.url}/")
    table = page.locator("#projects-table")
    expect(table).to_contain_text("history")
    expect(table).not_to_have_attribute("data-polling", "1")
    expect(table).not_to_contain_text("Setting up")
    expect(table).not_to_contain_text("Cloning")
    expect(table).to_contain_text("history only, no scan yet")
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    status = page.locator("#scan-status")
    expect(status).not_to_have_attribute("data-polling", "1")
    expect(status).not_to_contain_text("Setting up")
    no_overflow(page)


@pytest.fixture
def slow_worker(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    """A real Celery worker whose scans pause a little, so their progress can be seen."""
    from django.conf import settings

    from tests.processes import current_database_url, product_env, worker_process

    env = product_env(
        DATABASE_URL=current_database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        REVIEWDECK_WORKDIR=str(settings.REVIEWDECK_WORKDIR),
        REVIEWDECK_RUFF="0",
        REVIEWDECK_SCAN_DELAY_SECONDS="2",  # four polls of the page (tests/settings.py)
    )
    with worker_process(env, tmp_path / "worker.log"):
        yield


def test_after_add_project_the_page_updates_on_its_own(
    page: Any,
    live_server: Any,
    workdir: Path,
    slow_worker: None,
    team: Group,
    tmp_path: Path,
    width: int,
) -> None:
    repo = GitRepo(tmp_path / "repos" / "orders")
    repo.commit({"app/service.py": SERVICE}, "first")
    with override_settings(REVIEWDECK_LOCAL_REPO_ROOTS=[tmp_path.resolve()]):
        page.goto(f"{live_server.url}/projects/add/")
        page.fill("input[name=name]", "orders")
        page.fill("input[name=repo_url]", str(repo.path))
        page.select_option("select[name=team]", str(team.pk))
        page.click("main button[type=submit]")
        page.wait_for_url("**/projects/orders/")
    mark_no_reload(page)
    status = page.locator("#scan-status")
    seen: set[str] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        text = status.inner_text()
        if page.locator("#progress-message").count():
            seen.add(page.locator("#progress-message").inner_text())
        if "Succeeded" in text:
            break
        page.wait_for_timeout(300)
    assert "Succeeded" in status.inner_text(), seen
    assert any("History, week 1 of 1" in m or "Reviewing" in m or "Cloning" in m for m in seen)
    expect(page.locator("#match-count")).to_contain_text("1 finding match")
    assert Finding.objects.filter(project__name="orders", rule_id="AS001").exists()
    assert_not_reloaded(page)
    screenshot(page, f"progress-added-project-{width}")
