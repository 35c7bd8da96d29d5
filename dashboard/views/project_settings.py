"""A project's settings: repository, branch, team, scan schedule (with its last and next
run), history backfill, digests, quality profile, and deleting the project."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dashboard.access import AuthedRequest, can_change, get_project_for_change
from dashboard.forms import (
    ProjectDeleteForm,
    ProjectRepositoryForm,
    ProjectSettingsForm,
    QualityProfileFields,
)
from reviewer import project_lifecycle, quality_profiles, schedules
from reviewer.models import Project, QualityProfileVersion
from reviewer.tasks import start_backfill


def _initial(project: Project) -> dict[str, object]:
    current = schedules.current(project)
    return {
        "schedule": current.kind,
        "every_minutes": current.every_minutes or None,
        "cron": current.cron,
        "timezone": current.timezone,
        "backfill_weeks": project.backfill_weeks,
        "digest_emails": project.digest_emails,
        "digest_webhook_url": project.digest_webhook_url,
    }


def _render(
    request: AuthedRequest,
    project: Project,
    form: ProjectSettingsForm | None = None,
    profile_form: QualityProfileFields | None = None,
    repository_form: ProjectRepositoryForm | None = None,
    delete_form: ProjectDeleteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    effect = quality_profiles.in_effect(project)
    versions: list[QualityProfileVersion] = []
    if effect.version is not None:
        versions = list(
            effect.version.profile.versions.select_related("created_by").order_by("-number")[:10]
        )
    return render(
        request,
        "dashboard/project_settings.html",
        {
            "project": project,
            "form": form or ProjectSettingsForm(initial=_initial(project)),
            "schedule": schedules.current(project),
            "runs": schedules.runs(project),
            "repository_form": repository_form
            or ProjectRepositoryForm(instance=project, user=request.user),
            "delete_form": delete_form or ProjectDeleteForm(project=project),
            "profile_form": profile_form
            or QualityProfileFields(initial=QualityProfileFields.initial_for(effect.version)),
            "profile": effect,
            "profile_versions": [(v, quality_profiles.summary(v)) for v in versions],
        },
        status=status,
    )


@login_required
def project_settings(request: AuthedRequest, slug: str) -> HttpResponse:
    project = get_project_for_change(request, slug)
    form = ProjectSettingsForm(request.POST or None, initial=_initial(project))
    if request.method == "POST" and form.is_valid():
        schedules.set_schedule(project, form.as_schedule())
        project.backfill_weeks = form.cleaned_data["backfill_weeks"]
        project.digest_emails = form.cleaned_data["digest_emails"]
        project.digest_webhook_url = form.cleaned_data["digest_webhook_url"]
        project.save(update_fields=["backfill_weeks", "digest_emails", "digest_webhook_url"])
        messages.success(request, f"Saved. Schedule: {form.as_schedule().describe()}.")
        return redirect("dashboard:project_settings", slug=project.slug)
    return _render(request, project, form=form)


@login_required
@require_POST
def project_profile(request: AuthedRequest, slug: str) -> HttpResponse:
    """Save the quality profile in effect (the team's default or the project's own), make
    the project's own profile from the form ("customise"), or go back to the team's."""
    project = get_project_for_change(request, slug)
    action = request.POST.get("action", "save")
    if action == "use_team" and project.team_id is not None:
        project.use_own_profile = False
        project.save(update_fields=["use_own_profile"])
        effect = quality_profiles.in_effect(project)
        messages.success(request, f"This project now uses {effect.label}.")
        return redirect("dashboard:project_settings", slug=project.slug)
    form = QualityProfileFields(request.POST)
    if not form.is_valid():
        return _render(request, project, profile_form=form)
    own = action == "customise" or project.use_own_profile or project.team is None
    owner = (
        quality_profiles.profile_of_project(project)
        if own or project.team is None
        else quality_profiles.profile_of_team(project.team)
    )
    saved = quality_profiles.save_version(
        owner, form.to_profile(), user=request.user, comment=form.cleaned_data["comment"]
    )
    if own and not project.use_own_profile:
        project.use_own_profile = True
        project.save(update_fields=["use_own_profile"])
    effect = quality_profiles.in_effect(project)
    if saved is None:
        messages.success(request, f"No change: the project uses {effect.label}.")
    else:
        messages.success(
            request, f"Saved: the project uses {effect.label}. The next scan applies it."
        )
    return redirect("dashboard:project_settings", slug=project.slug)


@login_required
@require_POST
def project_backfill(request: AuthedRequest, slug: str) -> HttpResponse:
    project = get_project_for_change(request, slug)
    if start_backfill(project):
        messages.success(request, f"Backfill of the last {project.backfill_weeks} weeks is queued.")
    else:
        messages.error(request, "The task queue is unavailable; try again when it is back.")
    return redirect("dashboard:project_settings", slug=project.slug)


@login_required
@require_POST
def project_repository(request: AuthedRequest, slug: str) -> HttpResponse:
    """Change the repository URL, branch or team (checked as when adding a project)."""
    project = get_project_for_change(request, slug)
    form = ProjectRepositoryForm(request.POST, instance=project, user=request.user)
    if not form.is_valid():
        project.refresh_from_db()
        return _render(request, project, repository_form=form, status=400)
    project = form.save()
    messages.success(request, "Saved. The next scan uses the repository and branch shown.")
    if not can_change(request.user, project):  # given to a team the user is not in
        return redirect("dashboard:projects")
    return redirect("dashboard:project_settings", slug=project.slug)


@login_required
@require_POST
def project_delete(request: AuthedRequest, slug: str) -> HttpResponse:
    project = get_project_for_change(request, slug)
    form = ProjectDeleteForm(request.POST, project=project)
    if not form.is_valid():
        return _render(request, project, delete_form=form, status=400)
    name = project_lifecycle.delete_project(project)
    messages.success(request, f"Deleted {name} with its scans and findings.")
    return redirect("dashboard:projects")
