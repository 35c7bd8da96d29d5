"""Project names are unique per team: adding one tells nothing about other teams'."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from reviewer.models import Project
from tests.conftest import GitRepo

pytestmark = pytest.mark.django_db


def add(client: Client, name: str, url: str, team: Group) -> tuple[int, str]:
    response = client.post(
        "/projects/add/", {"name": name, "repo_url": url, "branch": "", "team": team.pk}
    )
    return response.status_code, response.content.decode()


def test_another_teams_project_name_is_free_for_you(
    member: User, outsider: User, make_repo: Callable[[str], GitRepo]
) -> None:
    repo = make_repo("r")
    repo.commit({"app.py": "x = 1\n"})
    theirs_team, mine_team = outsider.groups.get(), member.groups.get()
    theirs = Project.objects.create(name="Shop", slug="shop", repo_url=str(repo), team=theirs_team)
    client = Client()
    client.force_login(member)
    status, html = add(client, "Shop", str(repo), mine_team)
    assert status == 302, html
    mine = Project.objects.get(name="Shop", team=mine_team)
    assert mine.slug != theirs.slug and mine.slug.startswith("shop-")
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == 404
    # Within a team the name is taken, and the page says so.
    status, html = add(client, "Shop", str(repo), mine_team)
    assert status == 200 and "This team already has a project with this name." in html
    assert Project.objects.filter(name="Shop").count() == 2


def test_add_project_command_checks_the_name_within_the_team(
    make_repo: Callable[[str], GitRepo],
) -> None:
    repo = make_repo("r")
    repo.commit({"app.py": "x = 1\n"})
    call_command("add_project", "api", str(repo.path), "--team", "payments")
    call_command("add_project", "api", str(repo.path), "--team", "search")
    assert sorted(Project.objects.values_list("team__name", flat=True)) == ["payments", "search"]
    assert len(set(Project.objects.values_list("slug", flat=True))) == 2
    with pytest.raises(CommandError, match="already exists"):
        call_command("add_project", "api", str(repo.path), "--team", "payments")
