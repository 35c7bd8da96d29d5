"""What the API returns and accepts (pydantic, via django-ninja: the OpenAPI document is
generated from these, never written by hand)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import RootModel


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


class SummaryOut(Schema):
    scan_id: int
    created_at: datetime
    open_critical: int
    open_important: int
    open_suggestion: int
    open_total: int
    new_count: int
    fixed_count: int
    reopened_count: int
    debt_minutes: int
    by_category: dict[str, int]
    by_debt_kind: dict[str, dict[str, int]]


class ScanOut(Schema):
    id: int
    status: str
    trigger: str
    commit_sha: str
    branch: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    files_reviewed: int
    error: str
    new_count: int | None = Field(None, description="null until the scan succeeded")
    fixed_count: int | None = None
    reopened_count: int | None = None
    open_total: int | None = None


class ProjectOut(Schema):
    slug: str
    name: str
    branch: str
    team: str | None
    clone_state: str
    last_scan: ScanOut | None
    latest_summary: SummaryOut | None
    gate: GateStatusOut | None = None
    url: str


class GateStatusOut(Schema):
    status: Literal["passed", "failed", "none"] = Field(
        description="none: no scan has finished since the gate existed"
    )
    scan_id: int | None
    evaluated_at: datetime | None
    failures: list[str]
    baseline: str | None


class GateConditionsOut(Schema):
    no_new_critical: bool
    no_new_important_in_production: bool
    no_debt_growth: bool
    no_failed_scan: bool
    baseline_date: date | None
    baseline_commit: str
    baseline_release: bool
    release_branches: str
    defined_for: Literal["project", "team", "default"]


class GateOut(GateStatusOut):
    conditions: GateConditionsOut


class FindingOut(Schema):
    id: int
    rule_id: str
    title: str
    message: str
    severity: Literal["critical", "important", "suggestion"]
    confidence: int
    category: str
    agent: str
    path: str
    line: int
    column: int
    snippet: str
    debt_kind: str
    debt_minutes: int
    context: Literal["production", "test", "migration", "script", "generated"]
    dialects: list[str] = Field(description="for migration code: the dialects its chain runs on")
    status: str
    triage: str
    assignee: str | None
    origin: str
    first_seen_scan: int | None
    last_seen_scan: int | None = Field(
        description="the last scan it was open in: the project's latest for an open finding"
    )
    fixed_in_scan: int | None
    introduced_at: datetime | None
    url: str


class FindingPage(Schema):
    items: list[FindingOut]
    next_cursor: str | None = Field(None, description="pass as ?cursor= for the next page")
    limit: int


class ScanPage(Schema):
    items: list[ScanOut]
    next_cursor: str | None
    limit: int


class FindingEventOut(Schema):
    kind: str
    scan_id: int
    created_at: datetime
    path: str
    line: int


class TriageEventOut(Schema):
    created_at: datetime
    user: str | None
    from_triage: str
    to_triage: str
    assignee: str | None
    comment: str


class FindingHistoryOut(Schema):
    finding: FindingOut
    events: list[FindingEventOut]
    triage: list[TriageEventOut]


class TriageIn(Schema):
    action: Literal["", "acknowledge", "false_positive", "wont_fix", "reopen"] = ""
    assignee: str | None = Field(
        None,
        description="a username of the project's team; empty string to unassign; "
        "leave out to keep the assignee",
    )
    comment: str = Field("", max_length=5000)


class DebtKindOut(Schema):
    count: int
    minutes: int


class DebtOut(Schema):
    project: str
    scan_id: int | None
    created_at: datetime | None
    minutes: int
    kinds: dict[str, DebtKindOut]


class MeetingOut(Schema):
    id: int
    team: str
    title: str
    since: datetime
    started_at: datetime
    started_by: str | None
    notes: str
    decisions: str
    closed: bool


class FindingQuery(Schema):
    """The project page's filters, by the same names."""

    severity: Literal["critical", "important", "suggestion"] | None = None
    category: str | None = None
    rule: str | None = Field(None, description="a rule id or prefix: SA, SA005, ruff:E7")
    agent: str | None = None
    triage: str | None = Field(None, description="all, open, acknowledged, false_positive, ...")
    status: Literal["open", "fixed", "excluded"] | None = None
    context: Literal["production", "test", "migration", "script", "generated"] | None = Field(
        None, description="where the flagged code runs"
    )
    path: str | None = Field(None, description="a path prefix")
    debt_kind: str | None = None
    since: date | None = Field(None, description="first seen on or after this day (new code)")
    since_scan: int | None = Field(None, description="first seen after this scan (new code)")
    q: str | None = Field(None, description="text in title, message or path; or a rule id")


ProjectOut.model_rebuild()


# Top-level lists, for dashboard.api.conditional.respond.
class ProjectList(RootModel[list[ProjectOut]]):
    pass


class SummaryList(RootModel[list[SummaryOut]]):
    pass


class DebtList(RootModel[list[DebtOut]]):
    pass


class MeetingList(RootModel[list[MeetingOut]]):
    pass
