"""Browsing findings at real size, in Chromium at 1366 and 1024 px: facets that follow the
filters, exports that follow HTMX filter changes, select-all and "all matching" bulk
triage, previous/next paging with the position, Markdown messages (hostile ones too),
path exclusion, the finding page's triage header, and no horizontal overflow."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from reviewer.models import Finding, Project, Scan, ScanSummary, Severity, TriageEvent
from tests.browser import login, screenshot
from tests.factories import make_findings, make_scan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1366, 1024]
HOSTILE = (
    "Use `select()` instead of **Query**. <script>window.pwned = 1</script> "
    "[click](javascript:window.pwned=2) <img src=x onerror=window.pwned=3> "
    "[docs](https://docs.sqlalchemy.org/)"
)
LONG_PATH = (
    "services/billing/alembic/versions/2024_11_03_1542-7f3e9a1c2b4d_add_invoice_line_"
    "items_and_backfill_currency_codes.py"
)


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def width(request: pytest.FixtureRequest) -> int:
    return int(request.param)


@pytest.fixture
def page(browser: Any, live_server: Any, member: User, width: int) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server.url)
    yield page
    context.close()


def no_overflow(page: Any) -> None:
    scroll, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"horizontal overflow: {scroll} > {client}"


def seed(project: Project) -> dict[str, list[Finding]]:
    scan = make_scan(project)
    made = {
        "critical": make_findings(
            project, 4, scan=scan, severity=Severity.CRITICAL, rule_id="AS001",
            category="asyncio", path="app/api/orders.py",
        ),
        "important": make_findings(project, 7, scan=scan, rule_id="SA005", path="app/db.py"),
        "tests": make_findings(
            project, 5, scan=scan, severity=Severity.SUGGESTION, rule_id="PT002",
            category="tests", path="tests/test_orders.py", context=Finding.Context.TEST,
        ),
        "migration": make_findings(
            project, 2, scan=scan, rule_id="AL004", category="alembic", path=LONG_PATH,
            context=Finding.Context.MIGRATION, dialects="postgresql",
        ),
    }  # fmt: skip
    Finding.objects.filter(rule_id="SA005").update(message=HOSTILE)
    Finding.objects.filter(rule_id="AS001").update(agent="python-backend-architect")
    return made


def facet(page: Any, name: str) -> dict[str, int]:
    links = page.locator(f"#facet-{name} a.facet-value")
    return {
        links.nth(i).get_attribute("data-value"): int(links.nth(i).get_attribute("data-count"))
        for i in range(links.count())
    }


def test_facets_exports_filters_and_markdown_follow_htmx_changes(
    page: Any, live_server: Any, project_factory: Callable[..., Project], width: int
) -> None:
    project = project_factory(name="shop")
    seed(project)
    base = live_server.url
    page.goto(f"{base}{project.get_absolute_url()}")
    expect(page.locator("#match-count")).to_contain_text("18 findings match")
    assert facet(page, "severity") == {"critical": 4, "important": 9, "suggestion": 5}
    assert facet(page, "context") == {"production": 11, "test": 5, "migration": 2}
    no_overflow(page)
    screenshot(page, f"findings-all-{width}")

    # A filter change through HTMX: counts, facets and the export links follow.
    page.select_option("select[name=context]", "production")
    expect(page.locator("#match-count")).to_contain_text("11 findings match")
    assert facet(page, "severity") == {"critical": 4, "important": 7, "suggestion": 0}
    assert facet(page, "rule") == {"SA005": 7, "AS001": 4}
    assert facet(page, "context")["test"] == 5  # its own facet ignores its choice
    csv = page.locator("#export-csv").get_attribute("href")
    sarif = page.locator("#export-sarif").get_attribute("href")
    assert "context=production" in csv and "context=production" in sarif
    body = page.request.get(f"{base}{csv}").text()
    assert body.count("\n") == 12  # the header and the 11 filtered findings

    # A facet link is a filter too (and clears itself when chosen again).
    page.locator("#facet-severity a[data-value=critical]").click()
    expect(page.locator("#match-count")).to_contain_text("4 findings match")
    assert "severity=critical" in page.locator("#export-csv").get_attribute("href")
    page.locator("#facet-severity a[data-value=critical]").click()
    expect(page.locator("#match-count")).to_contain_text("11 findings match")

    # Path exclusion and a partial agent name.
    page.goto(f"{base}{project.get_absolute_url()}")
    page.fill("input[name=path]", "!tests/")
    expect(page.locator("#match-count")).to_contain_text("13 findings match")
    page.fill("input[name=agent]", "architect")
    expect(page.locator("#match-count")).to_contain_text("4 findings match")
    assert set(page.locator("tr.finding").evaluate_all("rs => rs.map(r => r.dataset.rule)")) == {
        "AS001"
    }

    # Markdown in messages: code spans render, hostile parts stay text.
    page.goto(f"{base}{project.get_absolute_url()}?rule=SA005")
    message = page.locator("tr.finding .message").first
    expect(message.locator("code")).to_have_text("select()")
    assert page.evaluate("() => window.pwned") is None
    assert message.locator("script, img").count() == 0
    assert message.locator("a[href^='javascript']").count() == 0
    assert "<script>" in message.inner_text()
    no_overflow(page)
    assert not [e for e in page.errors if "Content Security Policy" in e], page.errors


def test_long_migration_paths_do_not_squeeze_the_finding_column(
    page: Any, live_server: Any, project_factory: Callable[..., Project], width: int
) -> None:
    project = project_factory(name="billing")
    seed(project)
    page.goto(f"{live_server.url}{project.get_absolute_url()}?context=migration")
    screenshot(page, f"findings-migration-paths-{width}")
    cell = page.locator("tr.finding td.loc code.path").first
    assert cell.get_attribute("title") == f"{LONG_PATH}:1"
    assert "…" in cell.inner_text()
    # One line for the path, and the finding column keeps most of the row.
    title_cell = page.locator("tr.finding td:nth-child(3)").first
    row_height = page.locator("tr.finding").first.bounding_box()["height"]
    assert title_cell.bounding_box()["width"] > 300
    assert row_height < 90
    no_overflow(page)


@override_settings(REVIEWDECK_PAGE_SIZE=5)
def test_select_all_on_the_page_all_matching_and_paging_both_ways(
    page: Any, live_server: Any, project_factory: Callable[..., Project], width: int
) -> None:
    project = project_factory(name="shop")
    made = seed(project)
    base = live_server.url
    page.goto(f"{base}{project.get_absolute_url()}")
    expect(page.locator("#page-position")).to_have_text("1-5 of 18")
    page.click("#next-page")
    expect(page.locator("#page-position")).to_have_text("6-10 of 18")
    page.click("#next-page")
    expect(page.locator("#page-position")).to_have_text("11-15 of 18")
    page.click("#prev-page")
    expect(page.locator("#page-position")).to_have_text("6-10 of 18")
    page.click("#prev-page")
    expect(page.locator("#page-position")).to_have_text("1-5 of 18")
    assert page.locator("#prev-page").count() == 0
    no_overflow(page)

    # All on the page: five rows ticked, triaged.
    page.check("[data-select-page]")
    assert page.locator("input[name=finding]:checked").count() == 5
    page.select_option("#bulk-triage select[name=action]", "acknowledge")
    page.click("#bulk-apply")
    expect(page.get_by_text("Triaged 5 finding(s).")).to_be_visible()
    assert Finding.objects.filter(triage="acknowledged").count() == 5

    # All matching a filter (the test findings), confirmed in a dialog: the server applies
    # the filter, so findings on other pages are changed too.
    page.goto(f"{base}{project.get_absolute_url()}?context=test")
    expect(page.locator("#page-position")).to_have_text("1-5 of 5")
    page.check("input[name=scope][value=filter]")
    page.select_option("#bulk-triage select[name=action]", "wont_fix")
    screenshot(page, f"findings-bulk-all-matching-{width}")
    page.click("#bulk-apply")
    expect(page.get_by_text("Triaged 5 finding(s).")).to_be_visible()
    tests = {f.pk for f in made["tests"]}
    assert set(Finding.objects.filter(triage="wont_fix").values_list("pk", flat=True)) == tests
    assert TriageEvent.objects.filter(to_triage="wont_fix").count() == 5
    expect(page.locator("#match-count")).to_contain_text("0 findings match")


@override_settings(REVIEWDECK_PAGE_SIZE=5)
def test_all_matching_refuses_when_the_filter_changed_meanwhile(
    page: Any, live_server: Any, project_factory: Callable[..., Project], width: int
) -> None:
    project = project_factory(name="shop")
    seed(project)
    page.goto(f"{live_server.url}{project.get_absolute_url()}?rule=SA005")
    expect(page.locator("#match-count")).to_contain_text("7 findings match")
    make_findings(project, 2, rule_id="SA005")  # a scan lands while the page is open
    page.check("input[name=scope][value=filter]")
    page.click("#bulk-apply")
    expect(page.get_by_text("The filter now matches 9 findings, not 7")).to_be_visible()
    assert not Finding.objects.filter(triage="acknowledged").exists()


def test_finding_page_markdown_header_follows_triage_and_comment_log(
    page: Any, live_server: Any, project_factory: Callable[..., Project], width: int
) -> None:
    project = project_factory(name="shop")
    finding = seed(project)["important"][0]
    # A stored excerpt that starts on two blank lines: line 43 is the flagged one.
    Finding.objects.filter(pk=finding.pk).update(
        path=LONG_PATH,
        line=43,
        excerpt_start=40,
        excerpt="\n\n# load every user\nrows = session.query(User).all()\nreturn rows\n",
    )
    page.goto(f"{live_server.url}{finding.get_absolute_url()}")
    marked = page.locator("#code .hll")
    expect(marked).to_have_count(1)
    expect(marked.locator(".linenos")).to_have_text("43")
    expect(marked).to_contain_text("session.query(User)")
    expect(page.locator("#finding-message code")).to_have_text("select()")
    assert page.locator("#finding-message script, #finding-message img").count() == 0
    assert page.locator("#finding-message a[href^='javascript']").count() == 0
    link = page.locator("#finding-message a")
    expect(link).to_have_attribute("href", "https://docs.sqlalchemy.org/")
    assert "noopener" in (link.get_attribute("rel") or "")
    expect(page.locator("#header-triage")).to_have_text("Untriaged")

    page.fill("#triage textarea[name=comment]", "seen in the standup")
    page.click("#triage button[value=acknowledge]")
    expect(page.locator("#header-triage")).to_have_text("Acknowledged")
    page.fill("#triage textarea[name=comment]", "only a note")
    page.click("#triage button[value='']")
    audit = page.locator("#triage ul.audit li")
    expect(audit).to_have_count(2)
    expect(audit.nth(0)).to_contain_text("Untriaged → Acknowledged")
    expect(audit.nth(1)).to_contain_text("comment — only a note")
    expect(audit.nth(1)).not_to_contain_text("Acknowledged → Acknowledged")
    expect(page.locator("#header-triage")).to_have_text("Acknowledged")
    no_overflow(page)
    screenshot(page, f"finding-triaged-{width}")


def _summary(project: Project, when: Any, minutes: int) -> None:
    scan = Scan.objects.create(
        project=project, status=Scan.Status.SUCCEEDED, created_at=when, finished_at=when
    )
    Scan.objects.filter(pk=scan.pk).update(created_at=when)
    summary = ScanSummary.objects.create(
        scan=scan,
        project=project,
        created_at=when,
        open_important=minutes // 30,
        debt_minutes=minutes,
        by_debt_kind={"pydantic": {"count": minutes // 30, "minutes": minutes}},
    )
    Project.objects.filter(pk=project.pk).update(latest_summary=summary, last_scan=scan)


def test_debt_page_says_what_its_line_shows_and_the_drill_down_filter_is_clearable(
    page: Any, live_server: Any, project_factory: Callable[..., Project], width: int
) -> None:
    project = project_factory(name="ledger")
    now = timezone.now()
    _summary(project, now - timedelta(weeks=3), 0)
    _summary(project, now - timedelta(hours=1), 28 * 60)
    make_findings(project, 3, rule_id="PD001", category="pydantic")
    Finding.objects.filter(rule_id="PD001").update(debt_kind="pydantic", debt_minutes=30)
    make_findings(project, 2, rule_id="SA001")
    for name in ("second", "third"):
        _summary(project_factory(name=name), now - timedelta(hours=2), 600)
    since = (now - timedelta(weeks=4)).date().isoformat()
    page.goto(f"{live_server.url}/debt/?since={since}")
    expect(page.locator("#burn-summary")).to_contain_text(
        "Debt grew by 48.0 h"
    )  # 28 h + 10 h in each other
    expect(page.locator("#cell-format")).to_contain_text("open findings of that kind")
    no_overflow(page)
    screenshot(page, f"debt-{width}")

    page.locator("#debt-matrix a[href*='debt_kind=pydantic']").first.click()
    # A full page load: htmx binds the filter bar on load, so a change made before that
    # would not be sent (the test raced it once in CI).
    page.wait_for_load_state("load")
    expect(page.locator("#debt-kind-filter")).to_have_value("pydantic")
    expect(page.locator("#match-count")).to_contain_text("3 findings match")
    page.select_option("#debt-kind-filter", "")
    expect(page.locator("#match-count")).to_contain_text("5 findings match")
    assert "debt_kind" not in page.locator("#export-csv").get_attribute("href")
    no_overflow(page)
