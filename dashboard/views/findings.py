"""One finding: what it is, where, and what happened to it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from dashboard.access import get_project_for_user
from reviewer.models import Finding


@login_required
def finding_detail(request: HttpRequest, slug: str, finding_id: int) -> HttpResponse:
    project = get_project_for_user(request, slug)
    finding = get_object_or_404(
        Finding.objects.select_related("first_seen_scan", "fixed_in_scan", "assignee"),
        project=project,
        pk=finding_id,
    )
    events = finding.events.select_related("scan").order_by("id")
    triage_events = finding.triage_events.select_related("user", "assignee").order_by("id")
    return render(
        request,
        "dashboard/finding.html",
        {"project": project, "finding": finding, "events": events, "triage_events": triage_events},
    )
