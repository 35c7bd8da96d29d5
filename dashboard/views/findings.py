"""One finding: what it is, where, what happened to it, and what the team decided."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from dashboard.access import (
    AuthedRequest,
    can_change,
    get_project_for_change,
    get_project_for_user,
    team_members,
)
from dashboard.code_view import code_context, web_url
from dashboard.forms import FindingFilterForm
from dashboard.params import id_list, id_param
from reviewer.engine import rule_doc
from reviewer.models import Finding, Project
from reviewer.triage import (
    MAX_BULK,
    Decision,
    TriageError,
    apply_triage,
    apply_triage_matching,
)

ASSIGNEE_SUGGESTIONS = 10


def _finding_context(
    request: AuthedRequest, project: Project, finding: Finding
) -> dict[str, object]:
    events = list(finding.events.select_related("scan").order_by("id"))
    # The commit the stored excerpt was cut from: the scan that last wrote the finding.
    commit = finding.last_seen_scan.commit_sha if finding.last_seen_scan else ""
    return {
        "project": project,
        "finding": finding,
        "last_seen_scan_id": finding.last_seen_in(project.latest_recorded_scan_id()),
        "events": events,
        "triage_events": finding.triage_events.select_related("user", "assignee").order_by("id"),
        "rule": rule_doc(finding.rule_id),
        "code": code_context(finding),
        "web_url": web_url(project.repo_url, commit, finding.path, finding.line),
        "can_change": can_change(request.user, project),
        "actions": _triage_actions(finding),
    }


def _triage_actions(finding: Finding) -> list[tuple[str, str]]:
    """The decision buttons: "Reopen" only for a finding someone has triaged (an
    untriaged one is open already)."""
    actions = [
        ("acknowledge", "Acknowledge"),
        ("false_positive", "False positive"),
        ("wont_fix", "Won't fix"),
    ]
    if finding.triage != Finding.Triage.OPEN:
        actions.append(("reopen", "Reopen"))
    return actions


@login_required
def finding_detail(request: AuthedRequest, slug: str, finding_id: int) -> HttpResponse:
    project = get_project_for_user(request, slug)
    finding = get_object_or_404(
        Finding.objects.select_related(
            "first_seen_scan", "last_seen_scan", "fixed_in_scan", "assignee"
        ),
        project=project,
        pk=finding_id,
    )
    return render(request, "dashboard/finding.html", _finding_context(request, project, finding))


def _decision(request: AuthedRequest, project: Project) -> Decision:
    assignee_name = request.POST.get("assignee", "").strip()
    change_assignee = "assignee" in request.POST and request.POST.get("change_assignee") == "1"
    assignee = None
    if change_assignee and assignee_name:
        assignee = team_members(project).filter(username=assignee_name).first()
        if assignee is None:
            raise TriageError(f"{assignee_name!r} is not a member of this project's team.")
    return Decision(
        action=request.POST.get("action", ""),
        assignee=assignee,
        change_assignee=change_assignee,
        comment=request.POST.get("comment", ""),
    )


@login_required
@require_POST
def finding_triage(request: AuthedRequest, slug: str, finding_id: int) -> HttpResponse:
    project = get_project_for_change(request, slug)
    finding = get_object_or_404(Finding, project=project, pk=finding_id)
    error = ""
    try:
        apply_triage([finding], request.user, _decision(request, project))
    except TriageError as exc:
        error = str(exc)
    finding = Finding.objects.select_related("last_seen_scan", "assignee").get(pk=finding.pk)
    context = _finding_context(request, project, finding) | {"triage_error": error}
    if request.htmx:  # the header's triage state follows out of band
        return render(request, "dashboard/finding.html#triage", context | {"oob": True})
    if error:
        messages.error(request, error)
    return redirect(finding)


def _matching(request: AuthedRequest, project: Project) -> tuple[QuerySet[Finding], int]:
    """The findings of the filter the bulk form carried (its query string, parsed like the
    page's), and the count the person confirmed."""
    form = FindingFilterForm(QueryDict(request.POST.get("filter", "")))
    if not form.is_valid():
        raise TriageError("The filter is not valid any more; reload the page.")
    expected = id_param(request.POST.get("expected", ""), "expected")
    if expected is None:
        raise TriageError("Confirm how many findings to change.")
    return form.to_filter().apply(project), expected


@login_required
@require_POST
def bulk_triage(request: AuthedRequest, slug: str) -> HttpResponse:
    project = get_project_for_change(request, slug)
    back = request.POST.get("next", "")
    if not back.startswith(project.get_absolute_url()):
        back = project.get_absolute_url()
    try:
        if request.POST.get("scope") == "filter":
            matching, expected = _matching(request, project)
            decision = _decision(request, project)
            count = apply_triage_matching(matching, request.user, decision, expected)
        else:
            ids = id_list(request.POST.getlist("finding")[: MAX_BULK + 1], "finding")
            if not ids:
                raise TriageError("Select at least one finding first (tick its box).")
            findings = Finding.objects.filter(project=project, pk__in=ids)
            count = apply_triage(findings, request.user, _decision(request, project))
    except TriageError as exc:
        # Said next to the button (HTMX), or on the page it came from.
        if request.htmx:
            return HttpResponse(str(exc))
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Triaged {count:,} finding(s).")
    if request.htmx:
        return HttpResponseClientRedirect(back)
    return redirect(back)


@login_required
@require_GET
def assignee_options(request: AuthedRequest, slug: str) -> HttpResponse:
    """Up to ten team members matching what was typed (never a 100k-option dropdown)."""
    project = get_project_for_user(request, slug)
    query = request.GET.get("assignee", "").strip()[:100]
    users = team_members(project)
    if query:
        users = users.filter(username__icontains=query)
    names = list(
        users.order_by("username").values_list("username", flat=True)[:ASSIGNEE_SUGGESTIONS]
    )
    return render(request, "dashboard/assignee_options.html", {"names": names})
