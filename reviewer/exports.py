"""Findings exports, streamed: CSV and SARIF 2.1.0 for any filtered view.

Rows are read with a server-side cursor in chunks (``iterator``), so an export of 100k
findings never holds them all in memory, and the response starts at once.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from reviewer.engine.report import _sarif_result, to_sarif
from reviewer.engine.types import Issue
from reviewer.models import FindingQuerySet, Severity

CHUNK = 2000
COLUMNS = [
    "id",
    "severity",
    "rule_id",
    "category",
    "agent",
    "title",
    "path",
    "line",
    "status",
    "triage",
    "confidence",
    "debt_kind",
    "debt_minutes",
    "context",
    "dialects",
    "first_seen_scan_id",
    "message",
]
_CODES = {s.value: s.code for s in Severity}


def _rows(findings: FindingQuerySet) -> Iterator[dict[str, object]]:
    fields = [*COLUMNS, "snippet", "column"]
    yield from findings.order_by("severity", "id").values(*fields).iterator(chunk_size=CHUNK)


_FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")  # and their full-width forms


def _csv_safe(value: object) -> object:
    """Spreadsheets run cells that start with = + - @ as formulas, also after leading
    spaces, tabs or line breaks: defuse them with a leading quote."""
    if isinstance(value, str):
        stripped = value.lstrip()
        if stripped[:1] in _FORMULA_STARTS:
            return "'" + value
    return value


def csv_stream(findings: FindingQuerySet) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in _rows(findings):
        row["severity"] = _CODES[int(str(row["severity"]))]
        writer.writerow([_csv_safe(row[c]) for c in COLUMNS])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def sarif_stream(findings: FindingQuerySet) -> Iterator[str]:
    skeleton = to_sarif(issues=[])
    driver = skeleton["runs"][0]["tool"]["driver"]
    index = {rule["id"]: i for i, rule in enumerate(driver["rules"])}
    marker = '"results": []'
    head, tail = json.dumps(skeleton, indent=None).split(marker)
    yield head + '"results": ['
    first = True
    for row in _rows(findings):
        issue = Issue(
            rule_id=str(row["rule_id"]),
            path=str(row["path"]),
            line=int(str(row["line"])),
            column=int(str(row["column"])),
            title=str(row["title"]),
            message=str(row["message"]),
            severity=_CODES[int(str(row["severity"]))],  # type: ignore[arg-type]
            confidence=int(str(row["confidence"])),
            category=str(row["category"]),
            agent=str(row["agent"]),
            debt_kind=str(row["debt_kind"]),
            debt_minutes=int(str(row["debt_minutes"])),
            snippet=str(row["snippet"]),
        )
        result = _sarif_result(issue, index.get(issue.rule_id, -1))
        if result["ruleIndex"] < 0:
            del result["ruleIndex"]
        # Where the code runs (the stored finding's context, as the scan classified it).
        result["properties"]["context"] = str(row["context"])
        if row["dialects"]:
            result["properties"]["dialects"] = str(row["dialects"]).split(",")
        yield ("" if first else ",") + json.dumps(result)
        first = False
    yield "]" + tail
