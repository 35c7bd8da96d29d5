"""The JSON API, ``/api/v1/`` (django-ninja): OpenAPI at ``/api/v1/openapi.json``,
interactive docs at ``/api/v1/docs`` (Swagger UI from the package's own static files).

Every operation needs a personal token (``Authorization: Bearer rdk_...``) or a browser
session; the project and meeting rules are dashboard.access's, as for the pages.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from dashboard.api import findings, meetings, projects
from dashboard.api.auth import BrowserSession, PerCallerThrottle, TokenAuth

api = NinjaAPI(
    title="Reviewdeck API",
    version="1",
    description="Findings, scans, triage, summaries, debt and meetings of your teams' projects.",
    urls_namespace="api",
    auth=[TokenAuth(), BrowserSession()],
    throttle=[PerCallerThrottle()],
    docs=Swagger(settings={"validatorUrl": None, "deepLinking": True}),
    docs_url="/docs",
    docs_decorator=login_required,
)
api.add_router("", projects.router)
api.add_router("", findings.router)
api.add_router("", meetings.router)


@api.exception_handler(ValidationError)
def bad_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Malformed parameters or body: 400 with what is wrong (ninja's default is 422)."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        where = ".".join(str(p) for p in error.get("loc", ())[1:]) or "request"
        errors.setdefault(where, []).append(str(error.get("msg", "invalid")))
    return api.create_response(
        request, {"detail": "The request is not valid.", "errors": errors}, status=400
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    body: dict[str, object] = {"detail": str(exc)}
    errors = getattr(exc, "errors", None)
    if errors:
        body["errors"] = errors
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        {"detail": "Authentication required: a token (Authorization: Bearer ...) or a login."},
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="reviewdeck"'
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # The same answer for "does not exist" and "not your team's": nothing leaks.
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "You may not do this."}, status=403)
