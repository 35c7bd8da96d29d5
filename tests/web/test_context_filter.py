"""Each finding's code context on the pages: the context filter and facet on the project
page (in a pinned number of queries), the finding page, the exports, and the "excluded"
state (closed by the quality profile, never shown or counted as fixed)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviewer.models import Finding, Project, Severity
from tests.factories import make_findings

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(project_factory: Callable[..., Project]) -> Project:
    project = project_factory()
    make_findings(project, 3, rule_id="SA001", path="app/db.py")
    make_findings(
        project,
        2,
        rule_id="AS001",
        severity=Severity.SUGGESTION,
        path="tests/test_api.py",
        context=Finding.Context.TEST,
        category="asyncio",
    )
    make_findings(
        project,
        1,
        rule_id="AL004",
        path="alembic/versions/sqlite/0001_x.py",
        context=Finding.Context.MIGRATION,
        dialects="sqlite",
        category="alembic",
    )
    gone = make_findings(project, 1, rule_id="PF001", path="tests/test_slow.py")
    Finding.objects.filter(pk=gone[0].pk).update(status=Finding.Status.EXCLUDED)
    return project


def body(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def shown(client: Client, project: Project, **params: str) -> list[tuple[str, str]]:
    response = client.get(project.get_absolute_url(), params, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return sorted((f.rule_id, f.context) for _, items in response.context["groups"] for f in items)


def test_the_context_filter_keeps_one_context(member_client: Client, project: Project) -> None:
    assert shown(member_client, project, context="test") == [("AS001", "test")] * 2
    assert shown(member_client, project, context="migration") == [("AL004", "migration")]
    assert shown(member_client, project, context="production") == [("SA001", "production")] * 3
    assert shown(member_client, project, context="generated") == []
    everything = shown(member_client, project)
    assert len(everything) == 6 and ("PF001", "production") not in everything
    response = member_client.get(project.get_absolute_url(), {"context": "nonsense"})
    assert 'id="filter-errors"' in response.content.decode()


def test_the_facet_counts_visible_findings_per_context_and_links_the_filter(
    member_client: Client, project: Project
) -> None:
    response = member_client.get(project.get_absolute_url(), {"severity": "important"})
    (group,) = [g for g in response.context["facet_groups"] if g.name == "context"]
    facets = {link.value: (link.count, link.query) for link in group.links}
    # The context facet follows the severity filter (the test findings are suggestions)...
    assert {k: v[0] for k, v in facets.items()} == {"production": 3, "migration": 1}
    assert facets["migration"][1] == "severity=important&context=migration"
    # ... and the severity facet ignores its own choice, so the others stay reachable.
    (severity,) = [g for g in response.context["facet_groups"] if g.name == "severity"]
    assert [(link.value, link.count, link.selected) for link in severity.links] == [
        ("critical", 0, False),
        ("important", 4, True),
        ("suggestion", 2, False),
    ]
    assert response.context["facets"].total == 4
    html = response.content.decode()
    assert 'id="facet-context"' in html and 'data-value="migration"' in html
    # A row outside production code says where it is.
    html = member_client.get(project.get_absolute_url()).content.decode()
    assert 'title="Migration: sqlite">migration</span>' in html
    assert html.count('title="Test">test</span>') == 2


def test_excluded_findings_have_their_own_status_filter(
    member_client: Client, project: Project
) -> None:
    assert shown(member_client, project, status="excluded") == [("PF001", "production")]
    assert ("PF001", "production") not in shown(member_client, project, status="fixed")


def test_the_finding_page_says_where_the_code_runs(member_client: Client, project: Project) -> None:
    migration = Finding.objects.get(rule_id="AL004")
    html = member_client.get(migration.get_absolute_url()).content.decode()
    assert "Migration code, runs on sqlite" in html
    excluded = Finding.objects.get(rule_id="PF001")
    html = member_client.get(excluded.get_absolute_url()).content.decode()
    assert "Excluded (profile or rule change)" in html


def test_exports_carry_the_context(member_client: Client, project: Project) -> None:
    url = reverse("dashboard:export_csv", args=[project.slug])
    response = member_client.get(url, {"context": "migration"})
    rows = list(csv.DictReader(io.StringIO(body(response).decode())))
    assert [(r["rule_id"], r["context"], r["dialects"]) for r in rows] == [
        ("AL004", "migration", "sqlite")
    ]
    url = reverse("dashboard:export_sarif", args=[project.slug])
    log = json.loads(body(member_client.get(url)))
    props = {r["ruleId"]: r["properties"] for r in log["runs"][0]["results"]}
    assert props["AL004"]["context"] == "migration" and props["AL004"]["dialects"] == ["sqlite"]
    assert props["AS001"]["context"] == "test" and "dialects" not in props["AS001"]


def _queries(client: Client, url: str, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_the_filter_and_facet_add_no_query(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory(name="big")
    make_findings(project, 3)
    url = project.get_absolute_url()
    plain = _queries(member_client, url, {})
    for context in Finding.Context:
        make_findings(project, 40, context=context, path=f"{context}/x.py")
    filtered = _queries(member_client, url, {"context": "test"})
    combined = _queries(member_client, url, {"context": "migration", "severity": "important"})
    # session, user, project, page, facets (every count in one GROUP BY), last scan,
    # team check, the last scan's quality gate
    assert plain == filtered == combined == 8


def test_the_facet_counts_exactly_up_to_its_cap(
    project_factory: Callable[..., Project], monkeypatch: pytest.MonkeyPatch
) -> None:
    from reviewer import finding_counts

    project = project_factory(name="capped")
    make_findings(project, 4, context=Finding.Context.TEST)
    make_findings(project, 2)
    monkeypatch.setattr(finding_counts, "CONTEXT_CAP", 3)
    labels = {c.context.value: c.label for c in finding_counts.page_counts(project).contexts}
    assert labels == {"test": "3+", "production": "2"}
