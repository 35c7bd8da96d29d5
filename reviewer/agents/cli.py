"""``manage.py review PATH --agent NAME`` with an API key: the same Claude review as a scan
(same prompt, tools, verification and budgets), reported instead of stored. No cache: a
team can try an agent on a checkout before scheduling it.

An agent is a built-in or operator agent (by name), the path of an agent file (a Claude
Code subagent ``.md`` file), or a team agent of this installation (read from its
database). Claude findings go into the report itself: text, JSON (a ``claude`` section)
or SARIF (a second run, each result with ``properties.origin``), de-duplicated against
the rule findings (a Claude finding of the same category or rule within a few lines of a
rule finding confirms it instead), with the rejected findings, tool errors and the files
not reviewed, each with its reason.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import DatabaseError

from reviewer.agents.budget import Limits, Usage
from reviewer.agents.catalog import fixed_agents, team_agents
from reviewer.agents.definition import AgentDefinition, AgentFileError, load_file
from reviewer.agents.live import run_agent
from reviewer.agents.run import CORROBORATION_LINES, AgentRun, CachedFinding, Files, make_client
from reviewer.engine.code_context import classify
from reviewer.engine.registry import load_rules
from reviewer.engine.report import (
    SRCROOT,
    TOOL_NAME,
    dumps,
    format_text,
    issue_dict,
    to_json,
    to_sarif,
)
from reviewer.engine.types import Issue, ReviewResult

BUILTIN_PREFIX = "python-backend-"


class AgentNotFoundError(ValueError):
    """``--agent`` names nothing this installation can run; the message says why."""


def resolve_claude_agent(value: str, team: str = "") -> AgentDefinition:
    """The agent ``--agent value`` names: an agent file path, a built-in or operator
    agent (a built-in also by its short name), or a team agent of this installation."""
    path = Path(value).expanduser()
    if value.endswith(".md") or "/" in value or path.is_file():
        if not path.is_file():
            raise AgentNotFoundError(f"{value}: no such agent file")
        try:
            return load_file(path)
        except AgentFileError as exc:
            raise AgentNotFoundError(str(exc)) from None
    fixed = fixed_agents()
    for name in (value, BUILTIN_PREFIX + value):
        if name in fixed and not team:
            return fixed[name].agent
    try:
        found = [item for item in team_agents(None) if item.agent.name == value]
    except DatabaseError:
        raise AgentNotFoundError(
            f"{value}: not a built-in or operator agent, and team agents are read from "
            "this installation's database, which is not reachable. Give the path of the "
            "agent file instead."
        ) from None
    if team:
        found = [item for item in found if item.team_name == team]
    if len(found) == 1:
        return found[0].agent
    if found:
        teams = ", ".join(sorted(item.team_name or "(no team)" for item in found))
        raise AgentNotFoundError(
            f"{value}: a team agent of several teams ({teams}); choose one with --team."
        )
    known = ", ".join(sorted(fixed))
    where = f" of team {team!r}" if team else ""
    raise AgentNotFoundError(
        f"Unknown agent {value!r}{where}: give a built-in or operator agent ({known}), a "
        "team agent of this installation, or the path of an agent file (.md)."
    )


def _no_cache(agent_hash: str, model: str, blobs: list[str]) -> dict[str, list[CachedFinding]]:
    return {}


def _drop(agent_hash: str, model: str, blob: str, findings: list[CachedFinding]) -> None:
    return None


def review_with_claude(
    root: Path,
    agents: Iterable[AgentDefinition],
    rule_issues: Iterable[Issue],
    only: Iterable[str] | None,
) -> list[AgentRun]:
    files = Files.read(root, settings.REVIEWDECK_MAX_FILE_BYTES)
    if only is not None:
        files = files.only(only)
    already: dict[str, list[str]] = defaultdict(list)
    for issue in rule_issues:
        already[issue.path].append(f"{issue.line} {issue.rule_id} {issue.title}")
    client = make_client()
    run_limits = Limits.from_mapping(settings.CLAUDE_RUN_BUDGET)
    scan_limits = Limits.from_mapping(settings.CLAUDE_SCAN_BUDGET)
    conversation_limits = Limits.from_mapping(settings.CLAUDE_CONVERSATION_BUDGET)
    scan_spent = Usage()
    return [
        run_agent(
            client,
            agent,
            root,
            files,
            already=already,
            run_limits=run_limits,
            scan_limits=scan_limits,
            scan_spent=scan_spent,
            cache_get=_no_cache,
            cache_put=_drop,
            conversation_limits=conversation_limits,
        )
        for agent in agents
    ]


@dataclass
class ClaudeReport:
    """The verified Claude findings that are not rule findings, and what each run did."""

    runs: list[AgentRun]
    issues: list[Issue] = field(default_factory=list)
    extra: dict[int, CachedFinding] = field(default_factory=dict)  # id(issue) -> finding
    confirmed: dict[str, int] = field(default_factory=dict)  # agent -> rule findings confirmed
    duplicates: dict[str, int] = field(default_factory=dict)  # agent -> same as another agent


def _rule_id(item: CachedFinding, known: set[str]) -> str:
    rid = str(item.get("rule_id") or "").strip().upper()
    return rid if rid in known else f"AI-{item['category']}"[:40]


def claude_report(runs: list[AgentRun], rule_issues: Iterable[Issue]) -> ClaudeReport:
    """De-duplicate the runs' verified findings against the rule findings (as a scan
    does: same category or rule id within ``CORROBORATION_LINES``) and each other."""
    by_path: dict[str, list[Issue]] = defaultdict(list)
    for issue in rule_issues:
        by_path[issue.path].append(issue)
    known = {r.id for r in load_rules().all()}
    report = ClaudeReport(runs)
    seen: set[tuple[str, int, str]] = set()
    for run in runs:
        name = run.agent.name
        report.confirmed[name] = report.duplicates[name] = 0
        for path in sorted(run.findings):
            for item in sorted(run.findings[path], key=lambda i: int(i["line"])):
                rule_id = _rule_id(item, known)
                line = int(item["line"])
                if any(
                    abs(r.line - line) <= CORROBORATION_LINES
                    and (r.category == item["category"] or r.rule_id == rule_id)
                    for r in by_path.get(path, ())
                ):
                    report.confirmed[name] += 1
                    continue
                if (path, line, rule_id) in seen:
                    report.duplicates[name] += 1
                    continue
                seen.add((path, line, rule_id))
                issue = Issue(
                    rule_id=rule_id,
                    path=path,
                    line=line,
                    column=0,
                    title=str(item["title"])[:300],
                    message=str(item["explanation"])[:500],
                    severity=item["severity"],
                    confidence=int(item["confidence"]),
                    category=str(item["category"])[:40],
                    agent=name,
                    snippet=str(item["snippet"]),
                    context=classify(path),
                )
                report.issues.append(issue)
                report.extra[id(issue)] = item
    return report


def _reason(run: AgentRun) -> str:
    return (
        run.error
        or run.stopped
        or run.incomplete
        or (f"{len(run.not_reviewed)} file(s) not reviewed" if run.not_reviewed else "")
    )


def run_entry(run: AgentRun, report: ClaudeReport) -> dict[str, Any]:
    """One agent's run for the JSON report (and the SARIF run's properties)."""
    summary = run.summary()
    summary.pop("not_reviewed", None)
    return {
        "agent": run.agent.name,
        "source": run.agent.source,
        **summary,
        "reason": _reason(run),
        "rejections": list(run.rejections),
        "tool_error_log": list(run.tool_error_log),
        "not_reviewed": [
            {"path": path, "reason": why} for path, why in sorted(run.not_reviewed.items())
        ],
        "confirmed_rule_findings": report.confirmed.get(run.agent.name, 0),
        "duplicates": report.duplicates.get(run.agent.name, 0),
    }


def _claude_issue(issue: Issue, item: CachedFinding) -> dict[str, Any]:
    return {
        **issue_dict(issue),
        "origin": "claude",
        "explanation": str(item.get("explanation", "")),
        "suggested_fix": str(item.get("suggested_fix", "")),
        "low_confidence": issue.confidence < settings.CLAUDE_CONFIDENCE_THRESHOLD,
    }


def to_json_with_claude(result: ReviewResult, report: ClaudeReport) -> dict[str, Any]:
    data = to_json(result)
    for issue in data["issues"]:
        issue["origin"] = "rules"
    data["summary"]["claude_issues"] = len(report.issues)
    data["claude_issues"] = [_claude_issue(i, report.extra[id(i)]) for i in report.issues]
    data["claude_runs"] = [run_entry(run, report) for run in report.runs]
    return data


def _notification(level: str, text: str, path: str = "") -> dict[str, Any]:
    note: dict[str, Any] = {"level": level, "message": {"text": text}}
    if path:
        location = {"artifactLocation": {"uri": quote(path), "uriBaseId": SRCROOT}}
        note["locations"] = [{"physicalLocation": location}]
    return note


def to_sarif_with_claude(result: ReviewResult, report: ClaudeReport) -> dict[str, Any]:
    """The rule run as usual, then a second run for the Claude agents: their findings
    (``properties.origin`` "claude"), and as notifications each run's outcome, its
    rejected findings, tool errors and files not reviewed."""
    log = to_sarif(result)
    for found in log["runs"][0]["results"]:
        found["properties"]["origin"] = "rules"
    claude = to_sarif(issues=report.issues, notes=[], rules=[])["runs"][0]
    claude["tool"]["driver"]["name"] = f"{TOOL_NAME} Claude agents"
    for found, issue in zip(claude["results"], report.issues, strict=True):
        item = report.extra[id(issue)]
        found["properties"]["origin"] = "claude"
        if item.get("suggested_fix"):
            found["properties"]["suggestedFix"] = str(item["suggested_fix"])
    notes: list[dict[str, Any]] = []
    for run in report.runs:
        name = run.agent.name
        level = {"succeeded": "note", "failed": "error"}.get(run.status, "warning")
        reason = _reason(run)
        notes.append(
            _notification(level, f"{name}: {run.status}" + (f" - {reason}" if reason else ""))
        )
        notes += [
            _notification("warning", f"{name}: finding rejected: {r}") for r in run.rejections
        ]
        notes += [_notification("note", f"{name}: tool error: {e}") for e in run.tool_error_log]
        notes += [
            _notification("warning", f"{name}: not reviewed: {why}", path)
            for path, why in sorted(run.not_reviewed.items())
        ]
    claude["invocations"] = [
        {
            "executionSuccessful": all(run.status == "succeeded" for run in report.runs),
            "toolExecutionNotifications": notes,
        }
    ]
    claude["properties"] = {"agents": [run_entry(run, report) for run in report.runs]}
    log["runs"].append(claude)
    return log


def format_text_with_claude(result: ReviewResult, report: ClaudeReport) -> str:
    lines = [format_text(result).rstrip("\n")]
    by_agent: dict[str, list[Issue]] = defaultdict(list)
    for issue in report.issues:
        by_agent[issue.agent].append(issue)
    for run in report.runs:
        name = run.agent.name
        usage = run.usage
        reason = _reason(run)
        lines.append(
            f"\nClaude review by {name} ({run.model}, version {run.agent.version}): "
            f"{run.status}{' - ' + reason if reason else ''}"
        )
        for issue in by_agent[name]:
            low = "" if issue.confidence >= settings.CLAUDE_CONFIDENCE_THRESHOLD else " (low)"
            label = issue.rule_id if not issue.rule_id.startswith("AI-") else issue.category
            lines.append(
                f"{issue.path}:{issue.line}: {issue.severity} [{label}] {issue.title} "
                f"(confidence {issue.confidence}{low})"
            )
        lines.append(
            f"{sum(len(v) for v in run.findings.values())} verified "
            f"({report.confirmed.get(name, 0)} confirming rule findings, "
            f"{report.duplicates.get(name, 0)} duplicates), {run.rejected} rejected, "
            f"{run.tool_errors} tool errors; "
            f"tokens in {usage.input_tokens} out {usage.output_tokens} "
            f"cache read {usage.cache_read_tokens} write {usage.cache_write_tokens}; "
            f"cost ~${usage.cost_usd.quantize(Decimal('0.0001'))}"
        )
        lines += [f"  rejected: {r}" for r in run.rejections]
        lines += [f"  tool error: {e}" for e in run.tool_error_log]
        lines += [f"  not reviewed: {p}: {why}" for p, why in sorted(run.not_reviewed.items())]
    return "\n".join(lines) + "\n"


def render_with_claude(result: ReviewResult, report: ClaudeReport, fmt: str) -> str:
    if fmt == "json":
        return dumps(to_json_with_claude(result, report))
    if fmt == "sarif":
        return dumps(to_sarif_with_claude(result, report))
    return format_text_with_claude(result, report)
