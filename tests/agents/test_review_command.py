"""``manage.py review PATH --agent NAME`` runs the agent's Claude review when a key is set."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from reviewer.management.commands.review import Command
from tests.fake_anthropic import FakeAnthropic, done, tool_use, tools_reply

CODE = "import time\n\n\nasync def f():\n    time.sleep(1)\n    return eval(data)\n"


def finding(line: int, code: str, confidence: int = 90) -> dict[str, object]:
    return tool_use(
        "report_finding",
        {
            "rule_id": "",
            "category": "security",
            "severity": "critical",
            "confidence": confidence,
            "path": "svc.py",
            "line": line,
            "code": code,
            "title": "eval of input",
            "explanation": "Runs arbitrary code.",
        },
    )


def test_review_with_an_agent_and_a_key_prints_verified_claude_findings(
    tmp_path: Path, fake_api: FakeAnthropic, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "svc.py").write_text(CODE)
    fake_api.add(tools_reply(finding(2, "return eval(data)"), finding(3, "os.system(cmd)")), done())
    command = Command()
    call_command(command, str(tmp_path), "--agent", "reviewer")
    out = capsys.readouterr().out
    assert command.exit_code == 1
    assert "AS001" in out  # the rules still run
    assert "svc.py:6: critical [security] eval of input (confidence 90)" in out
    assert "1 verified, 1 rejected" in out
    assert "- svc.py:5 AS001" in fake_api.requests[0]["body"]["messages"][0]["content"]


def test_review_without_a_key_does_not_call_the_api(
    tmp_path: Path, fake_api: FakeAnthropic, settings: object, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.ANTHROPIC_API_KEY = ""  # type: ignore[attr-defined]
    (tmp_path / "svc.py").write_text(CODE)
    call_command("review", str(tmp_path), "--agent", "reviewer")
    assert not fake_api.requests and "Claude review" not in capsys.readouterr().out
