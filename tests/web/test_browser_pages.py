"""The project page in Chromium: bulk triage of a filtered selection, keyset paging and
the back button."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from playwright.sync_api import expect

from reviewer.models import Finding, Project, Severity, TriageEvent
from tests.browser import login, screenshot
from tests.factories import make_findings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_page(browser: object, base: str) -> tuple[object, object, list[str]]:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, base)
    return context, page, errors


def test_bulk_triage_of_a_filtered_selection_moves_the_findings_out(
    live_server: object,
    browser: object,
    member: User,
    project_factory: Callable[..., Project],
) -> None:
    project = project_factory(name="shop")
    critical = make_findings(project, 3, severity=Severity.CRITICAL, rule_id="AS001")
    make_findings(project, 4)
    base = live_server.url  # type: ignore[attr-defined]
    context, page, errors = open_page(browser, base)
    page.goto(f"{base}{project.get_absolute_url()}")  # type: ignore[attr-defined]
    page.select_option("select[name=severity]", "critical")  # type: ignore[attr-defined]
    rows = page.locator("tr.finding")  # type: ignore[attr-defined]
    expect(rows).to_have_count(3)
    picked = critical[:2]
    for finding in picked:
        page.check(f"input[name=finding][value='{finding.pk}']")  # type: ignore[attr-defined]
    page.select_option("#bulk-triage select[name=action]", "false_positive")  # type: ignore[attr-defined]
    page.fill("#bulk-triage input[name=comment]", "test fixtures")  # type: ignore[attr-defined]
    page.click("#bulk-apply")  # type: ignore[attr-defined]
    expect(rows).to_have_count(1)
    assert "severity=critical" in page.url  # type: ignore[attr-defined]
    expect(page.get_by_text("Triaged 2 finding(s).")).to_be_visible()  # type: ignore[attr-defined]
    screenshot(page, "project-bulk-triaged")
    states = dict(Finding.objects.values_list("pk", "triage"))
    assert [states[f.pk] for f in critical] == ["false_positive", "false_positive", "open"]
    audit = TriageEvent.objects.order_by("id")
    assert [(e.finding_id, e.comment) for e in audit] == [(f.pk, "test fixtures") for f in picked]
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()  # type: ignore[attr-defined]


@override_settings(REVIEWDECK_PAGE_SIZE=3)
def test_next_page_and_back_button_walk_the_keyset_pages(
    live_server: object,
    browser: object,
    member: User,
    project_factory: Callable[..., Project],
) -> None:
    project = project_factory(name="shop")
    made = make_findings(project, 7, path="app/api.py")
    make_findings(project, 2, path="lib/other.py")
    base = live_server.url  # type: ignore[attr-defined]
    context, page, _ = open_page(browser, base)
    page.goto(f"{base}{project.get_absolute_url()}?path=app/")  # type: ignore[attr-defined]
    seen: list[str] = []
    rows = page.locator("tr.finding a")  # type: ignore[attr-defined]
    for expected in (3, 3, 1):
        expect(rows).to_have_count(expected)
        seen += rows.all_text_contents()
        if expected == 3:
            page.click("#next-page")  # type: ignore[attr-defined]
    assert sorted(seen) == sorted(f.title for f in made)
    assert page.locator("#next-page").count() == 0  # type: ignore[attr-defined]
    assert "path=app" in page.url  # type: ignore[attr-defined]
    page.go_back()  # type: ignore[attr-defined]
    expect(rows).to_have_count(3)
    assert rows.all_text_contents() == seen[3:6]
    context.close()  # type: ignore[attr-defined]


def test_the_project_links_sit_together(
    live_server: object, browser: object, member: User, project_factory: Callable[..., Project]
) -> None:
    project = project_factory(name="shop")
    base = live_server.url  # type: ignore[attr-defined]
    context = browser.new_context(viewport={"width": 1366, "height": 800})  # type: ignore[attr-defined]
    page = context.new_page()
    login(page, base)
    page.goto(f"{base}{project.get_absolute_url()}")
    boxes = [
        page.locator(f"#project-{name}-link").bounding_box()
        for name in ("settings", "agents", "webhook")
    ]
    gaps = [b["x"] - (a["x"] + a["width"]) for a, b in pairwise(boxes)]
    assert all(0 < gap < 40 for gap in gaps), gaps
    context.close()
