"""The weekly review meeting's agenda: what changed for a team's projects since a moment.

New problems exclude findings that exist only because a rule is new and findings first
seen by a history backfill. Every list is bounded; totals are counted in the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import Group
from django.db.models import Max, Q
from django.utils import timezone

from reviewer.models import Finding, FindingEvent, Project, Scan, ScanSummary, Severity

LISTED = 200
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


@dataclass
class DebtMove:
    project: Project
    before_minutes: int
    now_minutes: int

    @property
    def change_hours(self) -> float:
        return (self.now_minutes - self.before_minutes) / 60


@dataclass
class Agenda:
    since: datetime
    new: list[Finding] = field(default_factory=list)
    new_total: int = 0
    fixed: list[Finding] = field(default_factory=list)
    fixed_total: int = 0
    reopened: list[Finding] = field(default_factory=list)
    reopened_total: int = 0
    debt: list[DebtMove] = field(default_factory=list)
    failed_scans: list[Scan] = field(default_factory=list)


def agenda(team: Group, since: datetime, until: datetime | None = None) -> Agenda:
    until = until or timezone.now()
    projects = list(Project.objects.filter(team=team).order_by("name"))
    ids = [p.pk for p in projects]
    window = Q(created_at__gt=since, created_at__lte=until)
    scans = Scan.objects.filter(project_id__in=ids).filter(window)
    # One small list of this week's scans; the finding lookups then use the indexes on
    # first_seen_scan / fixed_in_scan instead of a join over all findings.
    scan_ids = list(scans.values_list("pk", flat=True))
    findings = Finding.objects.filter(project_id__in=ids).select_related("project", "assignee")
    new = (
        findings.new_problems()
        .filter(
            first_seen_scan_id__in=scan_ids,
            severity__in=[Severity.CRITICAL, Severity.IMPORTANT],
            status=Finding.Status.OPEN,
        )
        .order_by("severity", "project__name", "id")
    )
    fixed = findings.filter(fixed_in_scan_id__in=scan_ids).order_by("severity", "id")
    reopened_ids = FindingEvent.objects.filter(
        scan_id__in=scan_ids, kind=FindingEvent.Kind.REOPENED
    ).values("finding_id")
    reopened = findings.filter(pk__in=reopened_ids).order_by("severity", "id")
    return Agenda(
        since=since,
        new=list(new[:LISTED]),
        new_total=new.count(),
        fixed=list(fixed[:LISTED]),
        fixed_total=fixed.count(),
        reopened=list(reopened[:LISTED]),
        reopened_total=reopened.count(),
        debt=_debt_moves(projects, since, until),
        failed_scans=list(
            Scan.objects.filter(pk__in=scan_ids, status=Scan.Status.FAILED)
            .select_related("project")
            .order_by("-id")[:50]
        ),
    )


def _debt_moves(projects: list[Project], since: datetime, until: datetime) -> list[DebtMove]:
    """Debt at ``since`` and at ``until`` per project: the last summary before each moment."""
    ids = [p.pk for p in projects]
    summaries = ScanSummary.objects.filter(project_id__in=ids)
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
    return (
        f"- **{Severity(f.severity).label}** {md_code(f.rule_id)} {md_text(f.project.name)}: "
        f"{md_code(f'{f.path}:{f.line}')} {md_text(f.title)} — {f.get_triage_display()}{who}"
    )


def markdown(title: str, started: datetime, notes: str, decisions: str, a: Agenda) -> str:
    """The meeting as Markdown for the team wiki. Text from repositories, scans and user
    names is escaped (a finding title cannot become a link or HTML in the wiki); notes and
    decisions are the team's own Markdown and kept as written."""
    out = [
        f"# {md_text(title)}",
        "",
        f"Changes since {a.since:%Y-%m-%d %H:%M} · meeting of {started:%Y-%m-%d}",
        "",
        f"## New critical and important findings ({a.new_total})",
        *(_line(f) for f in a.new),
        "",
        f"## Fixed ({a.fixed_total})",
        *(_line(f) for f in a.fixed),
        "",
        f"## Reopened ({a.reopened_total})",
        *(_line(f) for f in a.reopened),
        "",
        "## Debt movement",
        *(
            f"- {md_text(m.project.name)}: {m.before_minutes / 60:.1f} h → "
            f"{m.now_minutes / 60:.1f} h ({m.change_hours:+.1f} h)"
            for m in a.debt
        ),
        "",
        f"## Failed scans ({len(a.failed_scans)})",
        *(f"- {md_text(s.project.name)} #{s.pk}: {md_text(s.error)}" for s in a.failed_scans),
        "",
        "## Notes",
        notes.strip() or "_none_",
        "",
        "## Decisions",
        decisions.strip() or "_none_",
        "",
    ]
    return "\n".join(out)
