from django.contrib import admin

from reviewer.models import Finding, FindingEvent, Project, Scan, ScanSummary, TriageEvent


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin[Project]):
    list_display = ["name", "repo_url", "branch", "team", "clone_state", "last_synced_at"]
    list_filter = ["clone_state", "team"]
    search_fields = ["name", "repo_url"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Scan)
class ScanAdmin(admin.ModelAdmin[Scan]):
    list_display = ["id", "project", "status", "trigger", "commit_sha", "created_at", "finished_at"]
    list_filter = ["status", "trigger"]
    list_select_related = ["project"]
    raw_id_fields = ["project"]


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
