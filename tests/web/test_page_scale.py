"""The project page and the scan list at scale: facets read from the latest summary when
no non-facet filter is set (and kept true by triage and Claude runs), the path filter's
facets from their own index, one anchor lookup per deep page, and the scan list's folded
"no change" checks in one small query on every page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviewer.finding_facets import facet_counts, facets_of, groups, groups_query
from reviewer.finding_filters import TRIAGE_ALL, FindingFilter
from reviewer.findings import summaries
from reviewer.models import Finding, Project, Scan, Severity
from reviewer.scan_history import NoChangeRun, history_page
from reviewer.triage import Decision, apply_triage
from tests.factories import make_findings, make_scan

pytestmark = pytest.mark.django_db


def _scanned(project: Project) -> Scan:
    """Record a scan summary as a scan does (it stores the facet groups) and make it the
    project's latest."""
    scan = make_scan(project)
    summary = summaries.create_summary(
        scan, timezone.now(), new=0, fixed=0, reopened=0, still_open=0
    )
    Project.objects.filter(pk=project.pk).update(latest_summary=summary, last_scan=scan)
    project.refresh_from_db()
    return scan


@pytest.fixture
def project(project_factory: Callable[..., Project]) -> Project:
    project = project_factory(name="big")
    make_findings(project, 4, rule_id="SA001", path="app/db.py")
    make_findings(project, 3, rule_id="SA005", severity=Severity.CRITICAL, path="app/x.py")
    make_findings(
        project,
        2,
        rule_id="AS001",
        severity=Severity.SUGGESTION,
        category="asyncio",
        path="tests/test_api.py",
        context=Finding.Context.TEST,
    )
    dismissed = make_findings(project, 2, rule_id="PD001", category="pydantic", path="lib/m.py")
    Finding.objects.filter(pk=dismissed[0].pk).update(triage=Finding.Triage.FALSE_POSITIVE)
    Finding.objects.filter(pk=dismissed[1].pk).update(low_confidence=True)
    fixed = make_findings(project, 1, rule_id="SA001", path="app/old.py")
    Finding.objects.filter(pk=fixed[0].pk).update(status=Finding.Status.FIXED)
    return project


FACET_ONLY = [
    FindingFilter(),
    FindingFilter(severity=Severity.CRITICAL),
    FindingFilter(category="asyncio"),
    FindingFilter(rule="SA"),
    FindingFilter(context=Finding.Context.TEST),
    FindingFilter(triage=TRIAGE_ALL),
    FindingFilter(triage=Finding.Triage.FALSE_POSITIVE, category="pydantic"),
    FindingFilter(severity=Severity.IMPORTANT, rule="SA001", context="production"),
]


@pytest.mark.parametrize("selection", FACET_ONLY)
def test_stored_facets_are_the_live_counts(project: Project, selection: FindingFilter) -> None:
    _scanned(project)
    live = facets_of(groups(selection, project), selection)
    with CaptureQueriesContext(connection) as ctx:
        stored = facet_counts(selection, project)
    assert stored == live and stored.total > 0
    # One row read, no findings grouped.
    assert len(ctx.captured_queries) == 1
    assert "reviewer_finding" not in ctx.captured_queries[0]["sql"]


def test_a_page_without_a_summary_or_with_other_filters_counts_live(
    project: Project, project_factory: Callable[..., Project]
) -> None:
    unscanned = project_factory(name="new")
    make_findings(unscanned, 2)
    assert facet_counts(FindingFilter(), unscanned).total == 2
    _scanned(project)
    # A path filter (and its exclusion) is not in the stored groups: counted live.
    assert facet_counts(FindingFilter(path="app/"), project).total == 7
    assert facet_counts(FindingFilter(path="!tests/ !lib/"), project).total == 7
    assert facet_counts(FindingFilter(path="!app/"), project).total == 2
    assert facet_counts(FindingFilter(status=Finding.Status.FIXED), project).total == 1


def test_the_page_reads_stored_facets_in_its_pinned_queries_and_follows_triage(
    member_client: Client, member: User, project: Project
) -> None:
    scan = _scanned(project)
    url = project.get_absolute_url()
    with CaptureQueriesContext(connection) as ctx:
        page = member_client.get(url)
    # session, user, project, page, stored facets, last scan, team check, gate verdicts
    assert len(ctx.captured_queries) == 8
    assert not any("GROUP BY" in q["sql"] for q in ctx.captured_queries)
    assert page.context["facets"].total == 9
    # The triage facet counts every open finding (the low-confidence one too).
    triage = dict(page.context["facets"].triage)
    assert triage == {Finding.Triage.OPEN: 10, Finding.Triage.FALSE_POSITIVE: 1}

    # Triage rewrites the stored groups at once: the facets follow.
    one = Finding.objects.filter(project=project, rule_id="SA005").first()
    assert one is not None
    apply_triage([one], member, Decision(action="acknowledge"))
    facets = member_client.get(url).context["facets"]
    assert dict(facets.triage) == {
        Finding.Triage.OPEN: 9,
        Finding.Triage.ACKNOWLEDGED: 1,
        Finding.Triage.FALSE_POSITIVE: 1,
    }
    apply_triage([one], member, Decision(action="wont_fix"))
    facets = member_client.get(url).context["facets"]
    assert facets.total == 8 and dict(facets.severity)[Severity.CRITICAL] == 2

    # A Claude run's findings (written after the scan's summary) are counted in at once.
    make_findings(project, 5, scan=scan, rule_id="AI-async", category="asyncio")
    summaries.add_run_counts(scan, created=5, fixed=0)
    facets = member_client.get(url, {"category": "asyncio"}).context["facets"]
    assert facets.total == 7 and dict(facets.rule)["AI-async"] == 5


def test_the_path_filter_facets_read_their_own_index(project: Project) -> None:
    """The facets of a path prefix come from ``finding_open_by_path`` alone (a
    pattern-ops btree serves LIKE 'prefix%' whatever the database's collation)."""
    make_findings(project, 400, path="other/module.py")
    sql, params = groups_query(FindingFilter(path="app/"), project).query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ANALYZE reviewer_finding")
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is small
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # (An index-only scan once vacuumed; a test cannot vacuum inside its transaction.)
    assert "Scan using finding_open_by_path" in plan
    assert "~>=~" in plan  # the prefix is an index condition, not a filter of every entry


def test_a_bookmarked_deep_page_looks_its_anchor_up_once(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory(name="deep")
    made = make_findings(project, 60)
    url = project.get_absolute_url()
    linked = member_client.get(url).context["paging"].next_query
    with CaptureQueriesContext(connection) as ctx:
        page = member_client.get(f"{url}?after={made[49].pk}", HTTP_HX_REQUEST="true")
    anchor = f'"reviewer_finding"."id" = {made[49].pk}'
    anchors = [q for q in ctx.captured_queries if anchor in q["sql"]]
    assert len(anchors) == 1
    assert page.context["paging"].first == 51 and f"after={made[49].pk}" in linked


def _expected_history(project: Project) -> list[tuple[str, int]]:
    """Every scan, newest first, with consecutive skipped checks folded: the list the
    scan history shows, built from all rows."""
    rows: list[tuple[str, int]] = []
    for scan in Scan.objects.filter(project=project).order_by("-id"):
        if scan.status != Scan.Status.SKIPPED:
            rows.append(("scan", scan.pk))
        elif rows and rows[-1][0] == "run":
            rows[-1] = ("run", rows[-1][1] + 1)
        else:
            rows.append(("run", 1))
    return rows


def test_scan_history_folds_every_check_once_across_pages(
    project_factory: Callable[..., Project],
) -> None:
    project = project_factory(name="checked")
    # Skipped checks above the newest scan, between scans, below the oldest and across
    # every page boundary (3 scans a page).
    for kind in "ssRsRRsssRssRRsRRsRss":
        make_scan(project, Scan.Status.SKIPPED if kind == "s" else Scan.Status.SUCCEEDED)
    make_scan(project, Scan.Status.SKIPPED)
    shown: list[tuple[str, int]] = []
    before = None
    while True:
        rows, before = history_page(project, before, 3)
        for row in rows:
            if isinstance(row, NoChangeRun):
                assert row.since <= row.last
                shown.append(("run", row.count))
            else:
                shown.append(("scan", row.pk))
        if before is None:
            break
    assert shown == _expected_history(project)
    assert sum(n for kind, n in shown if kind == "run") == 13


def test_the_scan_list_compiles_one_small_query_for_its_checks(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory(name="many")
    for _ in range(60):
        make_scan(project)
        make_scan(project, Scan.Status.SKIPPED)
    with CaptureQueriesContext(connection) as ctx:
        page = member_client.get(reverse("dashboard:scans", args=[project.slug])).content
    assert page.decode().count('class="scan-row no-change"') == 51
    # The folded checks: one GROUP BY, not one set of aggregates per gap.
    longest = max(len(q["sql"]) for q in ctx.captured_queries)
    assert longest < 3000


@pytest.mark.parametrize(
    "params",
    [{}, {"severity": "important"}, {"category": "asyncio"}, {"path": "!tests/"}],
)
def test_a_bookmark_position_is_the_rows_before_it(
    member_client: Client, project_factory: Callable[..., Project], params: dict[str, str]
) -> None:
    """A bookmark's position counts only the anchor's severity, the others come from the
    severity facet: it is the number of the filter's findings up to the anchor."""
    project = project_factory(name="mixed")
    for severity in (Severity.SUGGESTION, Severity.CRITICAL, Severity.IMPORTANT):
        make_findings(project, 40, severity=severity, path="app/a.py")
        make_findings(project, 20, severity=severity, category="asyncio", path="tests/t.py")
    _scanned(project)
    url = project.get_absolute_url()
    walked: list[int] = []
    query = ""
    while True:  # every row in page order, following Next
        # (the Next link carries the filter)
        response = member_client.get(f"{url}?{query}") if query else member_client.get(url, params)
        walked += [f.pk for _, items in response.context["groups"] for f in items]
        query = response.context["paging"].next_query
        if not query:
            break
    assert len(walked) > 50
    for n in (49, 50, 51, 99, len(walked) - 2):
        if n >= len(walked) - 1:
            continue
        page = member_client.get(url, {**params, "after": str(walked[n])}).context["paging"]
        assert page.first == n + 2
        back = member_client.get(url, {**params, "before": str(walked[n + 1])}).context["paging"]
        assert back.last == n + 1 and back.first == max(1, n + 2 - 50)


def test_a_search_counts_its_facets_once_per_state_of_the_findings(
    member_client: Client, member: User, project: Project
) -> None:
    """The facets of a search (or a path) are grouped once and cached under the latest
    summary's stamp: the next page of the search reads them; triage, a Claude run or a
    scan makes a new stamp, and the counts follow at once."""
    scan = _scanned(project)
    url = project.get_absolute_url()

    def search() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = member_client.get(url, {"q": "legacy", "path": "app/"})
        grouped = sum("GROUP BY" in q["sql"] for q in ctx.captured_queries)
        return response.context["facets"].total, grouped

    assert search() == (7, 1)
    assert search() == (7, 0)  # the same state: from the cache
    one = Finding.objects.filter(project=project, rule_id="SA005").first()
    assert one is not None
    apply_triage([one], member, Decision(action="false_positive"))
    assert search() == (6, 1)
    make_findings(project, 2, scan=scan, path="app/new.py")
    summaries.add_run_counts(scan, created=2, fixed=0)
    assert search() == (8, 1)
    assert search() == (8, 0)
