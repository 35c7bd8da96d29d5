"""The agents pages: list, add (paste or upload, versioned), the per-project choice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from reviewer.agents.catalog import installed
from reviewer.agents.models import AgentVersion
from reviewer.models import Project, Scan

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


def test_the_list_shows_builtin_agents_with_model_and_rule_packs(member_client: Client) -> None:
    html = member_client.get(reverse("dashboard:agents")).content.decode()
    assert "python-backend-reviewer" in html and "FA, SA, AL, PD, AS, PT, CQ" in html
    assert "python-backend-architect" in html and "built-in" in html


def test_pasting_an_agent_stores_a_version_and_uploading_a_change_adds_one(
    member_client: Client,
) -> None:
    text = (FIXTURES / "plain-description-with-colons.md").read_text()
    response = member_client.post(reverse("dashboard:agent_add"), {"content": text})
    assert response.status_code == 302
    again = member_client.post(reverse("dashboard:agent_add"), {"content": text})
    assert again.status_code == 302  # unchanged: no new version
    changed = text + "\nAlso check query plans.\n"
    upload = SimpleUploadedFile("architect.md", changed.encode(), content_type="text/markdown")
    member_client.post(reverse("dashboard:agent_add"), {"upload": upload})
    versions = list(AgentVersion.objects.values_list("name", "version"))
    assert sorted(versions) == [
        ("query-performance-architect", 1),
        ("query-performance-architect", 2),
    ]
    team_id = AgentVersion.objects.values_list("team_id", flat=True).first()
    assert installed(team_id=team_id)["query-performance-architect"].version_number == 2
    page = member_client.get(
        reverse("dashboard:agents") + f"?name=query-performance-architect&team={team_id}"
    )
    html = page.content.decode()
    assert "v2" in html and "v1" in html and "Also check query plans." in html


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("just text", "no front matter"),
        ("---\nname: python-backend-reviewer\ndescription: x\n---\nBody\n", "built-in agent"),
        ("---\nname: x-agent\ndescription: d\n---\n<script>alert(1)</script>\n", None),
    ],
)
def test_a_bad_agent_is_refused_with_the_problem(
    member_client: Client, content: str, message: str | None
) -> None:
    response = member_client.post(reverse("dashboard:agent_add"), {"content": content})
    if message is None:  # valid; its prompt is shown escaped
        page = member_client.get(reverse("dashboard:agents") + "?name=x-agent")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content.decode()
        return
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AgentVersion.objects.exists()


def test_a_user_without_a_team_cannot_add_agents(db: None) -> None:
    from django.contrib.auth.models import User

    client = Client()
    client.force_login(User.objects.create_user("loner", password="pw-loner-1"))
    response = client.post(reverse("dashboard:agent_add"), {"content": "---\n"})
    assert response.status_code == 403


def test_a_project_chooses_its_agents(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    project = project_factory()
    url = reverse("dashboard:project_agents", args=[project.slug])
    response = member_client.post(url, {"agents": ["python-backend-architect"]})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.agents == ["python-backend-architect"] and not project.claude_enabled
    bad = member_client.post(url, {"agents": ["not-installed"], "claude_enabled": "on"})
    assert bad.status_code == 200
    project.refresh_from_db()
    assert project.agents == ["python-backend-architect"]


def test_the_project_agents_page_shows_the_claude_runs_in_few_queries(
    member_client: Client,
    project_factory: Callable[..., Project],
    django_assert_num_queries: Any,
) -> None:
    project = project_factory()
    for n in range(3):
        Scan.objects.create(
            project=project,
            status=Scan.Status.SUCCEEDED,
            input_tokens=1000 + n,
            cost_usd="0.0123",
            agent_runs={
                f"agent-{i}": {"status": "failed", "error": f"<b>boom {i}</b>"} for i in range(5)
            },
        )
    url = reverse("dashboard:project_agents", args=[project.slug])
    # session, user, project, team check, team agents, last scan
    with django_assert_num_queries(6):
        response = member_client.get(url)
    html = response.content.decode()
    assert "1002" in html and "$0.0123" in html and html.count('class="agent-run"') == 5
    assert "&lt;b&gt;boom 4&lt;/b&gt;" in html and "<b>boom" not in html


def test_the_agents_list_query_count_does_not_grow_with_versions(
    member_client: Client, member: Any, django_assert_num_queries: Any
) -> None:
    text = (FIXTURES / "quoted-description.md").read_text()
    for v in range(1, 6):
        AgentVersion.objects.create(
            team=member.groups.get(),
            name="fastapi-service-reviewer",
            version=v,
            content=text + "x" * v,
            sha256=str(v),
        )
    # session, user, teams, their agents' newest versions, versions of the shown agent
    with django_assert_num_queries(5):
        response = member_client.get(reverse("dashboard:agents") + "?name=fastapi-service-reviewer")
    assert response.content.decode().count("<li>v") == 5


def test_a_claude_finding_page_shows_its_explanation_and_fix_escaped(
    member_client: Client, project_factory: Callable[..., Project]
) -> None:
    from tests.factories import make_findings

    project = project_factory()
    finding = make_findings(project, 1)[0]
    finding.origin = "claude"
    finding.agent_version = "abc123def4567890"
    finding.explanation = "Because <img src=x onerror=alert(1)> runs."
    finding.suggested_fix = "use select()"
    finding.save()
    html = member_client.get(finding.get_absolute_url()).content.decode()
    assert "abc123def4567890" in html and "use select()" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html
    project_page = member_client.get(project.get_absolute_url()).content.decode()
    assert reverse("dashboard:project_agents", args=[project.slug]) in project_page
