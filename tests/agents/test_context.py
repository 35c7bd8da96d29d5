"""Diff-aware context: a first review goes in order of risk and says what it covered; a
later scan sends a reviewed file's changed regions (widened to the enclosing function)
with the commit messages, and earlier findings outside them carry over."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reviewer.agents.context import regions, repo_map, risk
from reviewer.agents.tasks import run_claude_review
from reviewer.models import Finding, Project, Scan
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo
from tests.fake_anthropic import FakeAnthropic, done, prompt_of, tool_use, tools_reply

REVIEWER = "python-backend-reviewer"
UTIL = (
    "import os\n"
    "\n"
    "\n"
    "def first(x):\n"
    "    return eval(x)\n"
    "\n"
    "\n"
    "def second(y):\n"
    "    return os.system(y)\n"
)
FILES = {
    "app/util.py": UTIL,
    "app/models.py": "class Item(Base):\n    __tablename__ = 'items'\n",
    "app/api/items.py": "@router.get('/items')\nasync def list_items():\n    return []\n",
    "migrations/versions/0001_init.py": "def upgrade():\n    pass\n",
    "app/services/items.py": "def total(items):\n    return len(items)\n",
    "tests/test_items.py": "def test_total():\n    assert 1\n",
}


def test_risk_order_regions_and_the_map() -> None:
    texts = dict(FILES)
    ordered = sorted(texts, key=lambda p: risk(p, texts[p]))
    assert ordered == [
        "app/api/items.py",
        "app/models.py",
        "migrations/versions/0001_init.py",
        "app/services/items.py",
        "app/util.py",
        "tests/test_items.py",
    ]
    assert regions("app/util.py", UTIL, {9}) == [(8, 9)]
    assert regions("app/util.py", UTIL, {1, 5, 9}) == [(1, 5), (8, 9)]
    assert regions("Dockerfile", "A\n" * 20, {10}) == [(7, 13)]
    shown = repo_map(texts, texts)
    assert "app/api/items.py: route GET /items -> list_items" in shown
    assert "app/models.py: model Item" in shown


def report(line: int, code: str, title: str) -> dict[str, Any]:
    return tool_use(
        "report_finding",
        {
            "category": "security",
            "severity": "critical",
            "confidence": 90,
            "path": "app/util.py",
            "line": line,
            "code": code,
            "title": title,
            "explanation": "Input reaches a dangerous call.",
        },
    )


@pytest.mark.django_db
def test_a_first_review_by_risk_then_a_diff_review_of_the_change(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    fake_api: FakeAnthropic,
    settings: Any,
) -> None:
    settings.CLAUDE_CONVERSATION_CHARS = 400  # one file per conversation
    repo = make_repo("svc")
    repo.commit(FILES, message="initial")
    project = project_factory(repo_url=str(repo.path), agents=[REVIEWER])

    def first_review(request: dict[str, Any]) -> Any:
        body = request["body"]
        if len(body["messages"]) > 1:
            return done()
        if '<file path="app/util.py">' in prompt_of(request):
            return tools_reply(
                report(5, "return eval(x)", "eval"), report(9, "return os.system(y)", "shell")
            )
        return done()

    fake_api.when_empty = first_review
    scan, _ = request_scan(project, Scan.Trigger.SCHEDULE)
    run_scan(scan.pk)
    run_claude_review(scan.pk)
    scan.refresh_from_db()
    order = [
        path
        for r in fake_api.requests
        if len(r["body"]["messages"]) == 1
        for path in re.findall(r'<file path="([^"]+)">', prompt_of(r))
    ]
    assert order == [
        "app/api/items.py",
        "app/models.py",
        "migrations/versions/0001_init.py",
        "app/services/items.py",
        "app/util.py",
        "tests/test_items.py",
    ]
    run = scan.agent_runs[REVIEWER]
    assert run["status"] == "succeeded"
    assert run["coverage"].startswith("first review in order of risk (routes 1, models 1")
    system = fake_api.requests[0]["body"]["system"][1]["text"]
    assert "route GET /items -> list_items" in system and "model Item" in system
    assert {f.title for f in Finding.objects.filter(project=project, origin="claude")} == {
        "eval",
        "shell",
    }

    # The second function changes; the first does not.
    repo.commit(
        {"app/util.py": UTIL.replace("return os.system(y)", "return os.system(y + ' &')")},
        message="util: run the command in the background",
    )
    fake_api.requests.clear()
    fake_api.when_empty = None
    fake_api.add(done())
    later, _ = request_scan(project, Scan.Trigger.SCHEDULE)
    run_scan(later.pk)
    run_claude_review(later.pk)
    later.refresh_from_db()
    (request,) = fake_api.requests
    prompt = prompt_of(request)
    assert '<changes path="app/util.py" lines="8-9" total_lines="9">' in prompt
    assert "   9|     return os.system(y + ' &')" in prompt
    assert "eval(x)" not in prompt and '<file path="app/util.py">' not in prompt
    assert "util: run the command in the background" in prompt
    assert later.agent_runs[REVIEWER]["coverage"].startswith("changes since ")
    found = {f.title: f for f in Finding.objects.filter(project=project, origin="claude")}
    assert found["eval"].is_open and found["eval"].line == 5  # outside the change: kept
    assert found["shell"].status == Finding.Status.FIXED  # in the change, not reported again
