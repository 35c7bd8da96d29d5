"""Trends and migration debt in Chromium: the charts' points are the summaries the test
wrote, the range selector swaps the charts by HTMX, a debt cell drills down."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from reviewer.models import Project
from tests.browser import login, screenshot
from tests.web.test_trends_debt import NOW, summary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_charts_show_the_summaries_and_the_range_selector_swaps_them(
    live_server: object,
    browser: object,
    member: User,
    project_factory: Callable[..., Project],
) -> None:
    project = project_factory(name="shop")
    summary(project, NOW - timedelta(weeks=2), critical=3, new=3, pydantic_minutes=120)
    summary(project, NOW, critical=1, new=1, fixed=3, pydantic_minutes=60)
    base = live_server.url  # type: ignore[attr-defined]
    page = browser.new_page()  # type: ignore[attr-defined]
    login(page, base)

    page.click("nav >> text=Trends")
    charts = page.locator("#charts")
    expect(charts).to_have_attribute("data-weeks", "12")
    critical = charts.locator("polyline.s-critical").first
    expect(critical).to_have_count(1)
    # A point for each week since the first summary (weeks before it have no data).
    assert len((critical.get_attribute("points") or "").split()) == 3
    expect(charts.locator("rect.s-new")).to_have_count(3)
    expect(charts.locator("rect.s-fixed title").last).to_contain_text("Fixed 3")
    expect(charts.locator("rect.s-new title").last).to_contain_text("New 1")
    screenshot(page, "trends")

    page.evaluate("window.__marker = 1")  # gone if the page reloads
    page.select_option("#range select[name=weeks]", "4")
    expect(charts).to_have_attribute("data-weeks", "4")
    assert (
        len((charts.locator("polyline.s-critical").first.get_attribute("points") or "").split())
        == 3
    )
    assert "weeks=4" in page.url and page.evaluate("window.__marker") == 1

    page.click("nav >> text=Migration debt")
    cell = page.locator("#debt-matrix a[href$='?debt_kind=pydantic']")
    expect(cell).to_contain_text("2 · 1.0 h")
    expect(page.locator("#debt-matrix svg.spark polyline").first).to_be_attached()
    screenshot(page, "debt")
    cell.click()
    page.wait_for_url(f"{base}/projects/shop/?debt_kind=pydantic")
    page.close()
