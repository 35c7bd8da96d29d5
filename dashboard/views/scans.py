"""Starting a scan and watching its progress."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseStopPolling, trigger_client_event

from dashboard.access import can_change, get_project_for_change, get_project_for_user
from reviewer.models import Scan
from reviewer.scanning import QueueUnavailableError, enqueue_scan, request_scan


@login_required
@require_POST
def scan_start(request: HttpRequest, slug: str) -> HttpResponse:
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
        {"project": project, "last_scan": scan, "queue_error": queue_error, "can_change": True},
    )


@login_required
def scan_status(request: HttpRequest, slug: str, scan_id: int) -> HttpResponse:
    project = get_project_for_user(request, slug)
    scan = get_object_or_404(Scan, project=project, pk=scan_id)
    context = {
        "project": project,
        "last_scan": scan,
        "can_change": can_change(request.user, project),
    }
    if scan.is_active:
        return render(request, "dashboard/project.html#scan-status", context)
    response: HttpResponse = HttpResponseStopPolling(
        render(request, "dashboard/project.html#scan-status", context).content
    )
    return trigger_client_event(response, "scan-finished")
