"""Starting a scan and watching its progress."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseStopPolling, trigger_client_event

from dashboard.access import AuthedRequest, can_change, get_project_for_change, get_project_for_user
from dashboard.params import id_param
from reviewer import quality_profiles
from reviewer.models import Finding, FindingEvent, Project, Scan
from reviewer.progress import activity
from reviewer.scan_history import history_page
from reviewer.scanning import request_scan
from reviewer.tasks import QueueUnavailableError, enqueue_scan

SCANS_PER_PAGE = 50


@login_required
@require_POST
def scan_start(request: AuthedRequest, slug: str) -> HttpResponse:
    project = get_project_for_change(request, slug)
    scan, created = request_scan(project, Scan.Trigger.MANUAL)
    queue_error = ""
    if created:
        try:
            enqueue_scan(scan)
        except QueueUnavailableError:
            queue_error = "The task queue is unavailable right now; the scan was not started."
    return render(
        request,
        "dashboard/project.html#scan-status",
        {
            "project": project,
            "last_scan": scan,
            "activity": activity(project, scan),
            "poll_url": reverse("dashboard:project_progress", args=[project.slug]),
            "queue_error": queue_error,
            "can_change": True,
        },
    )


def _status(request: AuthedRequest, context: dict[str, object]) -> HttpResponse:
    """The status block; once nothing is under way, polling stops (286) and the page is
    told (``scan-finished``) so the lists on it reload."""
    html = render(request, "dashboard/project.html#scan-status", context)
    if context["activity"] is not None:
        return html
    response: HttpResponse = HttpResponseStopPolling(html.content)
    return trigger_client_event(response, "scan-finished")


@login_required
def scan_status(request: AuthedRequest, slug: str, scan_id: int) -> HttpResponse:
    """One scan's status (its own page polls this while it runs)."""
    project = get_project_for_user(request, slug)
    scan = get_object_or_404(Scan, project=project, pk=scan_id)
    found = activity(project, scan)
    return _status(
        request,
        {
            "project": project,
            "last_scan": scan,
            "activity": found if found and found.scan == scan else None,
            "poll_url": request.path,
            "can_change": can_change(request.user, project),
        },
    )


@login_required
def project_progress(request: AuthedRequest, slug: str) -> HttpResponse:
    """What the project is doing (a scan, cloning, the history's weeks); the project page
    polls this while something is under way."""
    project = get_project_for_user(request, slug)
    last_scan = project.scans.exclude(status=Scan.Status.SKIPPED).first()
    return _status(
        request,
        {
            "project": project,
            "last_scan": last_scan,
            "activity": activity(project, last_scan),
            "poll_url": request.path,
            "can_change": can_change(request.user, project),
        },
    )


@login_required
def scan_list(request: AuthedRequest, slug: str) -> HttpResponse:
    """A project's scan history, newest first, keyset-paged on the scan id; scheduled
    "no change" checks are folded into one line per run."""
    project = get_project_for_user(request, slug)
    before = id_param(request.GET.get("before", ""), "before")
    rows, next_before = history_page(project, before, SCANS_PER_PAGE)
    return render(
        request,
        "dashboard/scans.html",
        {
            "project": project,
            "rows": rows,
            "any_active": any(getattr(row, "is_active", False) for row in rows),
            "next_before": next_before,
            "can_change": can_change(request.user, project),
        },
    )


@login_required
def scan_detail(request: AuthedRequest, slug: str, scan_id: int) -> HttpResponse:
    project = get_project_for_user(request, slug)
    scan = get_object_or_404(
        Scan.objects.select_related("summary", "profile_version__profile__team"),
        project=project,
        pk=scan_id,
    )
    introduced = (
        Finding.objects.filter(project=project, first_seen_scan=scan)
        .order_by("severity", "id")
        .only("pk", "rule_id", "title", "path", "line", "severity", "from_new_rule")[:100]
    )
    fixed = (
        Finding.objects.filter(project=project, fixed_in_scan=scan)
        .order_by("severity", "id")
        .only("pk", "rule_id", "title", "path", "line", "severity")[:100]
    )
    excluded = (
        Finding.objects.filter(
            project=project, events__scan=scan, events__kind=FindingEvent.Kind.EXCLUDED
        )
        .order_by("severity", "id")
        .only("pk", "rule_id", "title", "path", "line", "severity")[:100]
    )
    # Each listed finding links to its page (project slug): hand them the project
    # instead of one query per finding (85 queries for a week of 78 new, 6 fixed).
    return render(
        request,
        "dashboard/scan.html",
        {
            "project": project,
            "scan": scan,
            "last_scan": scan,
            "activity": activity(project, scan) if scan.is_active else None,
            "poll_url": reverse("dashboard:scan_status", args=[project.slug, scan.pk]),
            "introduced": _of(project, introduced),
            "fixed": _of(project, fixed),
            "excluded": _of(project, excluded),
            "profile_label": quality_profiles.describe(scan.profile_version),
            "can_change": can_change(request.user, project),
        },
    )


def _of(project: Project, findings: Iterable[Finding]) -> list[Finding]:
    rows = list(findings)
    for finding in rows:
        finding.project = project
    return rows
