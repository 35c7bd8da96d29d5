"""The agents pages in a real browser: paste a team agent, see its version, choose it for
a project; the prompt is shown as text, never as markup."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from reviewer.models import Project
from tests.browser import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AGENT = (Path(__file__).parent / "fixtures" / "quoted-description.md").read_text()


def test_a_member_pastes_an_agent_and_chooses_it_for_a_project(
    live_server: object,
    browser: object,
    member: User,
    project_factory: Callable[..., Project],
) -> None:
    project = project_factory(name="shop")
    base = live_server.url  # type: ignore[attr-defined]
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "favicon" not in msg.location.get("url", "")
            else None
        ),
    )
    login(page, base)

    page.click("nav >> text=Agents")
    expect(page.locator("#agents")).to_contain_text("python-backend-reviewer")
    page.click("text=Add a team agent")
    page.fill("#id_content", AGENT + "\n<img src=x onerror=\"document.title='owned'\">\n")
    page.click("main button[type=submit]")
    expect(page.locator("#agent-versions")).to_contain_text("v1")
    expect(page.locator("pre.prompt")).to_contain_text("<img src=x onerror=")
    assert page.title() != "owned"
    screenshot(page, "agents-team-agent")

    page.goto(f"{base}/projects/{project.slug}/agents/")
    page.check("input[value=fastapi-service-reviewer]")
    page.click("#project-agents button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Saved the agents")
    project.refresh_from_db()
    assert project.agents == ["fastapi-service-reviewer"]
    assert not errors, errors
