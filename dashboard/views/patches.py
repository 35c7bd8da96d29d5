"""Migration-debt patches: prepare one on a worker, watch it, read it, download it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseStopPolling

from dashboard.access import AuthedRequest, can_change, get_project_for_change, get_project_for_user
from dashboard.diff_view import diff_lines
from reviewer.models import PatchRequest
from reviewer.patches import request_patch
from reviewer.tasks import enqueue_patch


@login_required
@require_POST
def patch_start(request: AuthedRequest, slug: str, kind: str) -> HttpResponse:
    project = get_project_for_change(request, slug)
    if kind not in PatchRequest.Kind.values:
        raise Http404("No such debt kind")
    patch, created = request_patch(project, kind, request.user)
    if created:
        enqueue_patch(patch)
    url = reverse("dashboard:patch", args=[project.slug, patch.pk])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


@login_required
def patch_detail(request: AuthedRequest, slug: str, patch_id: int) -> HttpResponse:
    project = get_project_for_user(request, slug)
    patch = get_object_or_404(PatchRequest, project=project, pk=patch_id)
    lines, cut = diff_lines(patch.diff) if patch.status == PatchRequest.Status.READY else ([], 0)
    context = {
        "project": project,
        "patch": patch,
        "lines": lines,
        "cut": cut,
        "can_change": can_change(request.user, project),
    }
    if request.htmx:
        response = render(request, "dashboard/patch.html#patch-body", context)
        return response if patch.is_active else HttpResponseStopPolling(response.content)
    context["others"] = (
        PatchRequest.objects.filter(project=project)
        .exclude(pk=patch.pk)
        .only("pk", "kind", "status", "created_at", "removed_minutes")[:10]
    )
    return render(request, "dashboard/patch.html", context)


@login_required
def patch_download(request: HttpRequest, slug: str, patch_id: int) -> HttpResponse:
    project = get_project_for_user(request, slug)
    patch = get_object_or_404(
        PatchRequest, project=project, pk=patch_id, status=PatchRequest.Status.READY
    )
    response = HttpResponse(patch.diff, content_type="text/x-diff; charset=utf-8")
    name = f"{project.slug}-{patch.kind}-{patch.commit_sha[:12] or patch.pk}.patch"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
