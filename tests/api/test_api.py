"""The JSON API over real HTTP: tokens, scoping, paging, filters, ETag, triage, queueing,
throttling."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from dashboard.models import ApiToken
from reviewer.models import Finding, Project, Scan, Severity, TriageEvent
from tests.api.conftest import Http
from tests.factories import make_findings, make_scan

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_tokens_page_shows_a_token_once_and_stores_only_its_hash(
    member_client: Client, member: User, http: Http
) -> None:
    page = member_client.post("/account/tokens/", {"name": "CI pipeline"})
    assert page.status_code == 200
    html = page.content.decode()
    row = ApiToken.objects.get(user=member)
    token = html.split('<code class="token">', 1)[1].split("</code>", 1)[0]
    assert token.startswith(f"rdk_{row.prefix}_") and len(token) > 40
    assert token not in str(list(ApiToken.objects.values_list()))  # only the digest is kept
    again = member_client.get("/account/tokens/").content.decode()
    assert token not in again and "CI pipeline" in again and f"rdk_{row.prefix}_" in again
    assert "never" in again  # not used yet

    assert http("GET", "/api/v1/projects", token=token).status == 200
    row.refresh_from_db()
    assert row.last_used_at is not None
    assert "never" not in member_client.get("/account/tokens/").content.decode()

    member_client.post("/account/tokens/", {"revoke": str(row.pk)})
    assert http("GET", "/api/v1/projects", token=token).status == 401
    assert "revoked" in member_client.get("/account/tokens/").content.decode()


def test_naming_and_revoking_are_checked(member_client: Client, outsider: User) -> None:
    assert member_client.post("/account/tokens/", {"name": " "}).status_code == 400
    theirs = ApiToken.objects.create(user=outsider, name="x", prefix="abcd1234", digest="0" * 64)
    assert member_client.post("/account/tokens/", {"revoke": str(theirs.pk)}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_projects_are_scoped_to_the_callers_teams(
    http: Http,
    member: User,
    outsider: User,
    project_factory: Callable[..., Project],
    token_for: Callable[[User], str],
) -> None:
    mine = project_factory(name="shop")
    project_factory(name="secret", team=outsider.groups.get())
    member_token, outsider_token = token_for(member), token_for(outsider)
    reply = http("GET", "/api/v1/projects", token=member_token)
    assert [p["slug"] for p in reply.json] == ["shop"]
    assert reply.json[0]["url"] == mine.get_absolute_url()
    assert http("GET", "/api/v1/projects/secret", token=member_token).status == 404
    assert http("GET", "/api/v1/projects/nothing", token=member_token).status == 404
    assert [p["slug"] for p in http("GET", "/api/v1/projects", token=outsider_token).json] == [
        "secret"
    ]
    assert http("GET", "/api/v1/projects", token="rdk_0000_wrong").status == 401
    assert http("GET", "/api/v1/projects").status == 401


def test_findings_page_with_a_keyset_cursor_filters_and_an_etag(
    http: Http, member: User, project_factory: Callable[..., Project], token_for: Callable[..., str]
) -> None:
    project = project_factory(name="shop")
    scan = make_scan(project)
    make_findings(project, 70, scan=scan, severity=Severity.SUGGESTION)
    make_findings(project, 60, scan=scan, severity=Severity.CRITICAL, rule_id="AS001")
    fixed = make_findings(project, 3, scan=scan)
    Finding.objects.filter(pk__in=[f.pk for f in fixed]).update(status=Finding.Status.FIXED)
    token = token_for(member)

    seen: list[tuple[str, int]] = []
    cursor = ""
    pages = 0
    while True:
        reply = http("GET", f"/api/v1/projects/shop/findings?limit=50&cursor={cursor}", token=token)
        assert reply.status == 200, reply.body
        pages += 1
        seen += [(f["severity"], f["id"]) for f in reply.json["items"]]
        cursor = reply.json["next_cursor"]
        if not cursor:
            break
    assert pages == 3 and len(seen) == 130 == len(set(seen))
    rank = {"critical": 1, "important": 2, "suggestion": 3}
    assert [(rank[s], i) for s, i in seen] == sorted((rank[s], i) for s, i in seen)

    critical = http(
        "GET", "/api/v1/projects/shop/findings?severity=critical&limit=200", token=token
    )
    assert {f["rule_id"] for f in critical.json["items"]} == {"AS001"}
    assert len(critical.json["items"]) == 60 and critical.json["next_cursor"] is None
    fixed_only = http("GET", "/api/v1/projects/shop/findings?status=fixed", token=token)
    assert len(fixed_only.json["items"]) == 3

    tag = critical.headers["ETag"]
    same = http(
        "GET",
        "/api/v1/projects/shop/findings?severity=critical&limit=200",
        token=token,
        headers={"If-None-Match": tag},
    )
    assert same.status == 304 and same.body == b""
    Finding.objects.filter(rule_id="AS001").update(triage=Finding.Triage.WONT_FIX)
    changed = http(
        "GET",
        "/api/v1/projects/shop/findings?severity=critical&limit=200",
        token=token,
        headers={"If-None-Match": tag},
    )
    assert changed.status == 200 and changed.json["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=500", "limit"),
        ("limit=0", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("severity=urgent", "severity"),
        ("since=yesterday", "since"),
        ("triage=maybe", "triage"),
        ("since_scan=-1", "since_scan"),
        ("status=deleted", "status"),
        ("context=kitchen", "context"),
    ],
)
def test_bad_filters_get_a_clear_400(
    http: Http,
    member: User,
    project_factory: Callable[..., Project],
    token_for: Callable[..., str],
    query: str,
    field: str,
) -> None:
    project_factory(name="shop")
    reply = http("GET", f"/api/v1/projects/shop/findings?{query}", token=token_for(member))
    assert reply.status == 400, reply.body
    assert field in reply.body.decode()


def test_triage_over_the_api_is_audited_and_team_checked(
    http: Http,
    member: User,
    outsider: User,
    project_factory: Callable[..., Project],
    token_for: Callable[..., str],
) -> None:
    project = project_factory(name="shop")
    finding = make_findings(project, 1)[0]
    colleague = User.objects.create_user("colleague")
    colleague.groups.add(member.groups.get())
    token = token_for(member)
    url = f"/api/v1/projects/shop/findings/{finding.pk}/triage"

    reply = http(
        "POST",
        url,
        token=token,
        body={"action": "false_positive", "assignee": "colleague", "comment": "generated code"},
    )
    assert reply.status == 200, reply.body
    assert reply.json["triage"] == "false_positive" and reply.json["assignee"] == "colleague"
    event = TriageEvent.objects.get(finding=finding)
    assert (event.user, event.to_triage, event.comment) == (
        member,
        "false_positive",
        "generated code",
    )

    history = http("GET", f"/api/v1/projects/shop/findings/{finding.pk}", token=token).json
    assert history["triage"][0]["user"] == "member"
    assert history["events"] == []  # factories write no scan events

    assert http("POST", url, token=token, body={"assignee": "outsider"}).status == 400
    assert http("POST", url, token=token, body={"action": "delete"}).status == 400
    assert http("POST", url, token=token, body={}).status == 400  # nothing to do
    assert http("POST", url, token=token_for(outsider), body={"action": "reopen"}).status == 404
    assert TriageEvent.objects.count() == 1


def test_a_browser_session_needs_the_csrf_token_to_triage(
    member: User, project_factory: Callable[..., Project]
) -> None:
    project = project_factory(name="shop")
    finding = make_findings(project, 1)[0]
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    url = f"/api/v1/projects/shop/findings/{finding.pk}/triage"
    assert client.get("/api/v1/projects").status_code == 200
    refused = client.post(url, {"action": "acknowledge"}, content_type="application/json")
    assert refused.status_code in (401, 403)
    assert not TriageEvent.objects.exists()


def test_queueing_a_scan_returns_it_and_reuses_an_active_one(
    http: Http, member: User, project_factory: Callable[..., Project], token_for: Callable[..., str]
) -> None:
    project_factory(name="shop")
    token = token_for(member)
    first = http("POST", "/api/v1/projects/shop/scans", token=token)
    assert first.status == 202, first.body
    assert first.json["status"] == "queued"
    again = http("POST", "/api/v1/projects/shop/scans", token=token)
    assert again.status == 200 and again.json["id"] == first.json["id"]
    scans = http("GET", "/api/v1/projects/shop/scans", token=token).json
    assert [s["id"] for s in scans["items"]] == [first.json["id"]]
    assert Scan.objects.get().status == Scan.Status.QUEUED


def test_scans_summaries_debt_and_meetings(
    http: Http, member: User, project_factory: Callable[..., Project], token_for: Callable[..., str]
) -> None:
    from reviewer.models import Meeting, ScanSummary

    project = project_factory(name="shop")
    scans = [make_scan(project) for _ in range(5)]
    for n, scan in enumerate(scans):
        summary = ScanSummary.objects.create(
            scan=scan,
            project=project,
            created_at=scan.created_at,
            open_critical=n,
            by_debt_kind={"alembic": {"count": n, "minutes": 10 * n}},
        )
    Project.objects.filter(pk=project.pk).update(latest_summary=summary, last_scan=scans[-1])
    assert project.team is not None
    Meeting.objects.create(team=project.team, title="weekly", since=scans[0].created_at)
    token = token_for(member)

    page = http("GET", "/api/v1/projects/shop/scans?limit=2", token=token).json
    assert [s["id"] for s in page["items"]] == [scans[4].pk, scans[3].pk]
    older = http(
        "GET", f"/api/v1/projects/shop/scans?limit=2&cursor={page['next_cursor']}", token=token
    )
    assert [s["id"] for s in older.json["items"]] == [scans[2].pk, scans[1].pk]
    summaries = http("GET", "/api/v1/projects/shop/summaries", token=token).json
    assert [s["open_critical"] for s in summaries] == [0, 1, 2, 3, 4]
    debt = http("GET", "/api/v1/projects/shop/debt", token=token).json
    assert debt["minutes"] == 40 and debt["kinds"] == {"alembic": {"count": 4, "minutes": 40}}
    project_json = http("GET", "/api/v1/projects/shop", token=token).json
    assert project_json["latest_summary"]["open_critical"] == 4
    assert project_json["last_scan"]["id"] == scans[-1].pk
    meetings = http("GET", "/api/v1/meetings", token=token).json
    assert [m["title"] for m in meetings] == ["weekly"]
    one = http("GET", f"/api/v1/meetings/{meetings[0]['id']}", token=token)
    assert one.json["team"] == "backend"


def test_each_token_is_throttled_on_its_own(
    http: Http, member: User, token_for: Callable[..., str], settings: object
) -> None:
    settings.REVIEWDECK_API_RATE = "3/m"  # type: ignore[attr-defined]
    first, second = token_for(member), token_for(member)
    assert [http("GET", "/api/v1/projects", token=first).status for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]
    assert http("GET", "/api/v1/projects", token=second).status == 200


def test_wrong_tokens_are_limited_per_client(
    http: Http, member: User, token_for: Callable[..., str], settings: object
) -> None:
    settings.REVIEWDECK_API_BAD_TOKENS_PER_MINUTE = 2  # type: ignore[attr-defined]
    token = token_for(member)
    wrong = token[:-4] + "xxxx"
    assert [http("GET", "/api/v1/projects", token=wrong).status for _ in range(3)] == [
        401,
        401,
        429,
    ]


def test_findings_carry_their_code_context_and_filter_by_it(
    http: Http, member: User, project_factory: Callable[..., Project], token_for: Callable[..., str]
) -> None:
    project = project_factory(name="shop")
    make_findings(project, 2, path="app/db.py")
    make_findings(
        project, 1, path="alembic/versions/0001.py", context="migration", dialects="postgresql"
    )
    gone = make_findings(project, 1, path="tests/test_db.py", context="test")
    Finding.objects.filter(pk=gone[0].pk).update(status=Finding.Status.EXCLUDED)
    token = token_for(member)
    reply = http("GET", "/api/v1/projects/shop/findings?context=migration", token=token)
    assert reply.status == 200, reply.body
    assert [(f["path"], f["context"], f["dialects"]) for f in reply.json["items"]] == [
        ("alembic/versions/0001.py", "migration", ["postgresql"])
    ]
    excluded = http("GET", "/api/v1/projects/shop/findings?status=excluded", token=token)
    assert [(f["path"], f["status"]) for f in excluded.json["items"]] == [
        ("tests/test_db.py", "excluded")
    ]
    bad = http("GET", "/api/v1/projects/shop/findings?context=vendor", token=token)
    assert bad.status == 400 and "context" in bad.body.decode()
