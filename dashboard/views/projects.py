"""The overview, adding a project, and a project's findings page."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from dashboard.access import AuthedRequest, can_change, get_project_for_user, visible_projects
from dashboard.finding_list import facet_groups, filter_query, paging
from dashboard.forms import FindingFilterForm, ProjectForm
from reviewer.finding_facets import facet_counts
from reviewer.finding_pages import findings_page
from reviewer.metrics import DEBT_KINDS
from reviewer.models import Finding, GateResult, Project, Scan, Severity
from reviewer.overview import SORTS, movement_since
from reviewer.progress import activity
from reviewer.tasks import start_onboarding
from reviewer.triage import MAX_MATCHING


@login_required
def project_list(request: AuthedRequest) -> HttpResponse:
    sort = request.GET.get("sort", "name")
    if sort not in SORTS:
        sort = "name"
    projects = visible_projects(request.user).select_related("team", "last_scan", "latest_summary")
    text = request.GET.get("q", "").strip()[:100]
    if text:
        projects = projects.filter(name__icontains=text)
    if request.GET.get("problems") == "1":
        projects = projects.filter(
            Q(clone_state=Project.CloneState.ERROR) | Q(last_scan__status=Scan.Status.FAILED)
        )
    rows = list(projects.order_by(*SORTS[sort]))
    week = movement_since([p.pk for p in rows], timezone.now() - timedelta(days=7))
    doing = {p.pk: activity(p, p.last_scan) for p in rows}
    return render(
        request,
        "dashboard/projects.html",
        {
            "rows": [(p, *week.get(p.pk, (0, 0)), doing[p.pk]) for p in rows],
            "any_active": any(doing.values()),
            "sort": sort,
            "q": text,
            "problems": request.GET.get("problems") == "1",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_add(request: AuthedRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        project = form.save()
        if start_onboarding(project):
            messages.success(
                request,
                f"Added {project.name}: its last {project.backfill_weeks} weeks of history and "
                "its current code are being scanned.",
            )
        else:
            messages.warning(
                request, f"Added {project.name}, but the task queue is unavailable: scan it later."
            )
        return redirect(project)
    return render(
        request, "dashboard/project_add.html", {"form": form, "no_teams": not form.has_teams}
    )


GATE_HISTORY = 12  # the quality gate's latest verdicts on the project page


@login_required
@vary_on_headers("HX-Request")
def project_detail(request: AuthedRequest, slug: str) -> HttpResponse:
    project = get_project_for_user(request, slug)
    form = FindingFilterForm(request.GET or None)
    selection = form.to_filter()
    data = form.cleaned_data if form.is_valid() else {}
    size = settings.REVIEWDECK_PAGE_SIZE
    facets = facet_counts(selection, project)
    page = findings_page(
        selection.apply(project),
        project,
        size,
        after=data.get("after"),
        before=data.get("before"),
        at=data.get("at"),
        # The severity facet counts the filter's findings per severity (all but the
        # chosen one are outside the filter when a severity is chosen).
        per_severity={
            int(s): n for s, n in facets.severity if selection.severity in (None, int(s))
        },
    )
    groups: dict[int, list[Finding]] = {}
    for finding in page.findings:
        groups.setdefault(finding.severity, []).append(finding)
    # The last real result (scheduled "no change" checks show as the last check's time).
    last_scan = project.scans.exclude(status=Scan.Status.SKIPPED).first()
    categories = [c for c, _n in facets.category]
    if selection.category and selection.category not in categories:
        categories.append(selection.category)
    context = {
        "project": project,
        "form": form,
        "groups": [(Severity(sev), groups[sev]) for sev in sorted(groups)],
        "facets": facets,
        "facet_groups": facet_groups(facets, request.GET),
        "categories": sorted(categories),
        "paging": paging(page, facets.total, size, request.GET),
        "filter_query": filter_query(request.GET).urlencode(),
        "filtered": not selection.is_default,
        "selection": selection,
        "last_scan": last_scan,
        "activity": activity(project, last_scan),
        "poll_url": reverse("dashboard:project_progress", args=[project.slug]),
        "can_change": can_change(request.user, project),
        "max_matching": MAX_MATCHING,
        "page_rows": len(page.findings),
        "debt_kinds": DEBT_KINDS,
        "gate_results": list(
            GateResult.objects.filter(project=project).only(
                "pk", "passed", "scan_id", "created_at", "failures"
            )[:GATE_HISTORY]
        ),
    }
    if request.htmx:
        return render(request, "dashboard/project.html#findings", context)
    return render(request, "dashboard/project.html", context)
