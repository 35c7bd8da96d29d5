"""The "API tokens" page: create (the token is shown once), list, revoke."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from dashboard import tokens
from dashboard.access import AuthedRequest
from dashboard.models import ApiToken
from dashboard.params import id_param


@never_cache  # the page that shows a new token must not be kept by any cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: AuthedRequest) -> HttpResponse:
    authed = request
    created = error = ""
    status = 200
    if request.method == "POST":
        if "revoke" in request.POST:
            token_id = id_param(request.POST.get("revoke", ""), "revoke")
            if not (token_id and tokens.revoke(authed.user, token_id)):
                error, status = "No such active token.", 404
        else:
            try:
                _row, created = tokens.issue(authed.user, request.POST.get("name", ""))
            except tokens.TokenError as exc:
                error, status = str(exc), 400
    rows = ApiToken.objects.filter(user=authed.user).order_by("-created_at", "-id")[:200]
    return render(
        request,
        "dashboard/tokens.html",
        {"tokens": rows, "created": created, "error": error},
        status=status,
    )
