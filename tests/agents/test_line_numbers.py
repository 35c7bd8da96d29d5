"""Lines numbered the way git and editors count them: a form feed or U+2028 inside a
line does not start a new one (``str.splitlines()`` would)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reviewer.agents.tasks import run_claude_review
from reviewer.agents.tools import Checkout, lines_of
from reviewer.models import Finding, Project, Scan
from reviewer.scanning import request_scan, run_scan
from tests.conftest import GitRepo
from tests.fake_anthropic import FakeAnthropic, done, prompt_of, tool_use, tools_reply

REVIEWER = "python-backend-reviewer"
SOURCE = (
    '"""Module\u2028with a line separator in its docstring."""\n'
    "\f\n"
    "# section two\f(after a form feed)\r\n"
    "def load(session, user_id):\n"
    '    return session.execute(f"SELECT {user_id}")\n'
)
FLAGGED = 'return session.execute(f"SELECT {user_id}")'


def git_line_of(data: bytes, needle: bytes) -> int:
    """What `git grep -n` / an editor shows: 1 + the newlines before the match."""
    return data[: data.index(needle)].count(b"\n") + 1


def test_lines_of_splits_at_newlines_only() -> None:
    assert lines_of("a\fb\nc\u2028d\r\ne\n") == ["a\fb", "c\u2028d", "e"]
    assert lines_of("") == [] and lines_of("x") == ["x"] and lines_of("\n") == [""]


def test_read_file_and_grep_number_lines_as_git_does(tmp_path: Path) -> None:
    (tmp_path / "db.py").write_text(SOURCE, newline="")
    expected = git_line_of(SOURCE.encode(), FLAGGED.encode())
    assert expected == 5
    checkout = Checkout(tmp_path, 100_000)
    assert checkout.run("grep", {"text": "session.execute"}).startswith(f"db.py:{expected}: ")
    listing = checkout.run("read_file", {"path": "db.py"})
    assert f"   {expected}|     {FLAGGED}" in listing
    assert len(listing.splitlines()) >= 5 and listing.count("|") >= 5


@pytest.mark.django_db
def test_a_claude_finding_lands_on_the_line_git_shows(
    workdir: Path,
    make_repo: Callable[[str], GitRepo],
    project_factory: Callable[..., Project],
    fake_api: FakeAnthropic,
) -> None:
    repo = make_repo("svc")
    repo.commit({"app/db.py": SOURCE})
    project = project_factory(repo_url=str(repo.path), agents=[REVIEWER])
    expected = git_line_of((repo.path / "app/db.py").read_bytes(), FLAGGED.encode())
    report: dict[str, Any] = {
        "category": "security",
        "severity": "critical",
        "confidence": 95,
        "path": "app/db.py",
        "line": expected,
        "code": FLAGGED,
        "title": "SQL injection",
        "explanation": "User input is formatted into SQL.",
    }
    fake_api.add(tools_reply(tool_use("report_finding", report)), done())
    scan, _ = request_scan(project, Scan.Trigger.CLI)
    run_scan(scan.pk)
    run_claude_review(scan.pk)
    prompt = prompt_of(fake_api.requests[0])
    assert f"   {expected}|     {FLAGGED}" in prompt
    claude = Finding.objects.get(project=project, origin=Finding.Origin.CLAUDE)
    assert claude.line == expected
    assert claude.snippet.strip() == FLAGGED
