"""Reviewdeck's domain data: projects, scans, findings and their history."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Count, Q, Sum
from django.urls import reverse

from reviewer import lookups  # noqa: F401 - registers field__any

if TYPE_CHECKING:
    from reviewer.engine.types import Issue


class Severity(models.IntegerChoices):
    # Lower sorts first: the list pages order by severity then id.
    CRITICAL = 1, "Critical"
    IMPORTANT = 2, "Important"
    SUGGESTION = 3, "Suggestion"

    @classmethod
    def from_code(cls, code: str) -> Severity:
        return {"critical": cls.CRITICAL, "important": cls.IMPORTANT}.get(code, cls.SUGGESTION)

    @property
    def code(self) -> str:
        return self.label.lower()


class ProjectQuerySet(models.QuerySet["Project"]):
    """Who sees which project is decided in dashboard/access.py."""


class Project(models.Model):
    class CloneState(models.TextChoices):
        NEW = "new", "Not cloned yet"
        READY = "ready", "Ready"
        ERROR = "error", "Error"

    name = models.CharField(max_length=100)  # unique per team (constraints below)
    slug = models.SlugField(max_length=100, unique=True)
    repo_url = models.CharField(
        max_length=500, help_text="https://, ssh://, git:// or a local path"
    )
    branch = models.CharField(max_length=200, blank=True, help_text="Empty: the default branch")
    team = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="projects"
    )
    agents = models.JSONField(default=list, blank=True, help_text="Agent names; empty = all")
    claude_enabled = models.BooleanField(
        default=True, help_text="Run the agents as Claude reviews too when an API key is set"
    )
    use_batches = models.BooleanField(
        default=False, help_text="Scheduled Claude reviews use the (cheaper) Message Batches API"
    )
    budget = models.JSONField(
        default=dict, blank=True, help_text="Per-project overrides of the Claude budgets"
    )
    schedule = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="project",
    )
    backfill_weeks = models.PositiveSmallIntegerField(default=12)
    # Which quality profile the rules run with: the project's own (its QualityProfile) or,
    # when False, its team's default (the built-in default profile when neither exists).
    use_own_profile = models.BooleanField(default=False)
    digest_emails = models.TextField(blank=True, help_text="Comma-separated addresses")
    digest_webhook_url = models.URLField(blank=True, help_text="Slack-compatible webhook")
    clone_state = models.CharField(max_length=10, choices=CloneState, default=CloneState.NEW)
    last_error = models.TextField(blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    # What the last history backfill did, in words ("12 weeks backfilled", "no commits in
    # the last 12 weeks; history ends 2024-10-24").
    backfill_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Opt-in public SVG badge of the quality gate at /badge/<token>.svg; empty = no badge.
    badge_token = models.CharField(max_length=64, blank=True, db_index=True)
    # Push webhooks: the secret is derived from SECRET_KEY and this salt (reviewer.webhooks),
    # so the database alone does not hold it; empty = webhooks off.
    webhook_salt = models.CharField(max_length=64, blank=True)
    # Denormalised pointers so the overview shows every project in one query.
    last_scan = models.ForeignKey(
        "Scan", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    latest_summary = models.ForeignKey(
        "ScanSummary", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            # Names are unique per team, so adding one never tells about another team's.
            models.UniqueConstraint(fields=["team", "name"], name="project_name_per_team"),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(team__isnull=True),
                name="project_name_without_team",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("dashboard:project", args=[self.slug])

    def latest_recorded_scan_id(self) -> int | None:
        """The scan of the latest summary: the last scan whose findings were recorded."""
        if self.latest_summary_id is None:
            return None
        return (
            ScanSummary.objects.filter(pk=self.latest_summary_id)
            .values_list("scan_id", flat=True)
            .first()
        )

    @property
    def checkout_dir(self) -> Path:
        """Where the workers keep this project's clone."""
        return Path(settings.REVIEWDECK_WORKDIR) / f"project-{self.pk}"


class ScanQuerySet(models.QuerySet["Scan"]):
    def active(self) -> ScanQuerySet:
        return self.filter(status__in=[Scan.Status.QUEUED, Scan.Status.RUNNING])


class Scan(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "No change"

    class Trigger(models.TextChoices):
        MANUAL = "manual", "Manual"
        SCHEDULE = "schedule", "Schedule"
        CLI = "cli", "Command line"
        BACKFILL = "backfill", "Backfill"
        PUSH = "push", "Push webhook"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="scans")
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    trigger = models.CharField(max_length=10, choices=Trigger, default=Trigger.MANUAL)
    commit_sha = models.CharField(max_length=64, blank=True)
    branch = models.CharField(max_length=200, blank=True)
    # When the scan stands for: the request time, but for a history backfill the date of
    # the commit it reviewed (started_at/finished_at say when it ran). Every "when" figure
    # (ages, time to fix, "new since", meeting windows) reads this.
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_message = models.CharField(max_length=200, blank=True)
    files_reviewed = models.PositiveIntegerField(default=0)
    stats = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    # Fingerprints of what ran, so an unchanged head with unchanged rules/agents is skipped.
    ruleset_hash = models.CharField(max_length=64, blank=True)
    agents_hash = models.CharField(max_length=64, blank=True)
    # Per-agent outcome of the Claude part: {"name": {"status", "error", "turns", ...}}.
    agent_runs = models.JSONField(default=dict, blank=True)
    # Kept fresh while a worker runs or collects the Claude part (None when none does):
    # parts whose worker died are failed by reviewer.agents.recovery with the reason.
    agents_heartbeat_at = models.DateTimeField(null=True, blank=True)
    rejected_findings = models.PositiveIntegerField(default=0)
    # The project's first tracked scan: what it finds is the starting point, not "new".
    is_baseline = models.BooleanField(default=False)
    input_tokens = models.PositiveBigIntegerField(default=0)
    output_tokens = models.PositiveBigIntegerField(default=0)
    cache_read_tokens = models.PositiveBigIntegerField(default=0)
    cache_write_tokens = models.PositiveBigIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    # The quality profile version the rules ran with (None: the built-in default profile).
    profile_version = models.ForeignKey(
        "QualityProfileVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="scans",
    )

    objects = ScanQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            # The database itself guarantees one queued/running scan per project.
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status__in=["queued", "running"]),
                name="one_active_scan_per_project",
            )
        ]
        indexes = [
            # Scan history of a project, newest first.
            models.Index(fields=["project", "-id"], name="scan_project_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.project} #{self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


# Open, not dismissed by triage, not a low-confidence Claude finding: what readers see.
VISIBLE = Q(status="open", low_confidence=False) & ~Q(triage__in=["false_positive", "wont_fix"])


@dataclass
class FindingCounts:
    """Counts of findings per severity, category and debt kind (with debt minutes)."""

    by_severity: dict[int, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_debt_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    debt_minutes: int = 0


class FindingQuerySet(models.QuerySet["Finding"]):
    def open(self) -> FindingQuerySet:
        return self.filter(status=Finding.Status.OPEN)

    def for_project(self, project: Project) -> FindingQuerySet:
        return self.filter(project=project)

    def visible(self) -> FindingQuerySet:
        """Open findings a reader should see by default (not dismissed by triage, and not
        a Claude finding under the confidence threshold)."""
        return self.filter(VISIBLE)

    def counts(self) -> FindingCounts:
        """One GROUP BY gives every count a scan summary needs."""
        rows = (
            self.values("severity", "category", "debt_kind")
            .annotate(n=Count("id"), minutes=Sum("debt_minutes"))
            .order_by()
        )
        by_severity: dict[int, int] = defaultdict(int)
        by_category: dict[str, int] = defaultdict(int)
        counts = FindingCounts()
        for row in rows:
            by_severity[row["severity"]] += row["n"]
            by_category[row["category"]] += row["n"]
            if row["debt_kind"]:
                slot = counts.by_debt_kind.setdefault(row["debt_kind"], {"count": 0, "minutes": 0})
                slot["count"] += row["n"]
                slot["minutes"] += row["minutes"] or 0
                counts.debt_minutes += row["minutes"] or 0
        counts.by_severity, counts.by_category = dict(by_severity), dict(by_category)
        return counts

    def new_problems(self) -> FindingQuerySet:
        """Findings that may count as "new" (digests, the meeting view): not there only
        because a rule or agent is new, not first seen by a history backfill, and not
        found by the project's first (baseline) scan."""
        return self.filter(from_new_rule=False).exclude(
            Q(first_seen_scan__trigger=Scan.Trigger.BACKFILL) | Q(first_seen_scan__is_baseline=True)
        )


class Finding(models.Model):
    """One problem at one place, tracked across scans (its identity survives line shifts)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        FIXED = "fixed", "Fixed"
        # Closed because the quality profile no longer reports it (rule off, path
        # excluded, not in the rule set), or a changed rule stopped reporting it in code
        # the commit did not touch: the code did not change, so it is not a fix.
        EXCLUDED = "excluded", "Excluded (profile or rule change)"

    class Context(models.TextChoices):
        PRODUCTION = "production", "Production"
        TEST = "test", "Test"
        MIGRATION = "migration", "Migration"
        SCRIPT = "script", "Script / example / docs"
        GENERATED = "generated", "Generated"

    class Origin(models.TextChoices):
        RULES = "rules", "Offline rules"
        CLAUDE = "claude", "Claude review"

    class Triage(models.TextChoices):
        OPEN = "open", "Untriaged"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        FALSE_POSITIVE = "false_positive", "False positive"
        WONT_FIX = "wont_fix", "Won't fix"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="findings")
    rule_id = models.CharField(max_length=40)
    category = models.CharField(max_length=40)
    agent = models.CharField(max_length=100)
    severity = models.PositiveSmallIntegerField(choices=Severity)
    confidence = models.PositiveSmallIntegerField(default=100)
    title = models.CharField(max_length=300)
    message = models.TextField(blank=True)
    path = models.CharField(max_length=1000)
    line = models.PositiveIntegerField()
    column = models.PositiveIntegerField(default=0)
    snippet = models.TextField(blank=True, help_text="The flagged source line, as scanned")
    # The lines around it, cut from the reviewed tree when the finding was last written
    # (reviewer/findings/excerpts.py): pages show this, never a worker's clone. 0 / "":
    # not stored (recorded before excerpts were, or the file could not be read).
    excerpt_start = models.PositiveIntegerField(default=0)
    excerpt = models.TextField(blank=True, default="")
    line_hash = models.CharField(max_length=40, help_text="Hash of the normalised line text")
    debt_kind = models.CharField(max_length=20, blank=True)
    debt_minutes = models.PositiveIntegerField(default=0)
    # Where the flagged code runs (engine's code context), and for migrations the SQL
    # dialects the chain runs on ("postgresql,sqlite"; "unknown" when nothing says).
    context = models.CharField(max_length=12, choices=Context, default=Context.PRODUCTION)
    dialects = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    triage = models.CharField(max_length=20, choices=Triage, default=Triage.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    first_seen_scan = models.ForeignKey(
        Scan, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The last scan that wrote this finding (a scan writes a finding only when something
    # about it changed) or, once it is closed, the last scan it was open in. An open
    # finding is open in every later scan of its project: see last_seen_in(). Not indexed:
    # nothing looks findings up by it, and an indexed column changing would make each
    # rewrite of a moved finding add entries to every index instead of a HOT update.
    last_seen_scan = models.ForeignKey(
        Scan, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    fixed_in_scan = models.ForeignKey(
        Scan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopen_count = models.PositiveIntegerField(default=0)
    # When the flagged code was written (blame), and whether the finding exists only because
    # its rule or agent is new: such findings are not "new" problems in the meeting view.
    introduced_at = models.DateTimeField(null=True, blank=True)
    from_new_rule = models.BooleanField(default=False)
    # Claude findings: the agent file version, its explanation and suggested fix (untrusted
    # text, always rendered escaped), and how many rule findings it corroborated.
    agent_version = models.CharField(max_length=64, blank=True)
    explanation = models.TextField(blank=True)
    suggested_fix = models.TextField(blank=True)
    # The verification pass's one-line reason for keeping a Claude finding (untrusted).
    verification = models.CharField(max_length=300, blank=True)
    corroborations = models.PositiveIntegerField(default=0)
    # Who found it: a rule scan only tracks (and closes) rule findings, a Claude run only
    # the Claude findings of the files it reviewed.
    origin = models.CharField(max_length=10, choices=Origin, default=Origin.RULES)
    # A Claude finding under the confidence threshold: kept, hidden by default.
    low_confidence = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["severity", "id"]
        indexes = [
            # The project page: open findings of a project by severity, keyset on id.
            models.Index(
                fields=["project", "severity", "id"],
                condition=Q(status="open"),
                name="finding_open_by_severity",
            ),
            # The default view (what visible() returns): the page's counts per severity and
            # its category list are index-only scans of these at any project size.
            models.Index(
                fields=["project", "severity", "id"],
                condition=VISIBLE,
                name="finding_visible_by_severity",
            ),
            models.Index(
                fields=["project", "category"],
                condition=VISIBLE,
                name="finding_visible_by_category",
            ),
            # The context filter and facet: a context's findings in page order, and its
            # bounded count, from the index alone.
            models.Index(
                fields=["project", "context", "severity", "id"],
                condition=VISIBLE,
                name="finding_visible_by_context",
            ),
            # The project page's facets (reviewer/finding_facets.py): one GROUP BY of a
            # project's open findings by these columns, read from the index alone.
            models.Index(
                fields=[
                    "project",
                    "severity",
                    "category",
                    "rule_id",
                    "context",
                    "triage",
                    "low_confidence",
                ],
                condition=models.Q(status="open"),
                name="finding_open_facets",
            ),
            # The path filter (prefixes, "!tests/") on the project page: its facets group
            # the open findings under a prefix from this index alone (a pattern-ops btree
            # serves LIKE 'prefix%' under any collation; without it, a scan of the table).
            models.Index(
                fields=["project", "path"],
                opclasses=["int8_ops", "varchar_pattern_ops"],
                name="finding_open_by_path",
                include=["severity", "category", "rule_id", "context", "triage", "low_confidence"],
                condition=models.Q(status="open"),
            ),
            # Tracking loads a project's findings per path.
            models.Index(fields=["project", "path"], name="finding_project_path"),
            # The meeting's new (open) and fixed sections across a team's projects, by
            # severity: a week with 300k new findings lists its first 50 (and counts to
            # 1,000) by walking this instead of sorting them all.
            models.Index(fields=["status", "severity", "id"], name="finding_status_severity"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.path}:{self.line}"

    def get_absolute_url(self) -> str:
        return reverse("dashboard:finding", args=[self.project.slug, self.pk])

    @property
    def severity_code(self) -> str:
        return Severity(self.severity).code

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def dialect_list(self) -> list[str]:
        return [d for d in self.dialects.split(",") if d]

    def last_seen_in(self, latest_scan_id: int | None) -> int | None:
        """The last scan this finding was open in, given its project's latest recorded
        scan: "still open" is not written per finding per scan, so an open finding is
        seen in the latest one; a closed one in the scan recorded when it closed."""
        if self.is_open and latest_scan_id is not None:
            return max(latest_scan_id, self.last_seen_scan_id or 0)
        return self.last_seen_scan_id

    def fill_from(self, issue: Issue) -> None:
        """Take the location and text of the issue a scan matched (or created) it from."""
        self.path, self.line, self.column = issue.path, issue.line, issue.column
        self.snippet, self.line_hash = issue.snippet, issue.line_hash
        self.title, self.message = issue.title, issue.message
        self.severity = Severity.from_code(issue.severity)
        self.confidence, self.category = issue.confidence, issue.category
        self.debt_kind, self.debt_minutes = issue.debt_kind, issue.debt_minutes
        self.context, self.dialects = issue.context, issue.dialects

    def reopen(self) -> None:
        """A fixed finding came back: open again, keeping its history and triage."""
        self.status = self.Status.OPEN
        self.fixed_in_scan = None
        self.reopen_count += 1

    def mark_fixed(self, scan: Scan) -> None:
        self.status = self.Status.FIXED
        self.fixed_in_scan = scan

    def event(self, scan: Scan, kind: str, at: Issue | None = None) -> FindingEvent:
        """The (unsaved) event of what ``scan`` did to this finding, at ``at`` (the issue
        it was matched to) or at its own location."""
        where = at or self
        return FindingEvent(scan=scan, finding=self, kind=kind, path=where.path, line=where.line)


class FindingEvent(models.Model):
    """What a scan did to a finding. "Still open" is recorded only when it moved."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        MOVED = "moved", "Still open (moved)"
        FIXED = "fixed", "Fixed"
        REOPENED = "reopened", "Reopened"
        EXCLUDED = "excluded", "Excluded (profile or rule change)"
        INCLUDED = "included", "Back in the profile"

    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="events")
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind)
    path = models.CharField(max_length=1000)
    line = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        indexes = [
            # A finding's history page.
            models.Index(fields=["finding", "id"], name="event_finding_history"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.finding_id} in scan {self.scan_id}"


class TriageEvent(models.Model):
    """The audit trail of human decisions on a finding."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="triage_events")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    from_triage = models.CharField(max_length=20, choices=Finding.Triage, blank=True)
    to_triage = models.CharField(max_length=20, choices=Finding.Triage, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.finding_id}: {self.from_triage} -> {self.to_triage}"


class ScanSummaryQuerySet(models.QuerySet["ScanSummary"]):
    def trend(self, project: Project) -> ScanSummaryQuerySet:
        return self.filter(project=project).order_by("created_at")


class ScanSummary(models.Model):
    """Counts a chart needs, written once per successful scan (charts never count findings)."""

    scan = models.OneToOneField(Scan, on_delete=models.CASCADE, related_name="summary")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="summaries")
    created_at = models.DateTimeField()
    open_critical = models.PositiveIntegerField(default=0)
    open_important = models.PositiveIntegerField(default=0)
    open_suggestion = models.PositiveIntegerField(default=0)
    new_count = models.PositiveIntegerField(default=0)
    fixed_count = models.PositiveIntegerField(default=0)
    reopened_count = models.PositiveIntegerField(default=0)
    # Closed because the quality profile no longer reports them (never counted as fixed).
    excluded_count = models.PositiveIntegerField(default=0)
    still_open_count = models.PositiveIntegerField(default=0)
    debt_minutes = models.PositiveIntegerField(default=0)
    by_category = models.JSONField(default=dict)
    by_debt_kind = models.JSONField(
        default=dict, help_text='{"pydantic": {"count": n, "minutes": m}}'
    )
    # The project's insights (ages, time to fix, hotspots) as of this scan, so the trends
    # page reads one row instead of grouping every finding; see reviewer.metrics.stored.
    insights = models.JSONField(default=dict, blank=True)
    # The project page's facet groups of the project's open findings (severity, category,
    # rule, context, triage, low confidence, count; reviewer/finding_facets.py), kept true
    # by everything that changes findings (scan, Claude run, triage): a page without a
    # search, path, agent, date or debt filter counts its facets from this row. None:
    # written before migration 0023, the page groups the findings itself.
    facet_groups = models.JSONField(null=True, blank=True)

    objects = ScanSummaryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "scan summaries"
        indexes = [
            # Trend charts: a project's summaries over time.
            models.Index(fields=["project", "created_at"], name="summary_project_time"),
        ]

    def __str__(self) -> str:
        return f"summary of scan {self.scan_id}"

    @property
    def open_total(self) -> int:
        return self.open_critical + self.open_important + self.open_suggestion


class QualityProfile(models.Model):
    """The rules a scan runs and how it reports them, for a team (its default) or for one
    project (its override). The settings live in versions: each save adds one, and a scan
    records the version it used."""

    team = models.OneToOneField(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="quality_profile"
    )
    project = models.OneToOneField(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="quality_profile"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=True) ^ Q(project__isnull=True),
                name="quality_profile_team_xor_project",
            )
        ]

    def __str__(self) -> str:
        if self.project_id is not None:
            return f"project {self.project}"
        return f"team {self.team} (default)"

    def latest(self) -> QualityProfileVersion | None:
        return self.versions.order_by("-number").first()


class QualityProfileVersion(models.Model):
    """One saved state of a quality profile (never edited afterwards)."""

    class RuleSet(models.TextChoices):
        DEFAULT = "default", "Default (rules of high measured precision)"
        EXTENDED = "extended", "Extended (every rule)"

    profile = models.ForeignKey(QualityProfile, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule_set = models.CharField(max_length=10, choices=RuleSet, default=RuleSet.DEFAULT)
    # Rule ids or id prefixes ("SA005", "PF", "ruff:ANN"): switched off / on.
    disabled = models.JSONField(default=list, blank=True)
    enabled = models.JSONField(default=list, blank=True)
    # {"SA011": "important"}: a rule's severity in this profile.
    severity = models.JSONField(default=dict, blank=True)
    # Globs on paths from the repository root ("tests/**", "**/versions/sqlite/**").
    exclude = models.JSONField(default=list, blank=True)
    tests_suggestions_only = models.BooleanField(
        default=False, help_text="Every finding in test code is a Suggestion"
    )
    comment = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["profile", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "number"], name="profile_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.profile} v{self.number}"


class QualityGate(models.Model):
    """Conditions on *new code since a baseline*, for one project or, as the default of its
    projects, for one team (reviewer.gates resolves which applies; none saved = defaults).

    The baseline is a date, a commit of the scanned branch (a release tag's commit) or the
    previous release branch (``release_branches``); without one, new code is what appeared
    after the project's first regular scan."""

    team = models.OneToOneField(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="quality_gate"
    )
    project = models.OneToOneField(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="quality_gate"
    )
    no_new_critical = models.BooleanField(default=True, help_text="No new Critical finding")
    no_new_important_in_production = models.BooleanField(
        default=False, help_text="No new Important finding outside test code"
    )
    no_debt_growth = models.BooleanField(
        default=False, help_text="Migration debt does not grow past the baseline"
    )
    no_failed_scan = models.BooleanField(default=True, help_text="The latest scan did not fail")
    baseline_date = models.DateField(null=True, blank=True)
    baseline_commit = models.CharField(
        max_length=64, blank=True, help_text="A commit of the branch, e.g. a release tag's"
    )
    baseline_release = models.BooleanField(
        default=False,
        help_text="Since the previous release branch: where the newest other branch named "
        "like release_branches left the scanned one",
    )
    release_branches = models.CharField(
        max_length=100, default="release/*", help_text="How release branches are named (one *)"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=True, project__isnull=False)
                | Q(team__isnull=False, project__isnull=True),
                name="gate_for_team_or_project",
            )
        ]

    def __str__(self) -> str:
        return f"gate of {self.project or self.team}"


class GateResult(models.Model):
    """The gate's verdict on one scan, written after every finished scan."""

    scan = models.OneToOneField(Scan, on_delete=models.CASCADE, related_name="gate_result")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="gate_results")
    passed = models.BooleanField()
    failures = models.JSONField(default=list, help_text="What failed, in words")
    baseline = models.CharField(max_length=200, help_text="The baseline, in words")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["project", "-id"], name="gate_result_project_recent")]

    def __str__(self) -> str:
        return f"{'passed' if self.passed else 'failed'}: scan {self.scan_id}"


class WebhookDelivery(models.Model):
    """One push webhook request and what was done with it (the settings page lists them)."""

    class Outcome(models.TextChoices):
        QUEUED = "queued", "Scan queued"
        ACTIVE = "active", "A scan was already queued or running"
        OTHER_BRANCH = "other_branch", "Other branch: ignored"
        IGNORED = "ignored", "Event ignored"
        BAD_SIGNATURE = "bad_signature", "Refused: bad signature"
        REPLAY = "replay", "Refused: replayed delivery"
        QUEUE_DOWN = "queue_down", "Task queue unavailable"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="deliveries")
    received_at = models.DateTimeField(auto_now_add=True)
    forge = models.CharField(max_length=10)
    event = models.CharField(max_length=60, blank=True)
    delivery_id = models.CharField(max_length=100, blank=True)
    ref = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=15, choices=Outcome)
    scan = models.ForeignKey(
        Scan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["project", "-id"], name="delivery_project_recent"),
            models.Index(fields=["project", "delivery_id"], name="delivery_project_id"),
        ]

    def __str__(self) -> str:
        return f"{self.forge} {self.event} -> {self.outcome}"


class PatchRequest(models.Model):
    """A migration-debt patch prepared by a worker for a project's head (never pushed)."""

    class Kind(models.TextChoices):
        PYDANTIC = "pydantic", "Pydantic v1 → v2"
        SQLALCHEMY = "sqlalchemy", "SQLAlchemy 1.x → 2.0"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Preparing"
        READY = "ready", "Ready"
        REFUSED = "refused", "Not offered"
        FAILED = "failed", "Failed"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="patches")
    kind = models.CharField(max_length=12, choices=Kind)
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    commit_sha = models.CharField(max_length=64, blank=True)
    diff = models.TextField(blank=True)
    files = models.JSONField(default=list, blank=True)
    # [{"rule", "path", "line", "title", "minutes"}]; "left" entries also have "reason".
    removed = models.JSONField(default=list, blank=True)
    left = models.JSONField(default=list, blank=True)
    removed_minutes = models.PositiveIntegerField(default=0)
    left_minutes = models.PositiveIntegerField(default=0)
    # Why verification refused the patch (status refused) or what went wrong (failed).
    problems = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The project page's and the patch page's "latest patches of this project".
            models.Index(fields=["project", "-id"], name="patch_project_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.kind} patch #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    @property
    def removed_hours(self) -> float:
        return round(self.removed_minutes / 60, 1)

    @property
    def left_hours(self) -> float:
        return round(self.left_minutes / 60, 1)


class Meeting(models.Model):
    """A team's weekly review: what changed since ``since`` (the previous meeting), with
    the notes and decisions taken. Triage done in the meeting goes to the findings' own
    audit trail."""

    team = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(max_length=200)
    since = models.DateTimeField(help_text="Changes after this moment are reviewed")
    started_at = models.DateTimeField(auto_now_add=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    closed = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["team", "-started_at"], name="meeting_team_recent")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("dashboard:meeting", args=[self.pk])


class MeetingDecision(models.Model):
    """What a meeting decided about one finding (the latest decision of that meeting wins;
    every change is also a TriageEvent on the finding). The next meeting shows them as
    "open actions from last time" with the finding's state since."""

    class Action(models.TextChoices):
        ACKNOWLEDGE = "acknowledge", "Acknowledge"
        FALSE_POSITIVE = "false_positive", "False positive"
        WONT_FIX = "wont_fix", "Won't fix"
        REOPEN = "reopen", "Reopen"
        ASSIGN = "assign", "Assign"
        COMMENT = "comment", "Comment"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="finding_decisions")
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="meeting_decisions")
    action = models.CharField(max_length=20, choices=Action)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "finding"], name="one_decision_per_finding_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.action} {self.finding_id}"


class WorkerMachine(models.Model):
    """A machine whose scan workers are up (``reviewer.fleet``): each worker writes
    ``seen_at`` every ``REVIEWDECK_MACHINE_BEAT_SECONDS``. Scans are routed (when
    ``REVIEWDECK_ROUTE_SCANS`` is on) only to machines seen recently; a row not seen for
    a day is removed by any machine."""

    name = models.CharField(max_length=64, primary_key=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class PeriodicRun(models.Model):
    """When a beat-driven job last ran (``reviewer.fleet.claim_periodic``): a second
    beat's copy of the same tick finds it ran within half its period and does nothing."""

    name = models.CharField(max_length=100, primary_key=True)
    ran_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.ran_at}"
