"""Every API operation, enumerated from the OpenAPI document (so one added later is
checked without anyone remembering to): anonymous callers get 401, another team's token
gets nothing and changes nothing, a member's token works. Over real HTTP."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.test import Client

from dashboard.api import api
from reviewer.models import Meeting, Project, Scan
from tests.api.conftest import Http
from tests.factories import make_findings, make_scan

pytestmark = pytest.mark.django_db(transaction=True)

OPERATIONS = sorted(
    (method.upper(), path)
    for path, item in api.get_openapi_schema()["paths"].items()
    for method in item
)
BODIES = {"triage": {"action": "false_positive", "comment": "mine now"}}


def test_there_are_operations_to_check() -> None:
    assert len(OPERATIONS) >= 12, OPERATIONS
    assert ("POST", "/api/v1/projects/{slug}/findings/{finding_id}/triage") in OPERATIONS


@pytest.fixture
def fill(project_factory: Callable[..., Project]) -> Callable[[str], str]:
    project = project_factory(name="shop")
    scan = make_scan(project)
    finding = make_findings(project, 1, scan=scan)[0]
    assert project.team is not None
    meeting = Meeting.objects.create(team=project.team, title="weekly", since=scan.created_at)
    values = {
        "slug": project.slug,
        "scan_id": scan.pk,
        "finding_id": finding.pk,
        "meeting_id": meeting.pk,
    }

    def build(path: str) -> str:
        names = re.findall(r"\{(\w+)\}", path)
        unknown = [n for n in names if n not in values]
        if unknown:
            pytest.fail(f"teach tests/api/test_api_access.py to fill {unknown} for {path}")
        return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)

    return build


def _rows() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for app in ("reviewer", "dashboard")
        for model in apps.get_app_config(app).get_models()
        if model._meta.label != "dashboard.ApiToken"  # last_used_at is the caller's own
    }


def _body(path: str) -> object:
    return next((b for key, b in BODIES.items() if path.endswith(key)), None)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=lambda v: str(v))
def test_anonymous_callers_get_401(
    method: str, path: str, fill: Callable[[str], str], http: Http
) -> None:
    before = _rows()
    reply = http(method, fill(path), body=_body(path))
    assert reply.status == 401, (path, reply.status, reply.body[:200])
    assert reply.headers.get("WWW-Authenticate", "").startswith("Bearer")
    assert b"shop" not in reply.body
    assert _rows() == before


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=lambda v: str(v))
def test_another_teams_token_sees_and_changes_nothing(
    method: str,
    path: str,
    fill: Callable[[str], str],
    http: Http,
    outsider: User,
    token_for: Callable[[User], str],
) -> None:
    before = _rows()
    reply = http(method, fill(path), token=token_for(outsider), body=_body(path))
    if "{" in path:
        assert reply.status == 404, (path, reply.status, reply.body[:200])
    else:  # a list of the caller's own things
        assert reply.status == 200, (path, reply.status)
    assert b"shop" not in reply.body and b"weekly" not in reply.body
    assert _rows() == before
    assert not Scan.objects.filter(status=Scan.Status.QUEUED).exists()


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=lambda v: str(v))
def test_a_members_token_is_served(
    method: str,
    path: str,
    fill: Callable[[str], str],
    http: Http,
    member: User,
    token_for: Callable[[User], str],
) -> None:
    reply = http(method, fill(path), token=token_for(member), body=_body(path))
    assert reply.status in (200, 202), (path, reply.status, reply.body[:300])
    assert reply.headers["Content-Type"].startswith("application/json")


def test_a_team_reader_who_is_not_staff_cannot_act_on_a_project_without_team(
    http: Http, member: User, token_for: Callable[[User], str], project_factory: Any
) -> None:
    orphan = project_factory(name="orphan", team=None)
    finding = make_findings(orphan, 1)[0]
    token = token_for(member)
    assert http("GET", "/api/v1/projects/orphan", token=token).status == 404
    reply = http(
        "POST", f"/api/v1/projects/orphan/findings/{finding.pk}/triage", token=token, body={}
    )
    assert reply.status == 404


def test_the_docs_are_for_logged_in_users_and_load_nothing_from_elsewhere(
    member_client: Client,
) -> None:
    assert Client().get("/api/v1/docs").status_code == 302
    assert Client().get("/api/v1/openapi.json").status_code == 302
    page = member_client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "nothing from a CDN"
    policy = page["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    for tag in html.split("<script")[1:]:
        opening = tag.split(">", 1)[0]
        assert " src=" in opening or " nonce=" in opening, opening
    schema = member_client.get("/api/v1/openapi.json").json()
    assert (
        schema["openapi"].startswith("3.") and "/api/v1/projects/{slug}/findings" in schema["paths"]
    )
