"""The one place that knows teams: who sees a project, who may change it, whose teams.

A project belongs to a team (a Django group). Its members see and change it. Staff see
every project but change only their teams' projects and those of no team (superusers
change all): a staff reader gets 403 on an action, anyone else who is not a member gets
404, as if the project did not exist.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser, Group, User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django_htmx.middleware import HtmxDetails

from reviewer.models import Meeting, Project, ProjectQuerySet


class AuthedRequest(HttpRequest):
    """The request of a view behind ``@login_required`` (with django-htmx's details)."""

    user: User
    htmx: HtmxDetails


def teams_of(user: User | AnonymousUser) -> QuerySet[Group]:
    """The teams a user belongs to, whose shared things (agents, meetings) they see and
    may pick (staff: every team)."""
    if not user.is_authenticated:
        return Group.objects.none()
    return Group.objects.all() if user.is_staff else user.groups.all()


def has_a_team(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and (user.is_staff or user.groups.exists())


def visible_projects(user: User | AnonymousUser) -> ProjectQuerySet:
    """The projects a user sees: their teams' (staff see all)."""
    if not user.is_authenticated:
        return Project.objects.none()
    if user.is_staff:
        return Project.objects.all()
    return Project.objects.filter(team__in=user.groups.all())


def team_members(project: Project) -> QuerySet[User]:
    """The active users who may be assigned the project's findings (no team: staff)."""
    users = User.objects.filter(is_active=True)
    if project.team_id is None:
        return users.filter(is_staff=True)
    return users.filter(groups=project.team_id)


def get_project_for_user(request: HttpRequest, slug: str) -> Project:
    """The project, if the user's teams own it (staff see all); 404 otherwise."""
    try:
        return visible_projects(request.user).get(slug=slug)
    except Project.DoesNotExist:
        raise Http404("No such project") from None


def can_change(user: User | AnonymousUser, project: Project) -> bool:
    """Members of the project's team act on it; staff on projects of no team; superusers
    on every project. Other staff read only (403 on actions)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or (project.team_id is None and user.is_staff):
        return True
    return project.team_id is not None and user.groups.filter(pk=project.team_id).exists()


def changeable(user: User | AnonymousUser, projects: Iterable[Project]) -> set[int]:
    """The ids of ``projects`` the user may act on (``can_change`` for many, one query)."""
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return {project.pk for project in projects}
    teams = set(user.groups.values_list("pk", flat=True))
    return {
        project.pk
        for project in projects
        if project.team_id in teams or (project.team_id is None and user.is_staff)
    }


def get_project_for_change(request: HttpRequest, slug: str) -> Project:
    """Like get_project_for_user, but 403 for a reader who may not act on it."""
    project = get_project_for_user(request, slug)
    if not can_change(request.user, project):
        raise PermissionDenied("You are not a member of this project's team")
    return project


def visible_meetings(user: User | AnonymousUser) -> QuerySet[Meeting]:
    """The meetings of the user's teams (staff: all)."""
    return Meeting.objects.filter(team__in=teams_of(user))
