"""Every URL pattern of the dashboard, enumerated: anonymous users are sent to log in,
another team's members get nothing, and no state change works without a CSRF token.

The list of URLs is read from the resolver, so a page added later is checked without
anyone remembering to add it here. A new kind of URL argument fails the test until this
file learns how to fill it in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from reviewer.models import PatchRequest, Project, Scan
from tests.factories import make_findings, make_scan

pytestmark = pytest.mark.django_db

# Namespaces served by third-party code with its own access rules (Django's admin checks
# is_staff; the auth views are the login pages themselves), and the JSON API, which
# answers 401 rather than redirecting to a login page: tests/api/test_api_access.py
# enumerates its operations the same way. Badges are public by the project's choice
# (tests/gates/test_badge_and_api.py); push webhooks are authenticated by their
# signature, not a login (tests/webhooks/).
SKIPPED_PREFIXES = ("admin/", "accounts/", "api/", "badge/", "hooks/")
INLINE_HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.DOTALL)


@dataclass(frozen=True)
class Route:
    route: str
    name: str
    kwargs: tuple[str, ...]


def _walk(
    patterns: list[Any], prefix: str = "", namespace: str = "", kwargs: tuple[str, ...] = ()
) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            outer = (*kwargs, *entry.pattern.regex.groupindex)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns, outer)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if route.startswith(SKIPPED_PREFIXES):
                continue
            name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
            yield Route(route, name, (*kwargs, *entry.pattern.regex.groupindex))


ROUTES = sorted(set(_walk(get_resolver().url_patterns)), key=lambda r: r.route)


def test_the_dashboard_has_routes_to_check() -> None:
    assert len(ROUTES) >= 5, ROUTES


@pytest.fixture
def fill(project_factory: Callable[..., Project]) -> Callable[[Route], str]:
    """Build a concrete URL for a route, with objects that belong to the member's team."""
    project = project_factory(name="shop")
    scan = make_scan(project)
    finding = make_findings(project, 1, scan=scan)[0]
    from reviewer.models import Meeting

    assert project.team is not None
    meeting = Meeting.objects.create(team=project.team, title="weekly", since=scan.created_at)
    patch = PatchRequest.objects.create(
        project=project, kind="sqlalchemy", status=PatchRequest.Status.READY, diff="--- shop\n"
    )
    values: dict[str, Callable[[], object]] = {
        "kind": lambda: "sqlalchemy",
        "patch_id": lambda: patch.pk,
        "meeting_id": lambda: meeting.pk,
        "slug": lambda: project.slug,
        "scan_id": lambda: scan.pk,
        "finding_id": lambda: finding.pk,
        "rule_id": lambda: finding.rule_id,
        "team_id": lambda: project.team_id,
    }

    def build(route: Route) -> str:
        from django.urls import reverse

        unknown = [k for k in route.kwargs if k not in values]
        if unknown:
            pytest.fail(f"teach tests/hardening/test_access.py to fill {unknown} for {route}")
        return reverse(route.name, kwargs={k: values[k]() for k in route.kwargs})

    return build


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for app in ("reviewer", "dashboard")
        for model in apps.get_app_config(app).get_models()
    }


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.route)
def test_anonymous_users_are_sent_to_log_in(route: Route, fill: Callable[[Route], str]) -> None:
    url = fill(route)
    client = Client()
    before = _row_counts()
    response = client.get(url)
    assert response.status_code == 302, (url, response.status_code)
    assert response["Location"].startswith("/accounts/login/"), response["Location"]
    posted = client.post(url, {"severity": "critical", "triage": "false_positive"})
    assert posted.status_code in (302, 403), (url, posted.status_code)
    if posted.status_code == 302:
        assert posted["Location"].startswith("/accounts/login/")
    assert _row_counts() == before


# Routes that name something owned by a team: another team must get nothing from them.
OWNED = [r for r in ROUTES if {"slug", "meeting_id", "team_id"} & set(r.kwargs)]


@pytest.mark.parametrize("route", OWNED, ids=lambda r: r.route)
def test_another_team_sees_and_changes_nothing(
    route: Route, fill: Callable[[Route], str], outsider_client: Client
) -> None:
    url = fill(route)
    before = _row_counts()
    response = outsider_client.get(url)
    assert response.status_code in (403, 404, 405), (url, response.status_code)
    assert b"shop" not in response.content
    posted = outsider_client.post(url, {"triage": "false_positive", "comment": "mine now"})
    assert posted.status_code in (403, 404, 405), (url, posted.status_code)
    assert _row_counts() == before
    assert not Scan.objects.filter(status=Scan.Status.QUEUED).exists()


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.route)
def test_no_state_change_without_a_csrf_token(
    route: Route, fill: Callable[[Route], str], member: Any
) -> None:
    url = fill(route)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    before = _row_counts()
    response = client.post(url, {"triage": "false_positive"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 403, (url, response.status_code)
    assert _row_counts() == before


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.route)
def test_pages_carry_a_strict_content_security_policy(
    route: Route, fill: Callable[[Route], str], member_client: Client
) -> None:
    response = member_client.get(fill(route))
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        pytest.skip("not a page: redirect, POST-only endpoint or download")
    policy = response["Content-Security-Policy"]
    script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    html = response.content.decode()
    for tag in html.split("<script")[1:]:
        opening = tag.split(">", 1)[0]
        assert " src=" in opening or " nonce=" in opening, opening
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html)


@pytest.mark.parametrize("model", ["project", "scan", "finding", "triageevent", "scansummary"])
def test_the_admin_is_for_staff_only(model: str, member_client: Client) -> None:
    url = f"/admin/reviewer/{model}/"
    assert Client().get(url).status_code == 302
    response = member_client.get(url)  # a logged-in team member who is not staff
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_outside_the_team_read_a_project_but_may_not_act_on_it(
    project_factory: Callable[..., Project],
) -> None:
    from django.contrib.auth.models import User
    from django.urls import reverse

    project = project_factory(name="shop")
    auditor = Client()
    auditor.force_login(User.objects.create_user("auditor", is_staff=True))
    assert auditor.get(project.get_absolute_url()).status_code == 200
    before = _row_counts()
    started = auditor.post(reverse("dashboard:scan_start", args=[project.slug]))
    assert started.status_code == 403
    settings_url = reverse("dashboard:project_settings", args=[project.slug])
    assert auditor.get(settings_url).status_code == 403
    assert _row_counts() == before
    admin = Client()
    admin.force_login(User.objects.create_superuser("root", "root@example.invalid"))
    assert admin.get(settings_url).status_code == 200
