"""The weekly review meeting's agenda: what changed for a team's projects since a moment.

New problems exclude findings that exist only because a rule is new and findings first
seen by a history backfill. Every list is bounded; totals are counted in the database.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import Group
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from reviewer.models import Finding, FindingEvent, Project, Scan, ScanSummary, Severity

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


# Rows listed per section; the rest is counted (up to COUNTED) and reached through the
# projects' filtered lists, so a week with 300k new findings renders as fast as a quiet one.
LISTED = 50
COUNTED = 1000


def count_label(total: int) -> str:
    """A section's count as shown: exact up to COUNTED, then "1,000+"."""
    return f"{COUNTED:,}+" if total > COUNTED else str(total)


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
    # Projects with new problems in the window (for links to their "new since" lists).
    new_projects: list[Project] = field(default_factory=list)

    @property
    def new_label(self) -> str:
        return count_label(self.new_total)

    @property
    def fixed_label(self) -> str:
        return count_label(self.fixed_total)

    @property
    def reopened_label(self) -> str:
        return count_label(self.reopened_total)

    @property
    def new_more(self) -> bool:
        return self.new_total > len(self.new)


def _bounded(qs: QuerySet[Finding]) -> tuple[list[Finding], int]:
    """The first LISTED rows in (severity, id) order, shown by severity and project name,
    and the count, exact up to COUNTED (COUNTED + 1 means "more"). In a big week both stop
    after a bounded walk of the index in that order (finding_status_severity);
    in a quiet week PostgreSQL reads the few rows through the scan's index and sorts them."""
    rows = list(qs.order_by("severity", "id")[:LISTED])
    rows.sort(key=lambda f: (f.severity, f.project.name, f.pk))
    return rows, qs.order_by("severity", "id").values("pk")[: COUNTED + 1].count()


def window_scans(project_ids: Collection[int], since: datetime, until: datetime) -> QuerySet[Scan]:
    """The scans of these projects created in (since, until], as a subquery: a busy week
    has thousands, and a literal list of their ids costs more to build and plan than the
    lookups through the indexes on first_seen_scan / fixed_in_scan / the events' scan."""
    window = Q(created_at__gt=since, created_at__lte=until)
    return Scan.objects.filter(project_id__in=project_ids).filter(window).order_by()


def new_in(findings: QuerySet[Finding], scans: QuerySet[Scan]) -> QuerySet[Finding]:
    """Open critical and important new problems first seen in these scans: what
    ``new_problems()`` means, with its backfill test done on the (few) scans."""
    return findings.filter(
        first_seen_scan__in=scans.exclude(trigger=Scan.Trigger.BACKFILL).values("pk"),
        from_new_rule=False,
        severity__lte=Severity.IMPORTANT,  # a range keeps the index order
        status=Finding.Status.OPEN,
    )


def agenda(team: Group, since: datetime, until: datetime | None = None) -> Agenda:
    until = until or timezone.now()
    projects = list(Project.objects.filter(team=team).order_by("name"))
    by_id = {p.pk: p for p in projects}
    scans = window_scans(by_id, since, until)
    findings = Finding.objects.filter(project_id__in=by_id).select_related("project", "assignee")
    new, new_total = _bounded(new_in(findings, scans))
    fixed, fixed_total = _bounded(
        findings.filter(status=Finding.Status.FIXED, fixed_in_scan__in=scans.values("pk"))
    )
    reopened_ids = FindingEvent.objects.filter(
        scan__in=scans.values("pk"), kind=FindingEvent.Kind.REOPENED
    ).values("finding_id")
    reopened, reopened_total = _bounded(findings.filter(pk__in=reopened_ids))
    # Which projects have new problems: the summaries say so without counting findings.
    with_new = {f.project_id for f in new} | set(
        scans.exclude(trigger=Scan.Trigger.BACKFILL)
        .filter(summary__new_count__gt=0)
        .values_list("project_id", flat=True)
        .distinct()
    )
    return Agenda(
        since=since,
        new=new,
        new_total=new_total,
        fixed=fixed,
        fixed_total=fixed_total,
        reopened=reopened,
        reopened_total=reopened_total,
        debt=_debt_moves(projects, since, until),
        failed_scans=list(
            scans.filter(status=Scan.Status.FAILED).select_related("project").order_by("-id")[:50]
        ),
        new_projects=[p for p in projects if p.pk in with_new],
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
        f"## New critical and important findings ({a.new_label})",
        *(_line(f) for f in a.new),
        *(
            [f"- … the first {len(a.new)} of {a.new_label}; every one is on the project pages"]
            if a.new_more
            else []
        ),
        "",
        f"## Fixed ({a.fixed_label})",
        *(_line(f) for f in a.fixed),
        "",
        f"## Reopened ({a.reopened_label})",
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
