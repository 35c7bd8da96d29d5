"""Text, JSON and SARIF 2.1.0 reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reviewer.engine import Issue, ReviewResult, review
from reviewer.engine.report import format_json, format_text, render, to_sarif

SOURCE = (
    "import time\n"
    "from fastapi import FastAPI\n"
    "app = FastAPI()\n"
    "@app.on_event('startup')\n"
    "def f():\n"
    "    pass\n"
    "@app.get('/')\n"
    "async def g():\n"
    "    time.sleep(1)\n"
)


def reviewed(tmp_path: Path) -> ReviewResult:
    (tmp_path / "app dir").mkdir()
    (tmp_path / "app dir" / "main.py").write_text(SOURCE)
    (tmp_path / "bin.py").write_bytes(b"\x00")
    return review(tmp_path)


def test_text_report_lists_findings_notes_and_a_summary(tmp_path: Path) -> None:
    text = format_text(reviewed(tmp_path))
    lines = text.splitlines()
    assert lines[0].startswith("app dir/main.py:4:2  SUGGESTION  FA001  ")
    assert ' — `app.on_event("startup")`' in lines[0]
    assert lines[1].startswith("app dir/main.py:9:5  CRITICAL  AS001  Blocking call")
    assert "Notes:" in lines and any(line.startswith("  bin.py: binary") for line in lines)
    assert lines[-1] == (
        "2 findings (1 critical, 0 important, 1 suggestion) in 1 file reviewed; 1 notes."
    )
    assert format_text(ReviewResult()).strip().startswith("0 findings")


def test_json_report_has_stable_keys(tmp_path: Path) -> None:
    data = json.loads(format_json(reviewed(tmp_path)))
    assert set(data) == {"tool", "summary", "issues", "notes", "unreadable", "incomplete", "stats"}
    assert data["incomplete"] == {"bin.py": data["notes"][0]["message"]}
    assert data["summary"]["critical"] == 1 and data["summary"]["issues"] == 2
    issue = data["issues"][0]
    assert set(issue) == {
        "rule_id",
        "path",
        "line",
        "column",
        "title",
        "message",
        "severity",
        "confidence",
        "category",
        "agent",
        "debt_kind",
        "debt_minutes",
        "snippet",
        "context",
        "dialects",
        "line_hash",
    }
    assert (issue["rule_id"], issue["path"], issue["line"]) == ("FA001", "app dir/main.py", 4)
    assert (issue["context"], issue["dialects"]) == ("production", "")
    assert data["notes"] == [{"path": "bin.py", "message": data["notes"][0]["message"]}]
    assert data["unreadable"] == ["bin.py"]


def _check_sarif_shape(log: dict[str, Any]) -> dict[str, Any]:
    assert log["version"] == "2.1.0" and "sarif-2.1.0" in log["$schema"]
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "Reviewdeck"
    for descriptor in driver["rules"]:
        assert descriptor["id"]
        assert descriptor["shortDescription"]["text"]
        assert descriptor["fullDescription"]["text"]
        assert descriptor["help"]["text"]
        assert descriptor["defaultConfiguration"]["level"] in {"error", "warning", "note"}
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not location["artifactLocation"]["uri"].startswith(("/", "file:"))
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1
    return run


def test_sarif_report_has_the_required_structure(tmp_path: Path) -> None:
    result = reviewed(tmp_path)
    log = json.loads(render(result, "sarif"))
    run = _check_sarif_shape(log)
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("FA001", "note"),
        ("AS001", "error"),
    ]
    first = results[0]
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "app%20dir/main.py"
    assert location["region"]["startLine"] == 4
    assert location["region"]["startColumn"] == 2  # 1-based; the Issue column is 0-based
    assert first["partialFingerprints"]["reviewdeckLineHash/v1"] == result.issues[0].line_hash
    levels = {d["id"]: d["defaultConfiguration"]["level"] for d in run["tool"]["driver"]["rules"]}
    assert levels["AS001"] == "error" and levels["SA010"] == "warning"
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bin.py"


def test_sarif_writer_takes_a_filtered_list_of_issues(tmp_path: Path) -> None:
    result = reviewed(tmp_path)
    critical = [i for i in result.issues if i.severity == "critical"]
    foreign = Issue(
        rule_id="AGENT042",
        path="x.py",
        line=1,
        column=0,
        title="Judgement call",
        message="m",
        severity="suggestion",
        confidence=60,
        category="quality",
        agent="python-backend-architect",
    )
    log = to_sarif(issues=[*critical, foreign], root_uri="file:///srv/checkout/")
    run = _check_sarif_shape(log)
    assert [r["ruleId"] for r in run["results"]] == ["AS001", "AGENT042"]
    assert run["results"][1]["level"] == "note"
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///srv/checkout/"}}
    assert run["invocations"][0]["toolExecutionNotifications"] == []
