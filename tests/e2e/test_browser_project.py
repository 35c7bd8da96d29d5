"""The project page in a real browser: filters swap the findings without a reload."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from reviewer.models import Project, Severity
from tests.browser import login, screenshot
from tests.factories import make_findings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_severity_filter_swaps_findings_without_a_full_reload(
    live_server: object,
    browser: object,
    member: User,
    project_factory: Callable[..., Project],
) -> None:
    project = project_factory(name="shop")
    make_findings(project, 2, severity=Severity.CRITICAL, rule_id="AS001", category="asyncio")
    make_findings(project, 3)
    base = live_server.url  # type: ignore[attr-defined]
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, base, "member", "pw-member-1")
    page.goto(f"{base}{project.get_absolute_url()}")
    assert page.locator("tr.finding").count() == 5
    page.evaluate("window.__marker = 'still-here'")  # survives only if no full reload
    page.select_option("select[name=severity]", "critical")
    expect(page.locator("tr.finding")).to_have_count(2)
    assert page.evaluate("window.__marker") == "still-here"
    assert "severity=critical" in page.url
    screenshot(page, "project-filtered")
    page.go_back()
    expect(page.locator("tr.finding")).to_have_count(5)
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()
