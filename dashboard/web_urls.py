from django.urls import include, path

from dashboard.views import (
    exports,
    findings,
    gate,
    meetings,
    patches,
    project_settings,
    projects,
    scans,
    tokens,
    trends,
    webhooks,
)

app_name = "dashboard"
urlpatterns = [
    path("", projects.project_list, name="projects"),
    path("projects/add/", projects.project_add, name="project_add"),
    path("trends/", trends.trends, name="trends"),
    path("meetings/", meetings.meeting_list, name="meetings"),
    path("meetings/start/", meetings.meeting_start, name="meeting_start"),
    path("meetings/<int:meeting_id>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<int:meeting_id>/notes/", meetings.meeting_notes, name="meeting_notes"),
    path(
        "meetings/<int:meeting_id>/findings/<int:finding_id>/triage/",
        meetings.meeting_triage,
        name="meeting_triage",
    ),
    path("meetings/<int:meeting_id>/export.md", meetings.meeting_markdown, name="meeting_markdown"),
    path("debt/", trends.debt, name="debt"),
    path("account/tokens/", tokens.api_tokens, name="api_tokens"),
    path("projects/<slug:slug>/trends/", trends.project_trends, name="project_trends"),
    path("projects/<slug:slug>/", projects.project_detail, name="project"),
    path(
        "projects/<slug:slug>/findings/<int:finding_id>/", findings.finding_detail, name="finding"
    ),
    path(
        "projects/<slug:slug>/findings/<int:finding_id>/triage/",
        findings.finding_triage,
        name="finding_triage",
    ),
    path("projects/<slug:slug>/triage/", findings.bulk_triage, name="bulk_triage"),
    path("projects/<slug:slug>/assignees/", findings.assignee_options, name="assignee_options"),
    path("projects/<slug:slug>/scan/", scans.scan_start, name="scan_start"),
    path("projects/<slug:slug>/scans/", scans.scan_list, name="scans"),
    path("projects/<slug:slug>/gate/", gate.project_gate, name="project_gate"),
    path("projects/<slug:slug>/webhook/", webhooks.webhook_settings, name="project_webhook"),
    path("projects/<slug:slug>/scans/<int:scan_id>/", scans.scan_detail, name="scan"),
    path("projects/<slug:slug>/export.csv", exports.export_csv, name="export_csv"),
    path("projects/<slug:slug>/export.sarif", exports.export_sarif, name="export_sarif"),
    path(
        "projects/<slug:slug>/settings/",
        project_settings.project_settings,
        name="project_settings",
    ),
    path(
        "projects/<slug:slug>/settings/profile/",
        project_settings.project_profile,
        name="project_profile",
    ),
    path(
        "projects/<slug:slug>/backfill/",
        project_settings.project_backfill,
        name="project_backfill",
    ),
    path("projects/<slug:slug>/scans/<int:scan_id>/status/", scans.scan_status, name="scan_status"),
    path(
        "projects/<slug:slug>/patches/<str:kind>/prepare/",
        patches.patch_start,
        name="patch_start",
    ),
    path("projects/<slug:slug>/patches/<int:patch_id>/", patches.patch_detail, name="patch"),
    path(
        "projects/<slug:slug>/patches/<int:patch_id>/download.patch",
        patches.patch_download,
        name="patch_download",
    ),
    path("", include("dashboard.agent_urls")),
]
