"""The overview, adding a project, and a project's findings page."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from dashboard.access import AuthedRequest, can_change, get_project_for_user, visible_projects
from dashboard.forms import FindingFilterForm, ProjectForm
from reviewer.finding_counts import page_counts, visible_categories
from reviewer.finding_filters import after_key
from reviewer.models import Finding, GateResult, Project, Scan, Severity
from reviewer.overview import SORTS, movement_since
from reviewer.tasks import start_onboarding


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
    return render(
        request,
        "dashboard/projects.html",
        {
            "rows": [(p, *week.get(p.pk, (0, 0))) for p in rows],
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


def _without_after(request: AuthedRequest) -> str:
    query = request.GET.copy()
    query.pop("after", None)
    return query.urlencode()


GATE_HISTORY = 12  # the quality gate's latest verdicts on the project page


@login_required
@vary_on_headers("HX-Request")
def project_detail(request: AuthedRequest, slug: str) -> HttpResponse:
    project = get_project_for_user(request, slug)
    form = FindingFilterForm(request.GET or None)
    selection = form.to_filter()
    after = form.cleaned_data.get("after") if form.is_valid() else None
    findings = after_key(selection.apply(project), after, project)
    # Keyset pagination on the unique (severity, id) key: constant cost at any depth.
    page_size = settings.REVIEWDECK_PAGE_SIZE
    page = list(findings.order_by("severity", "id")[: page_size + 1])
    has_more = len(page) > page_size
    page = page[:page_size]
    groups: dict[int, list[Finding]] = {}
    for finding in page:
        groups.setdefault(finding.severity, []).append(finding)
    query = request.GET.copy()
    query.pop("after", None)
    if has_more and page:
        query["after"] = str(page[-1].pk)
    # The last real result (scheduled "no change" checks show as the last check's time).
    last_scan = project.scans.exclude(status=Scan.Status.SKIPPED).first()
    counts = page_counts(project)
    facet_query = request.GET.copy()
    facet_query.pop("after", None)
    facets = []
    for item in counts.contexts:
        facet_query["context"] = item.context.value
        facets.append((item, facet_query.urlencode()))
    context = {
        "project": project,
        "form": form,
        "groups": [(Severity(sev), groups[sev]) for sev in sorted(groups)],
        "counts": counts.severities,
        "context_facets": facets,
        "categories": visible_categories(project),
        "next_after": page[-1].pk if has_more and page else None,
        "next_query": query.urlencode(),
        "filter_query": _without_after(request),
        "filtered": not selection.is_default,
        "last_scan": last_scan,
        "can_change": can_change(request.user, project),
        "gate_results": list(
            GateResult.objects.filter(project=project).only(
                "pk", "passed", "scan_id", "created_at", "failures"
            )[:GATE_HISTORY]
        ),
    }
    if request.htmx:
        return render(request, "dashboard/project.html#findings", context)
    return render(request, "dashboard/project.html", context)
