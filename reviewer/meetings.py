"""The weekly review meeting's agenda: what changed for a team's projects since a moment.

New problems exclude findings that exist only because a rule is new and findings first
seen by a history backfill. Every list is bounded; totals are counted in the database.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from django.contrib.auth.models import Group
from django.db.models import F, Max, Q, QuerySet, Sum
from django.utils import timezone

from reviewer.engine.registry import all_rules
from reviewer.models import (
    Finding,
    FindingEvent,
    Meeting,
    Project,
    Scan,
    ScanSummary,
    Severity,
)

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


def md_text(text: object) -> str:
    """Text from a repository, a scan error or a user name, made inert in Markdown: one
    line, with every character that could start markup (or HTML) backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def md_code(text: object) -> str:
    """A code span that the text cannot break out of (longer fence than any run of
    backticks inside it)."""
    flat = " ".join(str(text).split())
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def hours(minutes: int) -> float:
    """Debt in hours as every meeting figure shows it: one decimal, half up."""
    return float((Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass
class DebtMove:
    """A project's debt then and now. The change is the difference of the two rounded
    figures, so "Then 0.3, Now 4.5, Change +4.2" always adds up as shown."""

    project: Project
    before_minutes: int
    now_minutes: int

    @property
    def before_hours(self) -> float:
        return hours(self.before_minutes)

    @property
    def now_hours(self) -> float:
        return hours(self.now_minutes)

    @property
    def change_hours(self) -> float:
        return round(self.now_hours - self.before_hours, 1)

    @property
    def change_label(self) -> str:
        return f"{self.change_hours:+.1f}" if self.change_hours else "0.0"


# Rows listed per section; the rest is counted (up to COUNTED) and reached through the
# projects' filtered lists, so a week with 300k new findings renders as fast as a quiet one.
LISTED = 50
COUNTED = 1000


# New findings read to group them by rule: beyond, the count says "5,000+" and the
# groups are those of the first 5,000 in (severity, id) order.
GROUPED = 5000
# Findings per page inside an expanded group.
GROUP_PAGE = 50


@cache
def rule_titles() -> dict[str, str]:
    """Native rules' titles by id (read once: rule titles do not change at run time)."""
    return {rule.id: rule.title for rule in all_rules()}


def count_label(total: int, cap: int | None = None) -> str:
    """A section's count as shown: exact up to the cap (COUNTED), then "1,000+"."""
    cap = COUNTED if cap is None else cap
    return f"{cap:,}+" if total > cap else f"{total:,}"


@dataclass
class RuleGroup:
    """New findings of one rule in the meeting's window: how many, in how many files and
    which projects (the agenda's one line per rule)."""

    rule_id: str
    severity: int
    title: str
    count: int
    files: int
    projects: list[str]

    @property
    def severity_label(self) -> str:
        return Severity(self.severity).label

    @property
    def severity_code(self) -> str:
        return Severity(self.severity).code


@dataclass
class Agenda:
    since: datetime
    groups: list[RuleGroup] = field(default_factory=list)
    new_total: int = 0
    fixed: list[Finding] = field(default_factory=list)
    fixed_total: int = 0
    reopened: list[Finding] = field(default_factory=list)
    reopened_total: int = 0
    debt: list[DebtMove] = field(default_factory=list)
    failed_scans: list[Scan] = field(default_factory=list)
    # Projects with new problems in the window (for links to their "new since" lists).
    new_projects: list[Project] = field(default_factory=list)

    @property
    def new_label(self) -> str:
        return count_label(self.new_total, GROUPED)

    @property
    def fixed_label(self) -> str:
        return count_label(self.fixed_total)

    @property
    def reopened_label(self) -> str:
        return count_label(self.reopened_total)

    @property
    def new_more(self) -> bool:
        """More new findings than were grouped (the groups are of the first GROUPED)."""
        return self.new_total > GROUPED


# Above this many findings expected in a section, walking finding_status_severity in
# (severity, id) order meets LISTED matches quickly; below it, the walk could cover every
# open finding before it meets a handful, and reading the few matches and sorting is cheap.
WALK_ABOVE = 5000
# Scans in a window up to which their ids are sent as a list (see window_ids).
LITERAL_SCANS = 500
ScanIds = list[int] | QuerySet[Scan, int]


def in_order(qs: QuerySet[Finding], expected: int) -> QuerySet[Finding]:
    """(severity, id) order, spelled so that the plan suits the expected size (below)."""
    if expected > WALK_ABOVE:
        return qs.order_by("severity", "id")
    return qs.order_by(F("severity") + 0, "id")


def summarised_moves(scans: QuerySet[Scan]) -> dict[int, tuple[int, int]]:
    """(new, fixed) per project as the scans' summaries counted them (backfills add no
    new problems): they choose the plans and name the projects with new problems."""
    rows = (
        scans.values("project_id")
        .annotate(
            new=Sum("summary__new_count", filter=~Q(trigger=Scan.Trigger.BACKFILL)),
            fixed=Sum("summary__fixed_count"),
        )
        .order_by()
    )
    return {r["project_id"]: (r["new"] or 0, r["fixed"] or 0) for r in rows}


def _bounded(qs: QuerySet[Finding], expected: int) -> tuple[list[Finding], int]:
    """The first LISTED rows in (severity, id) order, shown by severity and project name,
    and the count, exact up to COUNTED (COUNTED + 1 means "more").

    ``expected`` (from the window's scan summaries) picks the plan; PostgreSQL cannot, as
    it estimates a week's share of findings from its share of scans, while new findings
    cluster in a few scans. A big week walks the index in order and stops early; a quiet
    one sorts by an expression the index does not provide, so its few rows are read
    through the scans' indexes and sorted. Either way the result is the same."""
    ordered = in_order(qs, expected)
    rows = list(ordered[:LISTED])
    rows.sort(key=lambda f: (f.severity, f.project.name, f.pk))
    return rows, ordered.values("pk")[: COUNTED + 1].count()


def _grouped(
    qs: QuerySet[Finding], expected: int, projects: dict[int, Project]
) -> tuple[list[RuleGroup], int]:
    """The new findings grouped by rule (most severe, then biggest first) and their count
    (GROUPED + 1 means "more"): the first GROUPED rows in (severity, id) order are read as
    plain tuples, the plan chosen as for _bounded."""
    rows = list(
        in_order(qs, expected).values_list("rule_id", "severity", "path", "project_id", "title")[
            : GROUPED + 1
        ]
    )
    total = len(rows)
    seen: dict[str, tuple[int, str, set[tuple[int, str]], set[int], int]] = {}
    for rule_id, severity, path, project_id, title in rows[:GROUPED]:
        empty: tuple[int, str, set[tuple[int, str]], set[int], int] = (
            severity,
            title,
            set(),
            set(),
            0,
        )
        sev, first_title, files, owners, count = seen.get(rule_id, empty)
        files.add((project_id, path))
        owners.add(project_id)
        seen[rule_id] = (min(sev, severity), first_title, files, owners, count + 1)
    groups = []
    titles = rule_titles()
    for rule_id, (severity, title, files, owners, count) in seen.items():
        groups.append(
            RuleGroup(
                rule_id=rule_id,
                severity=severity,
                title=titles.get(rule_id, title),
                count=count,
                files=len(files),
                projects=sorted(projects[pid].name for pid in owners if pid in projects),
            )
        )
    groups.sort(key=lambda g: (g.severity, -g.count, g.rule_id))
    return groups, total


@dataclass
class GroupPage:
    """One page of a rule group's findings, in project, file and line order."""

    rule_id: str
    findings: list[Finding]
    page: int
    has_next: bool

    @property
    def first(self) -> int:
        return (self.page - 1) * GROUP_PAGE + 1

    @property
    def last(self) -> int:
        return self.first + len(self.findings) - 1


def window_findings(
    team: Group, since: datetime, until: datetime | None = None
) -> QuerySet[Finding]:
    """The new findings of the meeting's window (every rule), unordered."""
    until = until or timezone.now()
    ids = list(Project.objects.filter(team=team).values_list("pk", flat=True))
    _, regular_ids, _ = window_ids(window_scans(ids, since, until))
    return new_in(Finding.objects.filter(project_id__any=ids), regular_ids)


def group_page(
    team: Group, since: datetime, until: datetime | None, rule_id: str, page: int = 1
) -> GroupPage:
    page = max(1, page)
    qs = (
        window_findings(team, since, until)
        .filter(rule_id=rule_id)
        .select_related("project", "assignee")
        .order_by("project__name", "path", "line", "id")
    )
    start = (page - 1) * GROUP_PAGE
    rows = list(qs[start : start + GROUP_PAGE + 1])
    return GroupPage(rule_id, rows[:GROUP_PAGE], page, len(rows) > GROUP_PAGE)


def _among(field: str, ids: ScanIds) -> dict[str, object]:
    """``field`` in ``ids``: a subquery as ``__in``, a literal list as one array parameter
    (``__any``, see lookups.py): the SQL text stays short enough for psycopg's cache."""
    if isinstance(ids, list):
        return {f"{field}__any": ids}
    return {f"{field}__in": ids}


def window_scans(project_ids: Collection[int], since: datetime, until: datetime) -> QuerySet[Scan]:
    """The regular scans of these projects created in (since, until]. History backfills
    are not this week's news, whenever they ran (they are dated at their commits)."""
    window = Q(created_at__gt=since, created_at__lte=until)
    return (
        Scan.objects.filter(project_id__any=list(project_ids))
        .filter(window)
        .exclude(trigger=Scan.Trigger.BACKFILL)
        .order_by()
    )


def new_in(findings: QuerySet[Finding], regular_scans: ScanIds) -> QuerySet[Finding]:
    """Open critical and important new problems first seen in these (not backfill) scans:
    what ``new_problems()`` means, with its backfill test done on the (few) scans."""
    return findings.filter(
        **_among("first_seen_scan", regular_scans),
        from_new_rule=False,
        severity__lte=Severity.IMPORTANT,  # a range keeps the index order
        status=Finding.Status.OPEN,
    )


def window_ids(scans: QuerySet[Scan]) -> tuple[ScanIds, ScanIds, dict[int, tuple[int, int]]]:
    """The window's scan ids (all, and not backfill) and its summarised moves. A usual
    week's ids are a literal list, which PostgreSQL estimates from its statistics per scan
    (new findings cluster in a few scans); a window of thousands stays a subquery."""
    rows = list(
        scans.values_list(
            "pk",
            "project_id",
            "trigger",
            "summary__new_count",
            "summary__fixed_count",
            "is_baseline",
        )[: LITERAL_SCANS + 1]
    )
    if len(rows) > LITERAL_SCANS:
        regular = scans.exclude(trigger=Scan.Trigger.BACKFILL).exclude(is_baseline=True)
        return (
            scans.values_list("pk", flat=True),
            regular.values_list("pk", flat=True),
            summarised_moves(scans),
        )
    moved: dict[int, tuple[int, int]] = {}
    for _, project_id, trigger, new, fixed, _ in rows:
        was_new, was_fixed = moved.get(project_id, (0, 0))
        new = 0 if trigger == Scan.Trigger.BACKFILL else new or 0
        moved[project_id] = (was_new + new, was_fixed + (fixed or 0))
    # What a project's first (baseline) scan found is not new either.
    regular_ids = [
        pk
        for pk, _, trigger, *_, baseline in rows
        if trigger != Scan.Trigger.BACKFILL and not baseline
    ]
    return [pk for pk, *_ in rows], regular_ids, moved


def agenda(team: Group, since: datetime, until: datetime | None = None) -> Agenda:
    until = until or timezone.now()
    projects = list(Project.objects.filter(team=team).order_by("name"))
    by_id = {p.pk: p for p in projects}
    scans = window_scans(by_id, since, until)
    scan_ids, regular_ids, moved = window_ids(scans)
    findings = Finding.objects.filter(project_id__any=list(by_id)).select_related(
        "project", "assignee"
    )
    groups, new_total = _grouped(
        new_in(findings.order_by(), regular_ids), sum(n for n, _ in moved.values()), by_id
    )
    fixed, fixed_total = _bounded(
        findings.filter(status=Finding.Status.FIXED, **_among("fixed_in_scan", scan_ids)),
        sum(f for _, f in moved.values()),
    )
    reopened_ids = FindingEvent.objects.filter(
        **_among("scan", scan_ids), kind=FindingEvent.Kind.REOPENED
    ).values("finding_id")
    # Reopened findings are few (events of the window); no index orders them anyway.
    reopened, reopened_total = _bounded(findings.filter(pk__in=reopened_ids), 0)
    named = {name for g in groups for name in g.projects}
    with_new = {pid for pid, (n, _) in moved.items() if n}
    return Agenda(
        since=since,
        groups=groups,
        new_total=new_total,
        fixed=fixed,
        fixed_total=fixed_total,
        reopened=reopened,
        reopened_total=reopened_total,
        debt=_debt_moves(projects, since, until),
        failed_scans=list(
            scans.filter(status=Scan.Status.FAILED).select_related("project").order_by("-id")[:50]
        ),
        new_projects=[p for p in projects if p.pk in with_new or p.name in named],
    )


def _debt_moves(projects: list[Project], since: datetime, until: datetime) -> list[DebtMove]:
    """Debt at ``since`` and at ``until`` per project: the last summary before each moment."""
    ids = [p.pk for p in projects]
    summaries = ScanSummary.objects.filter(project_id__any=ids)
    lasts: dict[str, dict[int, datetime]] = {}
    for key, moment in (("before", since), ("now", until)):
        rows = (
            summaries.filter(created_at__lte=moment)
            .values("project_id")
            .annotate(last=Max("created_at"))
            .order_by()
        )
        lasts[key] = {r["project_id"]: r["last"] for r in rows}
    moments = set(lasts["before"].values()) | set(lasts["now"].values())
    minutes: dict[tuple[int, datetime | None], int] = {
        (r["project_id"], r["created_at"]): r["debt_minutes"]
        for r in summaries.filter(created_at__in=moments).values(
            "project_id", "created_at", "debt_minutes"
        )
    }
    moves = []
    for project in projects:
        before = minutes.get((project.pk, lasts["before"].get(project.pk)), 0)
        now = minutes.get((project.pk, lasts["now"].get(project.pk)), 0)
        moves.append(DebtMove(project, before, now))
    return moves


def _line(f: Finding) -> str:
    who = f" (assigned to {md_text(f.assignee.username)})" if f.assignee else ""
    said = getattr(f, "meeting_comment", "") or ""
    comment = f" · “{md_text(said)}”" if said else ""
    return (
        f"- **{Severity(f.severity).label}** {md_code(f.rule_id)} {md_text(f.project.name)}: "
        f"{md_code(f'{f.path}:{f.line}')} {md_text(f.title)} — {f.get_triage_display()}{who}"
        f"{comment}"
    )


def _new_by_rule(new: Iterable[Finding]) -> list[str]:
    """Every new finding (no cap), under one heading per rule with its count."""
    by_rule: dict[str, list[str]] = {}
    for f in new:
        by_rule.setdefault(f.rule_id, []).append(_line(f))
    total = sum(len(lines) for lines in by_rule.values())
    out = [f"## New critical and important findings ({total:,})"]
    titles = rule_titles()
    for rule_id, lines in by_rule.items():
        name = f" {md_text(titles[rule_id])}" if rule_id in titles else ""
        out += ["", f"### {md_code(rule_id)}{name} ({len(lines):,})", *lines]
    return out


def markdown(meeting: Meeting, a: Agenda, new: Iterable[Finding]) -> str:
    """The meeting as Markdown for the team wiki: every new finding (``new``, in the order
    given, grouped by rule), the rest of the agenda. Text from repositories, scans and
    user names is escaped (a finding title cannot become a link or HTML in the wiki);
    notes and decisions are the team's own Markdown and kept as written."""
    out = [
        f"# {md_text(meeting.title)}",
        "",
        f"Changes since {a.since:%Y-%m-%d %H:%M} · meeting of {meeting.started_at:%Y-%m-%d}"
        + (" · closed" if meeting.closed else ""),
        "",
        *_new_by_rule(new),
        "",
        f"## Fixed ({a.fixed_label})",
        *(_line(f) for f in a.fixed),
        "",
        f"## Reopened ({a.reopened_label})",
        *(_line(f) for f in a.reopened),
        "",
        "## Debt movement",
        *(
            f"- {md_text(m.project.name)}: {m.before_hours:.1f} h → {m.now_hours:.1f} h "
            f"({m.change_label} h)"
            for m in a.debt
        ),
        "",
        f"## Failed scans ({len(a.failed_scans)})",
        *(f"- {md_text(s.project.name)} #{s.pk}: {md_text(s.error)}" for s in a.failed_scans),
        "",
        "## Notes",
        meeting.notes.strip() or "_none_",
        "",
        "## Decisions",
        meeting.decisions.strip() or "_none_",
        "",
    ]
    return "\n".join(out)
