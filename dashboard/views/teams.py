"""The Teams page: everyone sees their teams; staff create teams, add and remove members
and give projects to a team (reviewer.teams does the work)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dashboard.access import (
    AuthedRequest,
    can_change,
    changeable,
    teams_of,
    visible_projects,
)
from dashboard.params import id_param
from reviewer import teams
from reviewer.teams import TeamError

MAX_PROJECT_CHOICES = 500


@login_required
def team_list(request: AuthedRequest) -> HttpResponse:
    staff = request.user.is_staff
    rows = teams.teams_with_members(teams_of(request.user))
    projects = []
    if staff:
        found = list(
            visible_projects(request.user)
            .select_related("team")
            .order_by("name")[:MAX_PROJECT_CHOICES]
        )
        allowed = changeable(request.user, found)
        projects = [p for p in found if p.pk in allowed]
    for team in rows:
        # What staff may give this team: projects they act on, of another team or none.
        team.candidates = [p for p in projects if p.team_id != team.pk]  # type: ignore[attr-defined]
    return render(request, "dashboard/teams.html", {"teams": rows, "staff": staff})


def _staff_team(request: AuthedRequest, team_id: int) -> Group:
    if not request.user.is_staff:
        raise PermissionDenied("Only staff change teams.")
    return get_object_or_404(Group, pk=team_id)


@login_required
@require_POST
def team_add(request: AuthedRequest) -> HttpResponse:
    if not request.user.is_staff:
        raise PermissionDenied("Only staff create teams.")
    try:
        team = teams.create_team(request.POST.get("name", ""))
    except TeamError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Created team {team.name}.")
    return redirect("dashboard:teams")


@login_required
@require_POST
def team_member_add(request: AuthedRequest, team_id: int) -> HttpResponse:
    team = _staff_team(request, team_id)
    try:
        user = teams.add_member(team, request.POST.get("username", ""))
    except TeamError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{user.username} is now a member of {team.name}.")
    return redirect("dashboard:teams")


@login_required
@require_POST
def team_member_remove(request: AuthedRequest, team_id: int) -> HttpResponse:
    team = _staff_team(request, team_id)
    try:
        user = teams.remove_member(team, id_param(request.POST.get("user", ""), "user") or 0)
    except TeamError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{user.username} left {team.name}.")
    return redirect("dashboard:teams")


@login_required
@require_POST
def team_project_give(request: AuthedRequest, team_id: int) -> HttpResponse:
    team = _staff_team(request, team_id)
    project_id = id_param(request.POST.get("project", ""), "project") or 0
    project = get_object_or_404(visible_projects(request.user), pk=project_id)
    if not can_change(request.user, project):
        raise PermissionDenied("You may not act on this project.")
    try:
        teams.give_project(team, project)
    except TeamError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{project.name} now belongs to {team.name}.")
    return redirect("dashboard:teams")
