"""``manage.py review PATH --agent NAME`` runs the agent's Claude review when a key is set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from reviewer.agents.models import AgentVersion
from reviewer.management.commands.review import Command
from tests.fake_anthropic import FakeAnthropic, done, prompt_of, tool_use, tools_reply

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
    assert "1 verified (0 confirming rule findings, 0 duplicates), 1 rejected" in out
    assert "  rejected: svc.py:3: quoted code not found in the file" in out
    assert "- svc.py:5 AS001" in prompt_of(fake_api.requests[0])


def test_review_without_a_key_does_not_call_the_api(
    tmp_path: Path, fake_api: FakeAnthropic, settings: object, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.ANTHROPIC_API_KEY = ""  # type: ignore[attr-defined]
    (tmp_path / "svc.py").write_text(CODE)
    call_command("review", str(tmp_path), "--agent", "reviewer")
    assert not fake_api.requests and "Claude review" not in capsys.readouterr().out


def blocking(rule_id: str = "AS001") -> dict[str, object]:
    """What the rules already found (AS001 on line 5), reported again by Claude."""
    return tool_use(
        "report_finding",
        {
            "rule_id": rule_id,
            "category": "asyncio",
            "severity": "critical",
            "confidence": 95,
            "path": "svc.py",
            "line": 5,
            "code": "time.sleep(1)",
            "title": "blocking sleep in async code",
            "explanation": "Blocks the event loop.",
        },
    )


def review_report(
    tmp_path: Path, fmt: str, *args: str, capsys: pytest.CaptureFixture[str]
) -> tuple[Command, dict[str, Any]]:
    command = Command()
    call_command(command, str(tmp_path), "--format", fmt, *args)
    return command, json.loads(capsys.readouterr().out)


def script_one_review(fake_api: FakeAnthropic) -> None:
    fake_api.add(
        tools_reply(
            blocking(),
            finding(6, "return eval(data)"),
            finding(6, "return eval(data)"),  # said twice in one answer
            finding(3, "os.system(cmd)"),
            tool_use("read_file", {"path": "/etc/passwd"}),
        ),
        done(),
    )


def test_json_puts_claude_findings_in_the_report_without_the_rules_duplicates(
    tmp_path: Path, fake_api: FakeAnthropic, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "svc.py").write_text(CODE)
    script_one_review(fake_api)
    command, report = review_report(tmp_path, "json", "--agent", "reviewer", capsys=capsys)
    assert command.exit_code == 1
    assert [(i["rule_id"], i["origin"]) for i in report["issues"]] == [("AS001", "rules")]
    (claude,) = report["claude_issues"]  # AS001 again and the repeated eval: not twice
    assert (claude["path"], claude["line"], claude["origin"]) == ("svc.py", 6, "claude")
    assert claude["title"] == "eval of input" and claude["explanation"] == "Runs arbitrary code."
    assert report["summary"]["claude_issues"] == 1
    (run,) = report["claude_runs"]
    assert run["agent"] == "python-backend-reviewer" and run["status"] == "succeeded"
    assert run["confirmed_rule_findings"] == 1
    assert run["rejections"] == ["svc.py:3: quoted code not found in the file"]
    assert run["tool_errors"] == 1 and run["tool_error_log"][0].startswith("read_file: ")


def test_sarif_has_a_second_run_for_the_claude_agents(
    tmp_path: Path, fake_api: FakeAnthropic, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "svc.py").write_text(CODE)
    script_one_review(fake_api)
    _, log = review_report(tmp_path, "sarif", "--agent", "reviewer", capsys=capsys)
    rules, claude = log["runs"]
    assert [r["ruleId"] for r in rules["results"]] == ["AS001"]
    assert rules["results"][0]["properties"]["origin"] == "rules"
    assert claude["tool"]["driver"]["name"] == "Reviewdeck Claude agents"
    (result,) = claude["results"]
    assert result["ruleId"] == "AI-security" and result["properties"]["origin"] == "claude"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 6
    notes = [n["message"]["text"] for n in claude["invocations"][0]["toolExecutionNotifications"]]
    assert "python-backend-reviewer: succeeded" in notes
    assert (
        "python-backend-reviewer: finding rejected: svc.py:3: quoted code not found in the file"
        in notes
    )
    assert any(n.startswith("python-backend-reviewer: tool error: read_file: ") for n in notes)


def test_an_agent_file_runs_by_its_path_and_files_not_reviewed_are_reported(
    tmp_path: Path,
    fake_api: FakeAnthropic,
    settings: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings.CLAUDE_CONVERSATION_CHARS = 300
    code = tmp_path / "code"
    code.mkdir()
    (code / "svc.py").write_text(CODE)
    (code / "big.py").write_text("x = 1\n" * 200)
    agent = tmp_path / "sql-hunter.md"
    agent.write_text(
        "---\nname: sql-hunter\ndescription: Finds SQL built from strings.\nmodel: sonnet\n"
        "---\nYou look for SQL text built from user input and nothing else.\n"
    )
    fake_api.add(tools_reply(finding(6, "return eval(data)")), done())
    command = Command()
    call_command(command, str(code), "--format", "json", "--agent", str(agent))
    report = json.loads(capsys.readouterr().out)
    system = fake_api.requests[0]["body"]["system"]
    assert "You look for SQL text built from user input" in json.dumps(system)
    assert report["issues"] and report["issues"][0]["rule_id"] == "AS001"  # every rule ran
    (run,) = report["claude_runs"]
    assert run["agent"] == "sql-hunter" and run["source"] == str(agent)
    assert run["status"] == "incomplete"
    assert run["not_reviewed"] == [
        {
            "path": "big.py",
            "reason": "too large for one conversation (CLAUDE_CONVERSATION_CHARS 300)",
        }
    ]
    assert [i["agent"] for i in report["claude_issues"]] == ["sql-hunter"]


def test_team_agents_come_from_this_installations_database(
    tmp_path: Path, fake_api: FakeAnthropic, capsys: pytest.CaptureFixture[str], db: None
) -> None:
    (tmp_path / "svc.py").write_text(CODE)
    body = "---\nname: house-style\ndescription: Our rules.\nmodel: sonnet\n---\n{text}\n"
    for team in ("payments", "search"):
        group = Group.objects.create(name=team)
        content = body.format(text=f"The {team} team's review.")
        AgentVersion.objects.create(
            team=group, name="house-style", version=1, content=content, sha256=team
        )
    with pytest.raises(CommandError, match=r"several teams \(payments, search\).*--team"):
        call_command("review", str(tmp_path), "--agent", "house-style")
    with pytest.raises(CommandError, match="Unknown agent 'nobody'"):
        call_command("review", str(tmp_path), "--agent", "nobody")
    fake_api.add(done())
    call_command(
        "review", str(tmp_path), "--format", "json", "--agent", "house-style", "--team", "search"
    )
    assert "The search team's review." in json.dumps(fake_api.requests[0]["body"]["system"])
    assert json.loads(capsys.readouterr().out)["claude_runs"][0]["agent"] == "house-style"


def test_without_a_key_an_agent_file_is_named_as_not_run(
    tmp_path: Path, fake_api: FakeAnthropic, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.ANTHROPIC_API_KEY = ""
    (tmp_path / "svc.py").write_text(CODE)
    agent = tmp_path / "mine.md"
    agent.write_text("---\nname: mine\ndescription: Mine.\n---\nReview.\n")
    call_command("review", str(tmp_path / "svc.py"), "--agent", str(agent))
    captured = capsys.readouterr()
    assert "ANTHROPIC_API_KEY is not set: no Claude review by mine" in captured.err
    assert "AS001" in captured.out and not fake_api.requests
