"""The one place that decides who may see and change a project."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, Group, User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django_htmx.middleware import HtmxDetails

from dashboard.models import Meeting
from reviewer.models import Project


class AuthedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails


def get_project_for_user(request: HttpRequest, slug: str) -> Project:
    """The project, if the user's teams own it (staff see all); 404 otherwise."""
    try:
        return Project.objects.visible_to(request.user).get(slug=slug)
    except Project.DoesNotExist:
        raise Http404("No such project") from None


def can_change(user: User | AnonymousUser, project: Project) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return project.team_id is not None and user.groups.filter(pk=project.team_id).exists()


def get_project_for_change(request: HttpRequest, slug: str) -> Project:
    """Like get_project_for_user, but 403 for a reader who may not act on it."""
    project = get_project_for_user(request, slug)
    if not can_change(request.user, project):
        raise PermissionDenied("You are not a member of this project's team")
    return project


def teams_of(user: User | AnonymousUser) -> QuerySet[Group]:
    """The teams whose shared things (agents) the user sees and adds to (staff: all)."""
    if not user.is_authenticated:
        return Group.objects.none()
    if user.is_staff:
        return Group.objects.all()
    return Group.objects.filter(user=user)


def visible_meetings(user: User | AnonymousUser) -> QuerySet[Meeting]:
    """The meetings of the user's teams (staff: all)."""
    if not user.is_authenticated:
        return Meeting.objects.none()
    if user.is_staff:
        return Meeting.objects.all()
    return Meeting.objects.filter(team__in=user.groups.all())
