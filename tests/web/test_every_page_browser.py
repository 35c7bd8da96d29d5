"""Every page in Chromium at the two widths people use (a laptop's 1366 px and a small
window's 1024 px): each one answers, fits the width (no sideways scrolling), logs no
browser error, and leaves a screenshot in test-artifacts/pages/ to look at."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from reviewer.models import Finding, Project, Severity
from tests.browser import login, screenshot
from tests.factories import make_findings
from tests.web.test_trends_debt import NOW, summary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1366, 1024)


def test_every_page_fits_both_widths_and_is_photographed(
    live_server: object,
    browser: object,
    member: User,
    project_factory: Callable[..., Project],
) -> None:
    project = project_factory(name="shop")
    summary(project, NOW - timedelta(weeks=3), critical=2, new=2, pydantic_minutes=120)
    latest = summary(project, NOW - timedelta(hours=1), critical=1, new=3, fixed=1)
    scan = latest.scan
    make_findings(project, 3, scan=scan, severity=Severity.CRITICAL, rule_id="AS001")
    long_path = "src/app/migrations/versions/2024_06_15_0a1b2c3d4e5f_add_a_rather_long_name.py"
    make_findings(project, 4, scan=scan, rule_id="AL002", category="alembic", path=long_path)
    finding = Finding.objects.filter(project=project).order_by("id").first()
    assert finding is not None
    base = live_server.url  # type: ignore[attr-defined]

    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 800})  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, base)
    page.goto(f"{base}/meetings/")
    page.get_by_role("button", name="Start a meeting").click()
    expect(page.locator("#new-findings")).to_be_visible()
    meeting_url = page.url.removeprefix(base)

    pages = {
        "overview": "/",
        "project": project.get_absolute_url(),
        "project-filtered": f"{project.get_absolute_url()}?severity=critical&path=!tests/",
        "finding": finding.get_absolute_url(),
        "project-trends": f"{project.get_absolute_url()}trends/",
        "project-settings": f"{project.get_absolute_url()}settings/",
        "scans": f"{project.get_absolute_url()}scans/",
        "scan": f"{project.get_absolute_url()}scans/{scan.pk}/",
        "trends": "/trends/",
        "debt": "/debt/",
        "meetings": "/meetings/",
        "meeting": meeting_url,
        "teams": "/teams/",
        "agents": "/agents/",
        "api-tokens": "/account/tokens/",
    }
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for name, url in pages.items():
            response = page.goto(f"{base}{url}")
            assert response is not None and response.status == 200, (name, width)
            screenshot(page, f"pages/{name}-{width}")
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, f"{name} at {width} px is {wide} px wide"
        missing = page.goto(f"{base}/projects/no-such-project/")
        assert missing is not None and missing.status == 404
        expect(page.locator("h1")).to_have_text("Not found")
        screenshot(page, f"pages/not-found-{width}")
    # The only error the browser saw is the 404 asked for above.
    assert [e for e in errors if "404" not in e] == [], errors
    context.close()
