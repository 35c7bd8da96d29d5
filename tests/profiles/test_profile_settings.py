"""The quality profile on the project's settings page and in the admin: each save is a new
version, bad input (unknown rule id, bad glob, bad severity) is a clear form error that
saves nothing, the team default vs the project's own profile, and access."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from reviewer import quality_profiles
from reviewer.models import Project, QualityProfile, QualityProfileVersion

pytestmark = pytest.mark.django_db

BASE = {
    "rule_set": "default",
    "disabled": "",
    "enabled": "",
    "severity": "",
    "exclude": "",
    "comment": "",
}


@pytest.fixture
def project(project_factory: Callable[..., Project]) -> Project:
    return project_factory()


def post(client: Client, project: Project, action: str = "save", **changes: str) -> Any:
    url = reverse("dashboard:project_profile", args=[project.slug])
    return client.post(url, {**BASE, **changes, "action": action}, follow=True)


def test_the_settings_page_saves_a_new_version_of_the_team_default(
    member_client: Client, project: Project, member: User
) -> None:
    page = member_client.get(reverse("dashboard:project_settings", args=[project.slug]))
    assert "the built-in default profile" in page.content.decode()
    response = post(
        member_client,
        project,
        disabled="PF003, ruff:T201\nSA005",
        severity="SA011 = important\nruff:E722: suggestion",
        exclude="tests/**\n**/versions/sqlite/**",
        tests_suggestions_only="on",
        comment="fixtures are noise",
    )
    html = response.content.decode()
    assert "team backend&#x27;s default profile, version 1" in html
    version = QualityProfileVersion.objects.get()
    assert version.profile.team == project.team and version.created_by == member
    assert version.disabled == ["PF003", "ruff:T201", "SA005"]
    assert version.severity == {"SA011": "important", "ruff:E722": "suggestion"}
    assert version.exclude == ["tests/**", "**/versions/sqlite/**"]
    assert version.tests_suggestions_only and version.comment == "fixtures are noise"
    assert 'id="profile-versions"' in html and "tests: suggestions only" in html
    # The form shows the saved settings; saving them unchanged adds no version.
    again = post(
        member_client,
        project,
        disabled="PF003\nruff:T201\nSA005",
        severity="SA011 = important\nruff:E722 = suggestion",
        exclude="tests/**\n**/versions/sqlite/**",
        tests_suggestions_only="on",
    )
    assert "No change" in again.content.decode()
    post(member_client, project, rule_set="extended")
    assert list(version.profile.versions.values_list("number", flat=True)) == [2, 1]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("disabled", "SA001\nXX999", "Unknown rule id: XX999"),
        ("enabled", "ruff:NOPE123", "Unknown rule id: ruff:NOPE123"),
        ("severity", "SA011 = urgent", "&#x27;urgent&#x27; for SA011 is not a severity"),
        ("severity", "ZZ001 = critical", "unknown rule id ZZ001"),
        ("severity", "just words here", "is not RULE = severity"),
        ("exclude", "tests/[abc", "unclosed"),
        ("exclude", "/etc/passwd", "absolute path"),
        ("exclude", "..\\evil", "backslash"),
    ],
)
def test_bad_input_is_a_clear_error_and_saves_nothing(
    member_client: Client, project: Project, field: str, value: str, message: str
) -> None:
    response = post(member_client, project, **{field: value})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html, html[html.find("errorlist") - 200 : html.find("errorlist") + 400]
    assert 'class="errorlist' in html
    assert not QualityProfileVersion.objects.exists()


def test_customise_for_the_project_then_go_back_to_the_team(
    member_client: Client, project: Project
) -> None:
    assert project.team is not None
    post(member_client, project, disabled="PF")
    post(member_client, project, action="customise", disabled="PF\nCQ")
    project.refresh_from_db()
    assert project.use_own_profile
    own = QualityProfile.objects.get(project=project)
    assert own.latest() is not None and own.latest().disabled == ["PF", "CQ"]  # type: ignore[union-attr]
    assert quality_profiles.effective_version(project) == own.latest()
    # Saving now changes the project's profile, not the team's.
    post(member_client, project, disabled="CQ")
    team_latest = QualityProfile.objects.get(team=project.team).latest()
    assert team_latest is not None and team_latest.disabled == ["PF"]
    assert own.versions.count() == 2
    response = post(member_client, project, action="use_team")
    project.refresh_from_db()
    assert not project.use_own_profile
    assert "team backend" in response.content.decode()
    assert quality_profiles.effective_version(project) == team_latest


def test_a_project_without_a_team_gets_its_own_profile(
    member_client: Client, project_factory: Callable[..., Project], member: User
) -> None:
    member.is_staff = True
    member.save()
    lone = project_factory(name="lone", team=None)
    post(member_client, lone, disabled="PF")
    lone.refresh_from_db()
    assert lone.use_own_profile and QualityProfile.objects.get().project == lone


def test_another_team_can_neither_see_nor_change_the_profile(
    outsider_client: Client, project: Project
) -> None:
    url = reverse("dashboard:project_settings", args=[project.slug])
    assert outsider_client.get(url).status_code == 404
    response = post(outsider_client, project, disabled="PF")
    assert response.status_code == 404
    assert not QualityProfileVersion.objects.exists()


def test_the_admin_edits_a_profile_as_text_and_each_save_is_a_version(
    client: Client, team: Group
) -> None:
    admin = User.objects.create_superuser("root", password="pw-root-1")
    client.force_login(admin)
    add = reverse("admin:reviewer_qualityprofile_add")
    assert "Path exclusions" in client.get(add).content.decode()
    bad = client.post(add, {**BASE, "team": team.pk, "exclude": "/abs/**"})
    assert bad.status_code == 200 and "absolute path" in bad.content.decode()
    response = client.post(
        add, {**BASE, "team": team.pk, "disabled": "PF003", "severity": "SA011 = important"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = QualityProfile.objects.get(team=team)
    change = reverse("admin:reviewer_qualityprofile_change", args=[profile.pk])
    page = client.get(change).content.decode()
    assert "PF003" in page and "SA011 = important" in page and "<li>v1 · " in page
    client.post(change, {**BASE, "team": team.pk, "disabled": "PF003\nCQ007"})
    assert list(profile.versions.values_list("number", flat=True)) == [2, 1]
    listing = client.get(reverse("admin:reviewer_qualityprofile_changelist")).content.decode()
    assert "off: PF003, CQ007" in listing
    # A profile belongs to a team or to one project.
    neither = client.post(add, {**BASE, "team": "", "project": ""})
    assert neither.status_code == 200 and "not both and not neither" in neither.content.decode()
