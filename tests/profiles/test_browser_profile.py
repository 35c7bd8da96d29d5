"""In Chromium: a member edits the quality profile on the settings page (a bad glob is
refused with a clear error, a good profile is saved as a version), the next scan through
the real code path applies it, and the project page's context filter and facet narrow the
findings to one code context."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from reviewer.models import Finding, Project, QualityProfileVersion, Scan
from reviewer.scanning import request_scan, run_scan
from tests.browser import login, screenshot
from tests.conftest import GitRepo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLEEPY = "import time\n\n\nasync def handler():\n    time.sleep(1)\n    return 1\n"
# Tests and scripts: AS001 stays quiet there (nothing else waits on their loop); PD005
# is reported (docs/severity.md).
TESTY = (
    "from pydantic import BaseSettings\n\n\n"
    "class Settings(BaseSettings):\n    debug: bool = False\n"
)


def scan_now(project: Project) -> Scan:
    scan, _ = request_scan(project, Scan.Trigger.CLI)
    run_scan(scan.pk)
    scan.refresh_from_db()
    assert scan.status == Scan.Status.SUCCEEDED, scan.error
    return scan


def test_edit_the_profile_then_filter_the_findings_by_context(
    live_server: object,
    browser: object,
    member: User,
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
) -> None:
    repo = make_repo("r")
    repo.commit(
        {
            "app/main.py": SLEEPY,
            "tests/test_main.py": TESTY,
            "scripts/seed.py": TESTY,
        }
    )
    project = project_factory(name="shop", repo_url=str(repo.path))
    scan_now(project)
    base = live_server.url  # type: ignore[attr-defined]
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, base)

    # The context filter and facet on the project page.
    page.goto(f"{base}{project.get_absolute_url()}")
    rows = page.locator("tr.finding")
    expect(rows).to_have_count(Finding.objects.visible().filter(project=project).count())
    facet = page.locator("#facet-context")
    expect(facet).to_contain_text("Test")
    expect(facet).to_contain_text("Production")
    page.select_option("select[name=context]", "test")
    expect(rows).to_have_count(
        Finding.objects.visible().filter(project=project, context="test").count()
    )
    for cell in page.locator("tr.finding td:nth-child(4) code").all_text_contents():
        assert cell.startswith("tests/"), cell
    assert "context=test" in page.url
    page.click("#facet-context a[data-value=production]")
    expect(rows).to_have_count(1)
    expect(page.locator("tr.finding")).to_contain_text("app/main.py")
    screenshot(page, "project-context-filter")

    # Edit the team's profile: a bad glob is refused, then a good profile is saved.
    page.goto(f"{base}/projects/{project.slug}/settings/")
    expect(page.locator("#profile-in-effect")).to_contain_text("built-in default")
    page.fill("#profile-form textarea[name=exclude]", "tests/[oops")
    page.click("#profile-save")
    expect(page.locator("#profile-form .errorlist")).to_contain_text("unclosed")
    assert not QualityProfileVersion.objects.exists()
    page.fill("#profile-form textarea[name=exclude]", "tests/**")
    page.fill("#profile-form textarea[name=severity]", "AS001 = important")
    page.fill("#profile-form input[name=comment]", "no test noise")
    page.click("#profile-save")
    expect(page.locator("#profile-in-effect")).to_contain_text("version 1")
    expect(page.locator("#profile-versions")).to_contain_text("excluded: tests/**")
    screenshot(page, "project-settings-profile")

    # The next scan applies it: the test findings are excluded (not fixed).
    scan = scan_now(project)
    assert scan.profile_version is not None and scan.profile_version.number == 1
    page.goto(f"{base}{project.get_absolute_url()}?status=excluded")
    expect(rows).to_have_count(Finding.objects.filter(project=project, status="excluded").count())
    for cell in page.locator("tr.finding td:nth-child(4) code").all_text_contents():
        assert cell.startswith("tests/"), cell
    page.goto(f"{base}/projects/{project.slug}/scans/{scan.pk}/")
    expect(page.locator("#scan-profile")).to_contain_text("version 1")
    expect(page.locator("#excluded")).to_contain_text("tests/test_main.py")
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()
