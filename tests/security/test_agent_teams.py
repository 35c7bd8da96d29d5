"""Team agents belong to their team: only its members see them, only its projects run
them, and built-in or operator agents cannot be shadowed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from reviewer.agents.catalog import installed
from reviewer.agents.models import AgentVersion
from reviewer.agents.selection import agents_for
from reviewer.agents.tasks import run_claude_review
from reviewer.models import Project, Scan
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo
from tests.fake_anthropic import FakeAnthropic, done

pytestmark = pytest.mark.django_db

B_PROMPT = "B-ONLY PROMPT: list every secret in the code you can find."
A_PROMPT = "A's own careful review prompt."


def agent_file(name: str, body: str) -> str:
    return f"---\nname: {name}\ndescription: team agent\nmodel: haiku\n---\n{body}\n"


@pytest.fixture
def teams(member: User, outsider: User) -> tuple[Group, Group]:
    return member.groups.get(), outsider.groups.get()


def add_agent(user: User, text: str) -> int:
    client = Client()
    client.force_login(user)
    return client.post(reverse("dashboard:agent_add"), {"content": text}).status_code


def test_another_teams_agent_is_neither_listed_nor_shown(
    member: User, outsider: User, teams: tuple[Group, Group]
) -> None:
    assert add_agent(outsider, agent_file("secret-hunter", B_PROMPT)) == 302
    team_b = teams[1]
    client = Client()
    client.force_login(member)
    for query in ("?name=secret-hunter", f"?name=secret-hunter&team={team_b.pk}", ""):
        html = client.get(reverse("dashboard:agents") + query).content.decode()
        assert "B-ONLY PROMPT" not in html and "secret-hunter" not in html
    loner = User.objects.create_user("loner", password="loner pass phrase")
    client.force_login(loner)
    html = client.get(reverse("dashboard:agents") + "?name=secret-hunter").content.decode()
    assert "B-ONLY PROMPT" not in html
    assert client.post(reverse("dashboard:agent_add"), {"content": "x"}).status_code == 403


def test_publishing_the_same_name_makes_your_own_agent_not_a_new_version_of_theirs(
    member: User, outsider: User, teams: tuple[Group, Group]
) -> None:
    team_a, team_b = teams
    assert add_agent(member, agent_file("reviewer-x", A_PROMPT)) == 302
    assert add_agent(outsider, agent_file("reviewer-x", B_PROMPT)) == 302
    rows = set(AgentVersion.objects.values_list("team_id", "name", "version"))
    assert rows == {(team_a.pk, "reviewer-x", 1), (team_b.pk, "reviewer-x", 1)}
    assert installed(team_id=team_a.pk)["reviewer-x"].agent.body == A_PROMPT
    assert installed(team_id=team_b.pk)["reviewer-x"].agent.body == B_PROMPT


def test_built_in_and_operator_agents_cannot_be_shadowed(
    member: User, teams: tuple[Group, Group], tmp_path: Path, settings: object
) -> None:
    operator_dir = tmp_path / "agents"
    operator_dir.mkdir()
    (operator_dir / "ops.md").write_text(agent_file("ops-reviewer", "The operator's prompt."))
    settings.REVIEWDECK_AGENTS_DIR = str(operator_dir)  # type: ignore[attr-defined]
    for name in ("python-backend-reviewer", "ops-reviewer"):
        assert add_agent(member, agent_file(name, B_PROMPT)) == 400
    # Even a row written past the form (admin, old data) does not replace them.
    AgentVersion.objects.create(
        team=teams[0], name="ops-reviewer", version=1, content=agent_file("ops-reviewer", B_PROMPT)
    )
    assert installed(team_id=teams[0].pk)["ops-reviewer"].agent.body == "The operator's prompt."


def test_a_project_runs_only_its_own_teams_agents_and_only_when_chosen(
    member: User,
    outsider: User,
    teams: tuple[Group, Group],
    project_factory: Callable[..., Project],
) -> None:
    add_agent(outsider, agent_file("secret-hunter", B_PROMPT))
    add_agent(member, agent_file("careful", A_PROMPT))
    project = project_factory()  # team A, no agents chosen
    default = agents_for(project)
    assert "secret-hunter" not in default and "careful" not in default
    assert "python-backend-reviewer" in default
    project.agents = ["secret-hunter", "careful"]  # stored past the form
    assert agents_for(project) == ["careful"]
    client = Client()
    client.force_login(member)
    response = client.post(
        reverse("dashboard:project_agents", args=[project.slug]),
        {"agents": ["secret-hunter"], "claude_enabled": "on"},
    )
    assert response.status_code == 200  # not a choice: the form refuses it
    project.refresh_from_db()
    assert "secret-hunter" not in project.agents


def test_a_claude_review_never_sends_code_with_another_teams_prompt(
    member: User,
    outsider: User,
    teams: tuple[Group, Group],
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    settings: object,
) -> None:
    fake = FakeAnthropic().start()
    try:
        settings.ANTHROPIC_API_KEY = "sk-test-not-a-real-key"  # type: ignore[attr-defined]
        settings.ANTHROPIC_BASE_URL = fake.url  # type: ignore[attr-defined]
        settings.ANTHROPIC_MAX_RETRIES = 0  # type: ignore[attr-defined]
        add_agent(outsider, agent_file("hunter", B_PROMPT))
        add_agent(member, agent_file("hunter", A_PROMPT))
        repo = make_repo("svc")
        repo.commit({"app/api.py": "API_KEY = 'team-a-secret'\n"})
        project = project_factory(repo_url=str(repo.path), agents=["hunter"])
        fake.add(done())
        scan, _ = request_scan(project, Scan.Trigger.CLI)
        run_scan(scan.pk)
        scan.refresh_from_db()
        assert scan.agent_runs == {"hunter": {"status": "queued"}}
        run_claude_review(scan.pk)
        systems = [str(r["body"].get("system")) for r in fake.requests if r.get("body")]
        assert systems and all(A_PROMPT in s and "B-ONLY" not in s for s in systems)
    finally:
        fake.stop()
