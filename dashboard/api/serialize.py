"""Model rows to the API's plain dicts (the schemas validate and document them)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from reviewer.models import (
    Finding,
    GateResult,
    Project,
    QualityGate,
    Scan,
    ScanSummary,
    Severity,
)


def summary(row: ScanSummary | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "scan_id": row.scan_id,
        "created_at": row.created_at,
        "open_critical": row.open_critical,
        "open_important": row.open_important,
        "open_suggestion": row.open_suggestion,
        "open_total": row.open_total,
        "new_count": row.new_count,
        "fixed_count": row.fixed_count,
        "reopened_count": row.reopened_count,
        "debt_minutes": row.debt_minutes,
        "by_category": row.by_category or {},
        "by_debt_kind": row.by_debt_kind or {},
    }


def scan(row: Scan | None, summary_row: ScanSummary | None = None) -> dict[str, Any] | None:
    if row is None:
        return None
    counts = summary_row
    return {
        "id": row.pk,
        "status": row.status,
        "trigger": row.trigger,
        "commit_sha": row.commit_sha,
        "branch": row.branch,
        "created_at": row.created_at,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
        "files_reviewed": row.files_reviewed,
        "error": row.error,
        "new_count": counts.new_count if counts else None,
        "fixed_count": counts.fixed_count if counts else None,
        "reopened_count": counts.reopened_count if counts else None,
        "open_total": counts.open_total if counts else None,
    }


def scan_with_summary(row: Scan) -> dict[str, Any] | None:
    try:
        found: ScanSummary | None = row.summary
    except ScanSummary.DoesNotExist:
        found = None
    return scan(row, found)


def project(row: Project, gate: dict[str, Any] | None = None) -> dict[str, Any]:
    last = row.last_scan
    latest = row.latest_summary
    return {
        "slug": row.slug,
        "name": row.name,
        "branch": row.branch,
        "team": row.team.name if row.team else None,
        "clone_state": row.clone_state,
        "last_scan": scan(last, latest if latest and last and latest.scan_id == last.pk else None),
        "latest_summary": summary(latest),
        "gate": gate,
        "url": row.get_absolute_url(),
    }


def finding(row: Finding, slug: str, latest_scan_id: int | None) -> dict[str, Any]:
    """``latest_scan_id``: the project's latest recorded scan (an open finding is open in it)."""
    return {
        "id": row.pk,
        "rule_id": row.rule_id,
        "title": row.title,
        "message": row.message,
        "severity": Severity(row.severity).code,
        "confidence": row.confidence,
        "category": row.category,
        "agent": row.agent,
        "path": row.path,
        "line": row.line,
        "column": row.column,
        "snippet": row.snippet,
        "debt_kind": row.debt_kind,
        "debt_minutes": row.debt_minutes,
        "context": row.context,
        "dialects": row.dialect_list,
        "status": row.status,
        "triage": row.triage,
        "assignee": row.assignee.get_username() if row.assignee else None,
        "origin": row.origin,
        "first_seen_scan": row.first_seen_scan_id,
        "last_seen_scan": row.last_seen_in(latest_scan_id),
        "fixed_in_scan": row.fixed_in_scan_id,
        "introduced_at": row.introduced_at,
        "url": reverse("dashboard:finding", args=[slug, row.pk]),
    }


def gate_status(result: GateResult | None) -> dict[str, Any]:
    if result is None:
        return {
            "status": "none",
            "scan_id": None,
            "evaluated_at": None,
            "failures": [],
            "baseline": None,
        }
    return {
        "status": "passed" if result.passed else "failed",
        "scan_id": result.scan_id,
        "evaluated_at": result.created_at,
        "failures": list(result.failures),
        "baseline": result.baseline,
    }


def gate(result: GateResult | None, conditions: QualityGate) -> dict[str, Any]:
    if conditions.pk is None:
        defined_for = "default"
    else:
        defined_for = "project" if conditions.project_id else "team"
    return {
        **gate_status(result),
        "conditions": {
            "no_new_critical": conditions.no_new_critical,
            "no_new_important_in_production": conditions.no_new_important_in_production,
            "no_debt_growth": conditions.no_debt_growth,
            "no_failed_scan": conditions.no_failed_scan,
            "baseline_date": conditions.baseline_date,
            "baseline_commit": conditions.baseline_commit,
            "baseline_release": conditions.baseline_release,
            "release_branches": conditions.release_branches,
            "defined_for": defined_for,
        },
    }
