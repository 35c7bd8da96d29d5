"""Teams (Django groups) as the product uses them: created, given members and projects by
staff on the Teams page; the demo's team; and why a user cannot start a meeting yet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet

from reviewer.models import Project

MAX_NAME = 150  # Group.name's length


class TeamError(ValueError):
    """A team change that cannot be made; the message says why."""


def create_team(name: str) -> Group:
    name = " ".join(name.split())
    if not name:
        raise TeamError("Give the team a name.")
    if len(name) > MAX_NAME:
        raise TeamError(f"A team name has at most {MAX_NAME} characters.")
    if Group.objects.filter(name__iexact=name).exists():
        raise TeamError(f"A team named {name!r} exists already.")
    return Group.objects.create(name=name)


def add_member(team: Group, username: str) -> User:
    user = User.objects.filter(username=username.strip(), is_active=True).first()
    if user is None:
        raise TeamError(f"No active user is named {username.strip()!r}.")
    team.user_set.add(user)
    return user


def remove_member(team: Group, user_id: int) -> User:
    user = team.user_set.filter(pk=user_id).first()
    if user is None:
        raise TeamError("That user is not a member of this team.")
    team.user_set.remove(user)
    return user


def give_project(team: Group, project: Project) -> None:
    """The project now belongs to ``team`` (its findings, meetings and settings follow)."""
    if Project.objects.filter(team=team, name=project.name).exclude(pk=project.pk).exists():
        raise TeamError(f"Team {team.name} already has a project named {project.name}.")
    project.team = team
    project.save(update_fields=["team"])


def teams_with_members(teams: QuerySet[Group]) -> list[Group]:
    """The teams with their members and projects, in three queries whatever their size."""
    return list(
        teams.prefetch_related(
            Prefetch("user_set", queryset=User.objects.order_by("username"), to_attr="members"),
            Prefetch("projects", queryset=Project.objects.order_by("name"), to_attr="project_list"),
        ).order_by("name")
    )


@transaction.atomic
def demo_team(project: Project, name: str = "demo team") -> Group:
    """The demo project's team, with the instance's superusers in it (the login `serve`
    created), so the meeting can be started out of the box."""
    team = project.team or Group.objects.get_or_create(name=name)[0]
    if project.team_id != team.pk:
        Project.objects.filter(pk=project.pk).update(team=team)
        project.team = team
    for user in User.objects.filter(is_superuser=True, is_active=True):
        team.user_set.add(user)
    return team


@dataclass(frozen=True)
class Readiness:
    """Whether a user can start a meeting, and if not, what is missing (in words)."""

    teams: Sequence[Group]
    missing: str = ""

    @property
    def ready(self) -> bool:
        return not self.missing


def meeting_readiness(user: User, teams: QuerySet[Group]) -> Readiness:
    """``teams`` are the user's (access decides which); a meeting needs one that owns a
    project."""
    with_projects = list(teams.annotate(n=Count("projects")).filter(n__gt=0).order_by("name"))
    if with_projects:
        return Readiness(with_projects)
    if not teams.exists():
        how = (
            "create one on the Teams page and add yourself"
            if user.is_staff
            else "ask a staff user to add you to one on the Teams page"
        )
        return Readiness([], f"You are not in a team yet: {how}.")
    return Readiness(
        [],
        "Your teams own no project yet: give one a project on the Teams page, or choose "
        "the team when you add a project.",
    )
