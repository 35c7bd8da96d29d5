"""Review results as text (for people), JSON (for scripts) and SARIF 2.1.0 (for code
scanning tools). Columns are 0-based in Issue and 1-based in every output format."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import fields
from operator import attrgetter
from typing import Any
from urllib.parse import quote

from reviewer.engine.registry import Rule, all_rules
from reviewer.engine.types import Issue, Note, ReviewResult

TOOL_NAME = "Reviewdeck"
TOOL_VERSION = "0.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SARIF_LEVELS = {"critical": "error", "important": "warning", "suggestion": "note"}
FINGERPRINT_KEY = "reviewdeckLineHash/v1"
#: The base every location is relative to, spelled as GitHub code scanning expects it.
SRCROOT = "%SRCROOT%"
FORMATS = ("text", "json", "sarif")


def summary_line(result: ReviewResult) -> str:
    counts = Counter(issue.severity for issue in result.issues)
    total = len(result.issues)
    noun = "finding" if total == 1 else "findings"
    files = "file" if result.files_reviewed == 1 else "files"
    return (
        f"{total} {noun} ({counts['critical']} critical, {counts['important']} important, "
        f"{counts['suggestion']} suggestion) in {result.files_reviewed} {files} reviewed; "
        f"{len(result.notes)} notes."
    )


def format_text(result: ReviewResult) -> str:
    """One line per finding (``path:line:col  SEV  RULE  title — message``), the notes,
    then a summary line."""
    out = [
        f"{i.path}:{i.line}:{i.column + 1}  {i.severity.upper()}  {i.rule_id}  "
        f"{i.title} — {i.message}" + ("" if i.context == "production" else f" [{i.context}]")
        for i in result.issues
    ]
    if result.notes:
        out += ["", "Notes:"] + [f"  {n.path}: {n.message}" for n in result.notes]
    if out:
        out.append("")
    if result.stats.get("typing_functions"):
        out.append(
            f"Typing: {result.stats['typing_annotated']} of {result.stats['typing_functions']} "
            f"functions in production code fully annotated "
            f"({result.stats['typing_coverage_percent']}%)."
        )
    out.append(summary_line(result))
    return "\n".join(out) + "\n"


_ISSUE_FIELDS = tuple(f.name for f in fields(Issue))
_issue_values = attrgetter(*_ISSUE_FIELDS)


def issue_dict(issue: Issue) -> dict[str, Any]:
    # Not dataclasses.asdict: it deep-copies every value, and a big tree has thousands.
    found = dict(zip(_ISSUE_FIELDS, _issue_values(issue), strict=True))
    found["line_hash"] = issue.line_hash
    return found


def dumps(data: dict[str, Any]) -> str:
    """JSON with one line per top-level key and per element of a top-level list.

    ``indent=`` would switch json to its pure-Python encoder, several times slower on a
    report of thousands of findings; each line here goes through the C encoder.
    """
    parts = []
    for key, value in data.items():
        name = json.dumps(key)
        if isinstance(value, list) and value:
            items = ",\n".join("    " + json.dumps(v, ensure_ascii=False) for v in value)
            parts.append(f"  {name}: [\n{items}\n  ]")
        else:
            parts.append(f"  {name}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def to_json(result: ReviewResult) -> dict[str, Any]:
    counts = Counter(issue.severity for issue in result.issues)
    return {
        "tool": {"name": TOOL_NAME, "version": TOOL_VERSION},
        "summary": {
            "files_reviewed": result.files_reviewed,
            "issues": len(result.issues),
            "critical": counts["critical"],
            "important": counts["important"],
            "suggestion": counts["suggestion"],
            "notes": len(result.notes),
        },
        "issues": [issue_dict(i) for i in result.issues],
        "notes": [{"path": n.path, "message": n.message} for n in result.notes],
        "unreadable": list(result.unreadable),
        "incomplete": dict(result.incomplete),
        "stats": dict(result.stats),
    }


def format_json(result: ReviewResult) -> str:
    return dumps(to_json(result))


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    example = f"Before:\n\n{rule.before}\nAfter:\n\n{rule.after}"
    markdown_example = (
        f"**Before**\n\n```python\n{rule.before}```\n\n**After**\n\n```python\n{rule.after}```"
    )
    properties: dict[str, Any] = {
        "tags": [rule.category, rule.agent],
        "precision": "very-high" if rule.confidence >= 90 else "high",
        "confidence": rule.confidence,
        "agent": rule.agent,
    }
    if rule.debt_kind:
        properties["debtKind"] = rule.debt_kind
        properties["debtMinutes"] = rule.debt_minutes
    return {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.explanation},
        "help": {
            "text": f"{rule.explanation}\n\n{example}",
            "markdown": f"{rule.explanation}\n\n{markdown_example}",
        },
        "defaultConfiguration": {"level": SARIF_LEVELS[rule.severity]},
        "properties": properties,
    }


def _issue_descriptor(issue: Issue) -> dict[str, Any]:
    """For a finding whose rule is not registered here (e.g. an agent's finding)."""
    return {
        "id": issue.rule_id,
        "name": issue.rule_id,
        "shortDescription": {"text": issue.title},
        "fullDescription": {"text": issue.title},
        "help": {"text": issue.title},
        "defaultConfiguration": {"level": SARIF_LEVELS[issue.severity]},
        "properties": {"tags": [issue.category, issue.agent], "agent": issue.agent},
    }


def _sarif_result(issue: Issue, rule_index: int) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": issue.line, "startColumn": issue.column + 1}
    if issue.snippet:
        region["snippet"] = {"text": issue.snippet}
    properties: dict[str, Any] = {
        "severity": issue.severity,
        "confidence": issue.confidence,
        "category": issue.category,
        "agent": issue.agent,
        "context": issue.context,
    }
    if issue.dialects:
        properties["dialects"] = issue.dialects
    if issue.debt_kind:
        properties["debtKind"] = issue.debt_kind
        properties["debtMinutes"] = issue.debt_minutes
    return {
        "ruleId": issue.rule_id,
        "ruleIndex": rule_index,
        "level": SARIF_LEVELS[issue.severity],
        "message": {"text": issue.message or issue.title},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(issue.path), "uriBaseId": SRCROOT},
                    "region": region,
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: issue.line_hash},
        "properties": properties,
    }


def to_sarif(
    result: ReviewResult | None = None,
    *,
    issues: Iterable[Issue] | None = None,
    notes: Sequence[Note] | None = None,
    rules: Sequence[Rule] | None = None,
    root_uri: str | None = None,
) -> dict[str, Any]:
    """A SARIF 2.1.0 log (as a dict) of ``issues`` (default: ``result.issues``).

    ``rules`` defaults to every registered rule, so ``ruleIndex`` values are stable from
    one report to the next; findings of unknown rules get a descriptor from their title.
    ``root_uri`` (e.g. ``file:///srv/checkout/``) sets where %SRCROOT% points; without it
    the consumer resolves the relative URIs against its own checkout.
    """
    if issues is None:
        issues = result.issues if result is not None else []
    if notes is None:
        notes = result.notes if result is not None else []
    issue_list = list(issues)
    descriptors = [_rule_descriptor(r) for r in (all_rules() if rules is None else rules)]
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    for issue in issue_list:
        if issue.rule_id not in index:
            index[issue.rule_id] = len(descriptors)
            descriptors.append(_issue_descriptor(issue))

    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": TOOL_VERSION,
                "rules": descriptors,
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": [_sarif_result(i, index[i.rule_id]) for i in issue_list],
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {
                        "level": "note",
                        "message": {"text": n.message},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {
                                        "uri": quote(n.path),
                                        "uriBaseId": SRCROOT,
                                    }
                                }
                            }
                        ],
                    }
                    for n in notes
                ],
            }
        ],
    }
    if root_uri is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": root_uri}}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def format_sarif(result: ReviewResult | None = None, **kwargs: Any) -> str:
    return dumps(to_sarif(result, **kwargs))


def render(result: ReviewResult, fmt: str) -> str:
    """The report of ``result`` in one of FORMATS."""
    if fmt == "text":
        return format_text(result)
    if fmt == "json":
        return format_json(result)
    if fmt == "sarif":
        return format_sarif(result)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
