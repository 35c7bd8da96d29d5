"""A scan's summary row: the counts every chart reads, from one GROUP BY."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import F
from django.utils import timezone

from reviewer import metrics
from reviewer.finding_facets import groups, stored_form
from reviewer.finding_filters import FindingFilter
from reviewer.models import Finding, Project, Scan, ScanSummary, Severity


def create_summary(
    scan: Scan,
    when: datetime,
    *,
    new: int,
    fixed: int,
    reopened: int,
    still_open: int,
    excluded: int = 0,
) -> ScanSummary:
    """The summary of a rule scan, counted over the project's visible findings."""
    counts = Finding.objects.visible().for_project(scan.project).counts()
    return ScanSummary.objects.create(
        scan=scan,
        project=scan.project,
        created_at=when,
        open_critical=counts.by_severity.get(Severity.CRITICAL, 0),
        open_important=counts.by_severity.get(Severity.IMPORTANT, 0),
        open_suggestion=counts.by_severity.get(Severity.SUGGESTION, 0),
        new_count=new,
        fixed_count=fixed,
        reopened_count=reopened,
        excluded_count=excluded,
        still_open_count=still_open,
        debt_minutes=counts.debt_minutes,
        by_category=counts.by_category,
        by_debt_kind=counts.by_debt_kind,
        insights=metrics.to_json(metrics.insights(scan.project), timezone.now()),
        facet_groups=facet_groups(scan.project),
    )


def facet_groups(project: Project) -> dict[str, object]:
    """The project page's facet groups of the project's findings now (what the latest
    summary stores for the page; see reviewer/finding_facets.py)."""
    return stored_form(groups(FindingFilter(), project))


def refresh_facets(project_id: int) -> None:
    """Findings changed outside a scan's summary (a Claude run, an exclusion): the
    project's latest summary groups its facets again."""
    project = Project.objects.filter(pk=project_id).first()
    if project is not None and project.latest_summary_id is not None:
        ScanSummary.objects.filter(pk=project.latest_summary_id).update(
            facet_groups=facet_groups(project)
        )


def add_run_counts(scan: Scan, *, created: int, fixed: int) -> None:
    """A Claude run's new and fixed findings, added to its scan's summary."""
    if created or fixed:
        ScanSummary.objects.filter(scan=scan).update(
            new_count=F("new_count") + created, fixed_count=F("fixed_count") + fixed
        )
    # Its findings may also have moved or changed severity: the page's facets follow.
    refresh_facets(scan.project_id)


def refresh_open_counts(scan: Scan) -> None:
    """The scan's summary counted rule findings only; count the Claude ones in too."""
    counts = Finding.objects.visible().for_project(scan.project).counts()
    ScanSummary.objects.filter(scan=scan).update(
        open_critical=counts.by_severity.get(Severity.CRITICAL, 0),
        open_important=counts.by_severity.get(Severity.IMPORTANT, 0),
        open_suggestion=counts.by_severity.get(Severity.SUGGESTION, 0),
        by_category=counts.by_category,
    )
    refresh_facets(scan.project_id)


def refresh_latest_counts(project_ids: Iterable[int]) -> None:
    """Triage changed what is visible: the projects' latest summaries (what the overview,
    the trends' last point and the debt page read) count again, so every page follows a
    triage decision at once instead of at the next scan."""
    for project in Project.objects.filter(pk__in=set(project_ids)):
        latest = project.latest_summary_id
        if latest is None:
            continue
        counts = Finding.objects.visible().for_project(project).counts()
        ScanSummary.objects.filter(pk=latest).update(
            open_critical=counts.by_severity.get(Severity.CRITICAL, 0),
            open_important=counts.by_severity.get(Severity.IMPORTANT, 0),
            open_suggestion=counts.by_severity.get(Severity.SUGGESTION, 0),
            debt_minutes=counts.debt_minutes,
            by_category=counts.by_category,
            by_debt_kind=counts.by_debt_kind,
            facet_groups=facet_groups(project),
        )
