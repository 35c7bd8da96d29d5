"""Every URL of the product. A project's pages are one list, included under
``projects/<slug>/`` (so each view takes the slug first); names live in the "dashboard"
namespace, except the API's and the public gate badge."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from dashboard.api import api
from dashboard.password_reset import ThrottledPasswordResetView
from dashboard.views import (
    agents,
    exports,
    findings,
    gate,
    meetings,
    patches,
    project_settings,
    projects,
    scans,
    teams,
    tokens,
    trends,
    webhooks,
)

project_urls: list[URLPattern | URLResolver] = [
    path("", projects.project_detail, name="project"),
    path("trends/", trends.project_trends, name="project_trends"),
    path("findings/<int:finding_id>/", findings.finding_detail, name="finding"),
    path("findings/<int:finding_id>/triage/", findings.finding_triage, name="finding_triage"),
    path("triage/", findings.bulk_triage, name="bulk_triage"),
    path("assignees/", findings.assignee_options, name="assignee_options"),
    path("scan/", scans.scan_start, name="scan_start"),
    path("scans/", scans.scan_list, name="scans"),
    path("scans/<int:scan_id>/", scans.scan_detail, name="scan"),
    path("scans/<int:scan_id>/status/", scans.scan_status, name="scan_status"),
    path("progress/", scans.project_progress, name="project_progress"),
    path("gate/", gate.project_gate, name="project_gate"),
    path("export.csv", exports.export_csv, name="export_csv"),
    path("export.sarif", exports.export_sarif, name="export_sarif"),
    path("settings/", project_settings.project_settings, name="project_settings"),
    path("settings/profile/", project_settings.project_profile, name="project_profile"),
    path("settings/repository/", project_settings.project_repository, name="project_repository"),
    path("delete/", project_settings.project_delete, name="project_delete"),
    path("backfill/", project_settings.project_backfill, name="project_backfill"),
    path("agents/", agents.project_agents, name="project_agents"),
    path("webhook/", webhooks.webhook_settings, name="project_webhook"),
    path("patches/<str:kind>/prepare/", patches.patch_start, name="patch_start"),
    path("patches/<int:patch_id>/", patches.patch_detail, name="patch"),
    path("patches/<int:patch_id>/download.patch", patches.patch_download, name="patch_download"),
]

dashboard_urls: list[URLPattern | URLResolver] = [
    path("", projects.project_list, name="projects"),
    path("projects/add/", projects.project_add, name="project_add"),
    path("projects/<slug:slug>/", include(project_urls)),
    path("trends/", trends.trends, name="trends"),
    path("debt/", trends.debt, name="debt"),
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
    path("meetings/<int:meeting_id>/close/", meetings.meeting_close, name="meeting_close"),
    path(
        "meetings/<int:meeting_id>/groups/<str:rule_id>/",
        meetings.meeting_group,
        name="meeting_group",
    ),
    path(
        "meetings/<int:meeting_id>/groups/<str:rule_id>/decide/",
        meetings.meeting_group_decide,
        name="meeting_group_decide",
    ),
    path("teams/", teams.team_list, name="teams"),
    path("teams/add/", teams.team_add, name="team_add"),
    path("teams/<int:team_id>/members/", teams.team_member_add, name="team_member_add"),
    path(
        "teams/<int:team_id>/members/remove/",
        teams.team_member_remove,
        name="team_member_remove",
    ),
    path("teams/<int:team_id>/projects/", teams.team_project_give, name="team_project_give"),
    path("agents/", agents.agent_list, name="agents"),
    path("agents/add/", agents.agent_add, name="agent_add"),
    path("account/tokens/", tokens.api_tokens, name="api_tokens"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "accounts/password_reset/",
        ThrottledPasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", api.urls),
    path("badge/<str:token>.svg", gate.gate_badge, name="gate_badge"),
    path("hooks/<slug:slug>/", webhooks.receive, name="webhook"),
    path("", include((dashboard_urls, "dashboard"))),
]

handler400 = "dashboard.views.errors.bad_request"
handler403 = "dashboard.views.errors.permission_denied"
handler404 = "dashboard.views.errors.page_not_found"
handler500 = "dashboard.views.errors.server_error"
