"""The push webhook receiver (public, signed) and the project's webhook settings page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.access import AuthedRequest, get_project_for_change
from reviewer import webhooks
from reviewer.models import Project, WebhookDelivery

MAX_BODY = 5 * 1024 * 1024
DELIVERIES_SHOWN = 30


@csrf_exempt  # forges cannot send a CSRF token: the signature is the proof
@require_POST
def receive(request: HttpRequest, slug: str) -> HttpResponse:
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
        return JsonResponse({"detail": "payload too large"}, status=413)
    project = Project.objects.filter(slug=slug).first()
    if project is None:  # the same answer as a bad signature: no probing for projects
        return JsonResponse({"detail": "refused"}, status=403)
    answer = webhooks.handle(project, request.headers, request.body)
    if answer.status == 204:
        return HttpResponse(status=204)
    body: dict[str, object] = {"outcome": answer.outcome}
    if answer.scan_id is not None:
        body["scan"] = answer.scan_id
    return JsonResponse(body, status=answer.status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def webhook_settings(request: AuthedRequest, slug: str) -> HttpResponse:
    project = get_project_for_change(request, slug)
    secret = ""
    if request.method == "POST":
        if request.POST.get("webhook") == "off":
            project.webhook_salt = ""
            project.save(update_fields=["webhook_salt"])
        else:
            secret = webhooks.new_secret(project)  # shown on this response only
    deliveries = WebhookDelivery.objects.filter(project=project)[:DELIVERIES_SHOWN]
    return render(
        request,
        "dashboard/webhooks.html",
        {
            "project": project,
            "secret": secret,
            "enabled": bool(project.webhook_salt),
            "url": request.build_absolute_uri(reverse("webhook", args=[project.slug])),
            "deliveries": deliveries,
        },
    )
