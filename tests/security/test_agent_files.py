"""Agent files are parsed within bounds: no alias expansion, no deep nesting, short
error messages."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from reviewer.agents.definition import AgentFileError, parse

pytestmark = pytest.mark.django_db


def alias_bomb(levels: int = 9) -> str:
    lines = ["---", "name: bomb", "description: harmless", 'a0: &a0 ["lol","lol","lol","lol"]']
    for level in range(1, levels):
        refs = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines += [f"rules: [*a{levels - 1}]", "---", "Review the code.", ""]
    return "\n".join(lines)


def test_an_alias_bomb_is_refused_at_once_with_a_short_message(member_client: Client) -> None:
    text = alias_bomb()
    assert len(text) < 1000
    started = time.monotonic()
    response = member_client.post(reverse("dashboard:agent_add"), {"content": text})
    elapsed = time.monotonic() - started
    assert response.status_code == 400
    # Expanded, the bomb is 4 * 9**8 (~172 million) strings: a parser that followed the
    # aliases would run for many minutes and gigabytes. The bound only tells "refused
    # before expanding" from that, with room for a loaded machine (speed is not measured).
    assert elapsed < 60
    assert len(response.content) < 50_000
    assert "anchors or aliases" in response.content.decode()
    assert response.content.decode().count("lol") <= text.count("lol")  # nothing expanded


@pytest.mark.parametrize(
    "front",
    [
        "name: deep\ndescription: " + "[" * 100_000,
        "name: deep\ndescription: x\nrules: " + "[" * 5000 + "]" * 5000,
        "name: deep\ndescription: x\nextra: " + "{a: " * 2000 + "1" + "}" * 2000,
    ],
)
def test_deep_nesting_is_refused_not_a_crash(front: str) -> None:
    with pytest.raises(AgentFileError):
        parse(f"---\n{front}\n---\nBody\n", "deep.md")


def test_a_long_hostile_value_is_not_echoed_in_full() -> None:
    hostile = "Z" * 5000
    with pytest.raises(AgentFileError) as info:
        parse(f"---\nname: a\ndescription: d\nrules: [{hostile}]\n---\nBody\n", "long.md")
    assert len(str(info.value)) < 200
    with pytest.raises(AgentFileError) as info:
        parse(f"---\nname: {hostile}\ndescription: d\n---\nBody\n", "long.md")
    assert len(str(info.value)) < 200


def test_an_ordinary_agent_file_still_parses() -> None:
    agent = parse(
        "---\nname: ok-agent\ndescription: 'Reviews: queries'\nrules: [SA, PF]\n"
        "tools: Read, Grep\n---\nBody\n",
        "ok.md",
    )
    assert agent.rules == ("SA", "PF") and agent.tools == ("Read", "Grep")


def test_a_deeply_nested_pyproject_does_not_stop_a_review(tmp_path: object) -> None:
    from pathlib import Path

    from reviewer.engine import review

    root = Path(str(tmp_path))
    (root / "pyproject.toml").write_text("a = " + "[" * 100_000 + "\n")
    (root / "Pipfile").write_text("b = " + "[" * 100_000 + "\n")
    (root / "app.py").write_text("import time\n\nasync def f():\n    time.sleep(1)\n")
    result = review(root)
    assert "AS001" in {issue.rule_id for issue in result.issues}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pasting_an_alias_bomb_in_the_browser_answers_at_once(
    live_server: object, browser: object, member: object
) -> None:
    from playwright.sync_api import expect

    from tests.browser import login, screenshot

    base = live_server.url  # type: ignore[attr-defined]
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    login(page, base)
    page.goto(f"{base}/agents/add/")
    page.fill("#id_content", alias_bomb())
    started = time.monotonic()
    page.get_by_role("button", name="Save agent").click()
    expect(page.get_by_text("anchors or aliases")).to_be_visible()
    assert time.monotonic() - started < 10
    assert len(page.content()) < 50_000
    screenshot(page, "agent-alias-bomb-refused")
    context.close()
