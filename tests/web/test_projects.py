"""The overview, add-project and project pages: access, content, HTMX partials, queries."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviewer.models import Project, Severity
from tests.factories import make_findings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["dashboard:projects", "dashboard:project_add"])
def test_anonymous_requests_redirect_to_login(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_project_page_redirects_to_login(
    client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory()
    response = client.get(project.get_absolute_url())
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_outsider_gets_404_on_another_teams_project(
    outsider_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory()
    make_findings(project, 3)
    assert outsider_client.get(project.get_absolute_url()).status_code == 404
    finding = project.findings.first()
    assert finding is not None
    assert outsider_client.get(finding.get_absolute_url()).status_code == 404
    response = outsider_client.post(reverse("dashboard:scan_start", args=[project.slug]))
    assert response.status_code == 404
    assert project.scans.count() == 1  # only the factory's scan


def test_outsider_does_not_see_the_project_in_the_overview(
    outsider_client: Client, member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project_factory(name="secret-shop")
    assert b"secret-shop" not in outsider_client.get(reverse("dashboard:projects")).content
    assert b"secret-shop" in member_client.get(reverse("dashboard:projects")).content


def test_project_page_shows_findings_grouped_by_severity(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory()
    make_findings(project, 2, severity=Severity.CRITICAL, rule_id="AS001", category="asyncio")
    make_findings(project, 3, severity=Severity.IMPORTANT)
    html = member_client.get(project.get_absolute_url()).content.decode()
    assert html.index(">Critical</h2>") < html.index(">Important</h2>")
    assert html.count('data-rule="AS001"') == 2
    assert html.count('data-rule="SA001"') == 3


def test_severity_filter_returns_the_partial_for_htmx(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory()
    make_findings(project, 2, severity=Severity.CRITICAL, rule_id="AS001", category="asyncio")
    make_findings(project, 3, severity=Severity.IMPORTANT)
    response = member_client.get(
        project.get_absolute_url(), {"severity": "critical"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="findings"')
    assert "<html" not in html
    assert html.count('data-rule="AS001"') == 2
    assert 'data-rule="SA001"' not in html


def test_category_filter_works_without_javascript(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory()
    make_findings(project, 2, rule_id="PD001", category="pydantic")
    make_findings(project, 3)
    html = member_client.get(project.get_absolute_url(), {"category": "pydantic"}).content.decode()
    assert "<html" in html
    assert html.count('data-rule="PD001"') == 2 and 'data-rule="SA001"' not in html


def test_keyset_pagination_walks_every_finding_once(
    member_client: Client, project_factory: Callable[..., Project], settings: object
) -> None:
    settings.REVIEWDECK_PAGE_SIZE = 4  # type: ignore[attr-defined]
    project = project_factory()
    made = make_findings(project, 5, severity=Severity.CRITICAL, rule_id="AS001")
    made += make_findings(project, 6)
    seen: list[str] = []
    positions: list[str] = []
    url = project.get_absolute_url()
    query = ""
    pages: list[list[str]] = []
    for _ in range(10):
        response = member_client.get(f"{url}?{query}", HTTP_HX_REQUEST="true")
        page = [str(f.pk) for _, items in response.context["groups"] for f in items]
        pages.append(page)
        seen += page
        paging = response.context["paging"]
        positions.append(f"{paging.first}-{paging.last} of {paging.total}")
        if not paging.next_query:
            break
        query = paging.next_query
    assert sorted(seen, key=int) == sorted((str(f.pk) for f in made), key=int)
    assert len(seen) == len(set(seen))
    assert positions == ["1-4 of 11", "5-8 of 11", "9-11 of 11"]
    # Back from the last page: the same pages in reverse, with their positions.
    back: list[str] = []
    for expected in (pages[1], pages[0]):
        query = paging.prev_query
        assert query
        response = member_client.get(f"{url}?{query}", HTTP_HX_REQUEST="true")
        assert [str(f.pk) for _, items in response.context["groups"] for f in items] == expected
        paging = response.context["paging"]
        back.append(f"{paging.first}-{paging.last}")
    assert back == ["5-8", "1-4"] and not paging.prev_query
    # A bookmarked deep link without its position counts it.
    after = pages[0][-1]
    response = member_client.get(url, {"after": after}, HTTP_HX_REQUEST="true")
    assert response.context["paging"].first == 5


def _query_count(client: Client, url: str, **extra: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **extra).status_code == 200  # type: ignore[arg-type]
    return len(ctx.captured_queries)


def test_project_page_query_count_does_not_grow_with_findings(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory()
    make_findings(project, 3)
    few = _query_count(member_client, project.get_absolute_url())
    make_findings(project, 200, severity=Severity.CRITICAL, rule_id="AS001")
    many = _query_count(member_client, project.get_absolute_url())
    assert few == many
    # session, user, project, page, facets, scan, team check, gate verdicts
    assert many == 8
    # A deep page reached by its link: the anchor's lookup, no count (the link carries
    # the position).
    response = member_client.get(project.get_absolute_url())
    next_query = response.context["paging"].next_query
    assert "at=51" in next_query
    assert _query_count(member_client, f"{project.get_absolute_url()}?{next_query}") == 9


def test_overview_query_count_does_not_grow_with_projects(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    make_findings(project_factory(name="one"), 2)
    few = _query_count(member_client, reverse("dashboard:projects"))
    for i in range(15):
        make_findings(project_factory(name=f"p{i}"), 2)
    assert _query_count(member_client, reverse("dashboard:projects")) == few


def test_add_project_rejects_ext_transport_with_a_clear_message(member_client: Client) -> None:
    response = member_client.post(
        reverse("dashboard:project_add"),
        {"name": "evil", "repo_url": "ext::sh -c touch% /tmp/pwned", "branch": ""},
    )
    assert response.status_code == 200
    assert "not allowed" in response.content.decode()
    assert not Project.objects.filter(name="evil").exists()


def test_add_project_rejects_an_invalid_url(member_client: Client) -> None:
    response = member_client.post(
        reverse("dashboard:project_add"),
        {"name": "bad", "repo_url": "definitely not a url", "branch": ""},
    )
    assert response.status_code == 200
    assert not Project.objects.filter(name="bad").exists()
    assert 'class="errorlist' in response.content.decode()


def test_member_adds_a_local_repository(member_client: Client, make_repo, team) -> None:
    repo = make_repo()
    repo.commit({"app.py": "x = 1\n"})
    response = member_client.post(
        reverse("dashboard:project_add"),
        {"name": "Shop API", "repo_url": str(repo), "branch": "", "team": team.pk},
    )
    assert response.status_code == 302
    project = Project.objects.get(slug="shop-api")
    assert project.team == team and response["Location"] == project.get_absolute_url()
