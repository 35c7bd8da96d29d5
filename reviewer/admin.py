from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from dashboard.forms import QualityProfileFields
from reviewer import quality_profiles
from reviewer.models import (
    Finding,
    FindingEvent,
    Project,
    QualityProfile,
    Scan,
    ScanSummary,
    TriageEvent,
)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin[Project]):
    list_display = [
        "name",
        "repo_url",
        "branch",
        "team",
        "use_own_profile",
        "clone_state",
        "last_synced_at",
    ]
    list_filter = ["clone_state", "team", "use_own_profile"]
    search_fields = ["name", "repo_url"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Scan)
class ScanAdmin(admin.ModelAdmin[Scan]):
    list_display = ["id", "project", "status", "trigger", "commit_sha", "created_at", "finished_at"]
    list_filter = ["status", "trigger"]
    list_select_related = ["project"]
    raw_id_fields = ["project", "profile_version"]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin[Finding]):
    list_display = ["id", "project", "rule_id", "severity", "status", "triage", "path", "line"]
    list_filter = ["severity", "status", "triage", "context", "category"]
    list_select_related = ["project"]
    search_fields = ["rule_id", "path", "title"]
    raw_id_fields = ["project", "assignee", "first_seen_scan", "last_seen_scan", "fixed_in_scan"]
    show_full_result_count = False


@admin.register(FindingEvent)
class FindingEventAdmin(admin.ModelAdmin[FindingEvent]):
    list_display = ["id", "scan", "finding", "kind", "path", "line"]
    list_filter = ["kind"]
    raw_id_fields = ["scan", "finding"]
    show_full_result_count = False


@admin.register(TriageEvent)
class TriageEventAdmin(admin.ModelAdmin[TriageEvent]):
    list_display = ["id", "finding", "user", "from_triage", "to_triage", "created_at"]
    raw_id_fields = ["finding", "user", "assignee"]


@admin.register(ScanSummary)
class ScanSummaryAdmin(admin.ModelAdmin[ScanSummary]):
    list_display = [
        "scan",
        "project",
        "created_at",
        "open_critical",
        "open_important",
        "new_count",
        "fixed_count",
    ]
    raw_id_fields = ["scan", "project"]


class QualityProfileAdminForm(forms.ModelForm[QualityProfile], QualityProfileFields):
    """The profile's owner plus its settings as text fields; saving adds a version."""

    class Meta:
        model = QualityProfile
        fields = ["team", "project"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial.update(QualityProfileFields.initial_for(self.instance.latest()))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("team")) == bool(data.get("project")):
            raise forms.ValidationError(
                "Choose a team (its default profile) or one project (its own profile), "
                "not both and not neither."
            )
        return data


@admin.register(QualityProfile)
class QualityProfileAdmin(admin.ModelAdmin[QualityProfile]):
    form = QualityProfileAdminForm
    list_display = ["__str__", "team", "project", "latest_version", "latest_settings"]
    list_select_related = ["team", "project"]
    raw_id_fields = ["project"]
    readonly_fields = ["version_history"]
    fieldsets = [
        ("Owner (a team's default, or one project's own profile)", {"fields": ["team", "project"]}),
        (
            "Settings",
            {
                "fields": [
                    "rule_set",
                    "disabled",
                    "enabled",
                    "severity",
                    "exclude",
                    "tests_suggestions_only",
                    "comment",
                ]
            },
        ),
        (
            "Versions (each save adds one; a scan records the version it used)",
            {"fields": ["version_history"]},
        ),
    ]

    @admin.display(description="History")
    def version_history(self, profile: QualityProfile) -> str:
        if profile.pk is None:
            return "none yet"
        versions = profile.versions.select_related("created_by").order_by("-number")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>v{} · {} · {} · {}{}</li>",
                (
                    (
                        v.number,
                        f"{v.created_at:%Y-%m-%d %H:%M}",
                        v.created_by or "system",
                        quality_profiles.summary(v),
                        f" — {v.comment}" if v.comment else "",
                    )
                    for v in versions
                ),
            ),
        )

    @admin.display(description="Version")
    def latest_version(self, profile: QualityProfile) -> str:
        latest = profile.latest()
        return f"v{latest.number}" if latest else "none saved"

    @admin.display(description="Settings")
    def latest_settings(self, profile: QualityProfile) -> str:
        latest = profile.latest()
        return quality_profiles.summary(latest) if latest else ""

    def save_model(
        self, request: HttpRequest, obj: QualityProfile, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        quality_profiles.save_version(
            obj, form.to_profile(), user=request.user, comment=form.cleaned_data["comment"]
        )
