"""Streamed exports of the project page's current filter."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboard.access import AuthedRequest, get_project_for_user
from dashboard.forms import FindingFilterForm
from reviewer.exports import csv_stream, sarif_stream


def _download(request: AuthedRequest, slug: str, kind: str) -> HttpResponseBase:
    project = get_project_for_user(request, slug)
    form = FindingFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        # Never export everything because a filter was malformed.
        problems = "; ".join(
            f"{field}: {' '.join(map(str, errs))}" for field, errs in form.errors.items()
        )
        return HttpResponseBadRequest(f"Invalid filter. {problems}", content_type="text/plain")
    findings = form.to_filter().apply(project)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    if kind == "csv":
        response = StreamingHttpResponse(csv_stream(findings), content_type="text/csv")
        name = f"{project.slug}-findings-{stamp}.csv"
    else:
        response = StreamingHttpResponse(
            sarif_stream(findings), content_type="application/sarif+json"
        )
        name = f"{project.slug}-findings-{stamp}.sarif"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def export_csv(request: AuthedRequest, slug: str) -> HttpResponseBase:
    return _download(request, slug, "csv")


@login_required
@require_GET
def export_sarif(request: AuthedRequest, slug: str) -> HttpResponseBase:
    return _download(request, slug, "sarif")
