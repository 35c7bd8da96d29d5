"""A project's settings: scan schedule, history backfill, digests, quality profile."""

from __future__ import annotations

import zoneinfo
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import EmailValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dashboard.access import get_project_for_change
from dashboard.forms import QualityProfileFields
from reviewer import outbound, outbound_http, quality_profiles, schedules
from reviewer.models import Project, QualityProfileVersion
from reviewer.tasks import start_backfill

TIMEZONES = sorted(zoneinfo.available_timezones())


class ProjectSettingsForm(forms.Form):
    schedule = forms.ChoiceField(
        choices=[("off", "Not scheduled"), ("interval", "Every N minutes"), ("cron", "Cron")]
    )
    every_minutes = forms.IntegerField(min_value=1, max_value=60 * 24 * 31, required=False)
    cron = forms.CharField(
        max_length=100,
        required=False,
        help_text="minute hour day-of-month month day-of-week, e.g. 0 6 * * 1-5",
    )
    timezone = forms.ChoiceField(choices=[(tz, tz) for tz in TIMEZONES], initial="UTC")
    backfill_weeks = forms.IntegerField(min_value=0, max_value=520)
    digest_emails = forms.CharField(
        required=False, max_length=2000, help_text="Comma-separated addresses"
    )
    digest_webhook_url = forms.URLField(
        required=False, max_length=500, help_text="Slack-compatible incoming webhook"
    )

    def clean_digest_emails(self) -> str:
        raw: str = self.cleaned_data["digest_emails"]
        addresses = [a.strip() for a in raw.replace(";", ",").split(",") if a.strip()]
        validate = EmailValidator()
        for address in addresses:
            validate(address)
        return ", ".join(addresses)

    def clean_digest_webhook_url(self) -> str:
        url: str = self.cleaned_data["digest_webhook_url"]
        if not url:
            return url
        parts = urlsplit(url)
        if parts.scheme.lower() not in outbound_http.SCHEMES:
            raise forms.ValidationError("Use an http:// or https:// address.")
        try:
            outbound.check_host_literal(parts.hostname or "")
        except outbound.OutboundRefusedError:
            raise forms.ValidationError(
                "This address is on an internal network; the server does not send there."
            ) from None
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("schedule")
        try:
            if kind == "interval":
                if not data.get("every_minutes"):
                    self.add_error("every_minutes", "How often, in minutes?")
            elif kind == "cron":
                schedules.parse_cron(data.get("cron") or "", data.get("timezone") or "UTC")
        except schedules.ScheduleError as exc:
            self.add_error("cron", str(exc))
        return data

    def as_schedule(self) -> schedules.Schedule:
        data = self.cleaned_data
        return schedules.Schedule(
            kind=data["schedule"],
            every_minutes=data.get("every_minutes") or 0,
            cron=data.get("cron") or "",
            timezone=data.get("timezone") or "UTC",
        )


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
    request: HttpRequest,
    project: Project,
    form: ProjectSettingsForm | None = None,
    profile_form: QualityProfileFields | None = None,
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
            "profile_form": profile_form
            or QualityProfileFields(initial=QualityProfileFields.initial_for(effect.version)),
            "profile": effect,
            "profile_versions": [(v, quality_profiles.summary(v)) for v in versions],
        },
    )


@login_required
def project_settings(request: HttpRequest, slug: str) -> HttpResponse:
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
def project_profile(request: HttpRequest, slug: str) -> HttpResponse:
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
def project_backfill(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_change(request, slug)
    if start_backfill(project):
        messages.success(request, f"Backfill of the last {project.backfill_weeks} weeks is queued.")
    else:
        messages.error(request, "The task queue is unavailable; try again when it is back.")
    return redirect("dashboard:project_settings", slug=project.slug)
