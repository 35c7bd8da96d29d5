"""A project's quality gate: its conditions, its verdicts, and the opt-in badge."""

from __future__ import annotations

import secrets

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dashboard.access import AuthedRequest, can_change, get_project_for_change, get_project_for_user
from dashboard.forms import QualityGateForm
from reviewer import badges, gates
from reviewer.models import GateResult, Project, QualityGate

HISTORY = 50


@login_required
@require_http_methods(["GET", "POST"])
def project_gate(request: AuthedRequest, slug: str) -> HttpResponse:
    project = get_project_for_user(request, slug)
    gate = gates.gate_for(project)
    form = QualityGateForm(instance=gate)
    if request.method == "POST":
        project = get_project_for_change(request, slug)
        if "badge" in request.POST:
            on = request.POST["badge"] == "on"
            project.badge_token = secrets.token_urlsafe(24) if on else ""
            project.save(update_fields=["badge_token"])
            return redirect("dashboard:project_gate", slug=project.slug)
        form = QualityGateForm(request.POST)
        if form.is_valid():
            _save(project, form)
            gates.rejudge_latest(project)
            return redirect("dashboard:project_gate", slug=project.slug)
    results = GateResult.objects.filter(project=project).select_related("scan")[:HISTORY]
    return render(
        request,
        "dashboard/gate.html",
        {
            "project": project,
            "gate": gate,
            "form": form,
            "results": results,
            "can_change": can_change(request.user, project),
            "badge_url": (
                request.build_absolute_uri(f"/badge/{project.badge_token}.svg")
                if project.badge_token
                else ""
            ),
        },
        status=200 if form.is_bound is False or form.is_valid() else 400,
    )


def _save(project: Project, form: QualityGateForm) -> None:
    values = {name: form.cleaned_data[name] for name in QualityGateForm.Meta.fields}
    if form.cleaned_data["scope"] == "team" and project.team_id is not None:
        QualityGate.objects.update_or_create(team_id=project.team_id, defaults=values)
        QualityGate.objects.filter(project=project).delete()  # the team's gate applies
        return
    QualityGate.objects.update_or_create(project=project, defaults=values)


@never_cache
@require_GET
def gate_badge(request: AuthedRequest, token: str) -> HttpResponse:
    """Public by the project's choice: the token in the URL is the only key, and the badge
    says passed, failed or none — nothing else about the project."""
    if len(token) < 20:
        raise Http404("No such badge")
    project = Project.objects.filter(badge_token=token).first()
    if project is None:
        raise Http404("No such badge")
    response = HttpResponse(
        badges.gate_badge(gates.latest_result(project)), content_type="image/svg+xml"
    )
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
