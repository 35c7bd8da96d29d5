"""Error pages in the app's layout (with its navigation), for 400, 403, 404 and 500.

Django's own handlers would render bare templates; these render one template with the
request, so the top bar shows the user's navigation. The 500 page falls back to plain
text if even the layout fails (the database may be what broke)."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render

log = logging.getLogger(__name__)

PAGES = {
    400: ("Bad request", "The request could not be understood: a parameter is malformed."),
    403: ("Not allowed", "You may see this, but not change it: only the team's members may."),
    404: ("Not found", "There is no such page here, or it belongs to a team you are not in."),
    500: ("Something went wrong", "The server failed on this request; it has been logged."),
}


def render_error(request: HttpRequest, code: int, detail: str = "") -> HttpResponse:
    title, text = PAGES[code]
    context = {"error_code": code, "error_title": title, "error_text": text}
    if detail:
        context["error_detail"] = detail
    return render(request, "error_page.html", context, status=code)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render_error(request, 400, str(exception) if exception else "")


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render_error(request, 403, str(exception) if exception else "")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render_error(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return render_error(request, 500)
    except Exception:  # the layout itself failed: say it plainly
        log.exception("the 500 page could not be rendered")
        return HttpResponseServerError("Something went wrong; it has been logged.")
