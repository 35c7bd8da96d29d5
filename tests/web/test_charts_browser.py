"""Charts people can read, in Chromium at 1366 and 1024 px: one small chart per severity
on its own scale (1,812 suggestions no longer flatten 64 criticals), a marker per point
with its value as the hover title, labelled axes, x labels on the bar chart, numbers in
"month over month", full-width charts and no horizontal overflow."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import expect

from reviewer.models import Project, Scan, ScanSummary
from tests.browser import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1366, 1024]
#: Eight weeks of a big project: (critical, important, suggestion, new, fixed).
WEEKS = [
    (40, 300, 1700, 30, 10),
    (44, 310, 1720, 25, 12),
    (51, 305, 1750, 40, 20),
    (55, 320, 1760, 22, 18),
    (58, 330, 1790, 35, 15),
    (60, 335, 1800, 28, 30),
    (62, 340, 1805, 20, 25),
    (64, 342, 1812, 18, 22),
]


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def page(
    request: pytest.FixtureRequest, browser: Any, live_server: Any, member: User
) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    page = context.new_page()
    page.width = request.param
    login(page, live_server.url)
    yield page
    context.close()


def history(project: Project) -> None:
    now = timezone.now()
    for i, (crit, imp, sug, new, fixed) in enumerate(WEEKS):
        when = now - timedelta(weeks=len(WEEKS) - 1 - i)
        scan = Scan.objects.create(project=project, status=Scan.Status.SUCCEEDED)
        Scan.objects.filter(pk=scan.pk).update(created_at=when)
        row = ScanSummary.objects.create(
            scan=scan,
            project=project,
            created_at=when,
            open_critical=crit,
            open_important=imp,
            open_suggestion=sug,
            new_count=new,
            fixed_count=fixed,
            debt_minutes=600 + 60 * i,
            by_debt_kind={"pydantic": {"count": 20 + i, "minutes": 600 + 60 * i}},
        )
        Project.objects.filter(pk=project.pk).update(latest_summary=row, last_scan=scan)


def test_trends_charts_are_readable(
    page: Any, live_server: Any, project_factory: Callable[..., Project]
) -> None:
    history(project_factory(name="shop"))
    quiet = project_factory(name="quiet")
    history(quiet)
    ScanSummary.objects.filter(project=quiet).update(open_critical=5, open_important=0)
    page.goto(f"{live_server.url}/trends/")
    charts = page.locator("#charts")
    multiples = page.locator("#open-charts svg")
    expect(multiples).to_have_count(3)

    # The critical chart uses its own scale: its line spans most of the plot's height.
    critical = multiples.nth(0)
    points = [
        float(p.split(",")[1])
        for p in (critical.locator("polyline").get_attribute("points") or "").split()
    ]
    assert len(points) == 8
    assert max(points) - min(points) > 40  # of a 170-unit plot; one shared axis gave ~1
    titles = critical.locator("circle.marker title").all_text_contents()
    assert len(titles) == 8 and titles[-1].endswith("Critical 69")  # 64 + 5
    assert "Suggestion 3624" in multiples.nth(2).locator("circle.marker title").last.text_content()
    # Labelled axes, x labels on every chart, the bar chart included.
    for svg in (critical, charts.locator("svg").nth(3)):
        assert svg.locator("text.axis-title").count() == 2
        assert svg.locator("text.x-tick").count() >= 2
    bars = charts.locator("svg").nth(3)
    assert bars.locator("rect.s-new").count() == 8
    assert "week starting" in bars.locator("text.axis-title").all_text_contents()
    # Full width: the wide charts fill the content column.
    main_width = page.locator("main").bounding_box()["width"]
    assert bars.bounding_box()["width"] > 0.85 * main_width
    # Month over month with numbers.
    row = page.locator("#movement tr", has_text="shop")
    expect(row.locator("td.change")).to_have_text("▲ +83")  # 2,135 four weeks ago, 2,218 now
    scroll, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client
    screenshot(page, f"trends-{page.width}")

    # The range selector swaps the charts by HTMX and the new ones are drawn the same way.
    page.select_option("#range select[name=weeks]", "4")
    expect(charts).to_have_attribute("data-weeks", "4")
    expect(page.locator("#open-charts svg").nth(0).locator("circle.marker")).to_have_count(4)

    page.goto(f"{live_server.url}/projects/shop/trends/")
    expect(page.locator("#open-charts svg")).to_have_count(3)
    titles = page.locator("#open-charts svg").nth(0).locator("circle.marker title")
    expect(titles.last).to_contain_text("Critical 64")
    screenshot(page, f"project-trends-{page.width}")
