from __future__ import annotations

import re
import zoneinfo
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.validators import EmailValidator
from django.db.models import QuerySet
from django.utils.text import slugify

from dashboard.access import teams_of
from dashboard.params import MAX_ID
from reviewer import git, outbound, outbound_http, project_names, quality_profiles, schedules
from reviewer.agents.definition import MAX_FILE_CHARS, AgentFileError, parse
from reviewer.engine import profile as engine_profile
from reviewer.finding_filters import FindingFilter
from reviewer.models import Finding, Project, QualityGate, QualityProfileVersion, Severity
from reviewer.outbound import Policy

TIMEZONES = sorted(zoneinfo.available_timezones())
MAX_UPLOAD_BYTES = MAX_FILE_CHARS


class ProjectForm(forms.ModelForm[Project]):
    class Meta:
        model = Project
        fields = ["name", "repo_url", "branch", "team"]
        labels = {"repo_url": "Repository URL"}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = teams_of(user)
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)
        team_field.queryset = teams.order_by("name")
        team_field.required = not user.is_staff
        self.has_teams = teams.exists()
        if not self.has_teams:
            team_field.help_text = "You are in no team yet, so there is none to choose. " + (
                "Create one on the Teams page (a project without a team is seen by staff "
                "only, and has no weekly meeting)."
                if user.is_staff
                else "Ask a staff user to add you to a team on the Teams page."
            )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not slugify(name):
            raise forms.ValidationError("Use letters or digits in the name.")
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name = data.get("name")
        # Only the chosen team's own projects count: another team's never show.
        if (
            name
            and "team" not in self.errors
            and project_names.name_taken(name, data.get("team"), self.instance.pk)
        ):
            self.add_error("name", "This team already has a project with this name.")
        return data

    def validate_unique(self) -> None:
        """The name is checked per team in clean(), with a message of our own."""

    def clean_repo_url(self) -> str:
        try:
            url = git.validate_stored_repo_url(
                self.cleaned_data["repo_url"].strip(),
                local_roots=settings.REVIEWDECK_LOCAL_REPO_ROOTS,
            )
            git.refuse_internal_literal(
                url, settings.REVIEWDECK_LOCAL_REPO_ROOTS, Policy.from_settings()
            )
            return url
        except git.RepoError as exc:
            # Never echo a token back into the page: show the URL with credentials masked.
            data = dict(self.data.items())
            data["repo_url"] = git.redact_url(str(self.data.get("repo_url", "")))
            self.data = data
            raise forms.ValidationError(str(exc)) from None

    def clean_branch(self) -> str:
        try:
            return git.validate_branch(self.cleaned_data["branch"].strip())
        except git.RepoError as exc:
            raise forms.ValidationError(str(exc)) from None

    def save(self, commit: bool = True) -> Project:
        if not self.instance.slug or "name" in self.changed_data:
            self.instance.slug = project_names.free_slug(
                self.cleaned_data["name"], self.instance.pk
            )
        return super().save(commit)


class ProjectRepositoryForm(ProjectForm):
    """The settings page's repository, branch and team: the same checks as adding one."""

    class Meta(ProjectForm.Meta):
        fields = ["repo_url", "branch", "team"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "team" not in self.errors and project_names.name_taken(
            self.instance.name, data.get("team"), self.instance.pk
        ):
            self.add_error("team", "That team already has a project with this name.")
        return data


class ProjectDeleteForm(forms.Form):
    """Deleting a project asks for its name, typed, as the confirmation."""

    confirm = forms.CharField(label="Type the project's name to confirm", max_length=100)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_confirm(self) -> str:
        typed: str = self.cleaned_data["confirm"].strip()
        if typed != self.project.name:
            raise forms.ValidationError(f"Type {self.project.name} exactly to delete it.")
        return typed


class FindingFilterForm(forms.Form):
    """The project page's filters; every field optional, all reflected in the URL."""

    severity = forms.TypedChoiceField(
        choices=[("", "All severities"), *[(s.code, s.label) for s in Severity]],
        required=False,
    )
    category = forms.CharField(required=False, max_length=40)
    rule = forms.CharField(required=False, max_length=40)
    agent = forms.CharField(required=False, max_length=100)
    triage = forms.ChoiceField(
        choices=[
            ("", "Not dismissed"),
            ("all", "Any triage"),
            *[(t.value, t.label) for t in Finding.Triage],
        ],
        required=False,
    )
    status = forms.ChoiceField(
        choices=[
            ("open", "Open"),
            ("fixed", "Fixed"),
            ("excluded", "Excluded (profile or rule change)"),
        ],
        required=False,
        initial="open",
    )
    context = forms.ChoiceField(
        choices=[("", "Any context"), *Finding.Context.choices], required=False
    )
    path = forms.CharField(required=False, max_length=1000)
    debt_kind = forms.CharField(required=False, max_length=20)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    since_scan = forms.IntegerField(required=False, min_value=0, max_value=MAX_ID)
    q = forms.CharField(required=False, max_length=200)
    after = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_ID, widget=forms.HiddenInput
    )
    before = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_ID, widget=forms.HiddenInput
    )
    at = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)

    def severity_value(self) -> int | None:
        code = self.cleaned_data.get("severity") or ""
        return Severity.from_code(code) if code else None

    def to_filter(self) -> FindingFilter:
        """The filter for valid input; invalid input filters nothing (the form shows why)."""
        if not self.is_valid():
            return FindingFilter()
        data = self.cleaned_data
        return FindingFilter(
            severity=self.severity_value(),
            category=data["category"],
            rule=data["rule"].strip(),
            agent=data["agent"],
            triage=data["triage"],
            status=data["status"] or "open",
            path=data["path"].strip(),
            debt_kind=data["debt_kind"],
            context=data["context"],
            since=data["since"],
            since_scan=data["since_scan"],
            text=data["q"].strip(),
        )


_RULES_HELP = (
    "Rule ids or prefixes, one per line or comma-separated: SA005, PF, ruff:ANN, ruff:S106."
)


class QualityProfileFields(forms.Form):
    """The settings of a quality profile, as a person edits them (the settings page and the
    admin): plain text lists instead of JSON, each entry checked against the engine."""

    rule_set = forms.ChoiceField(
        choices=QualityProfileVersion.RuleSet.choices,
        initial=QualityProfileVersion.RuleSet.DEFAULT,
        help_text="The extended set adds the rules whose measured precision keeps them out "
        "of the default.",
    )
    disabled = forms.CharField(
        label="Rules off",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_RULES_HELP,
    )
    enabled = forms.CharField(
        label="Rules on",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Rules outside the chosen rule set to run anyway. " + _RULES_HELP,
    )
    severity = forms.CharField(
        label="Severity overrides",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line: RULE = critical | important | suggestion (e.g. SA011 = "
        "important).",
    )
    exclude = forms.CharField(
        label="Path exclusions",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Globs on paths from the repository root, one per line: tests/**, "
        "**/versions/sqlite/**. Excluded files are not reviewed.",
    )
    tests_suggestions_only = forms.BooleanField(
        label="Tests: suggestions only",
        required=False,
        help_text="Every finding in test code is reported as a Suggestion.",
    )
    comment = forms.CharField(
        required=False, max_length=300, help_text="Why this change (kept with the version)."
    )

    PROFILE_FIELDS = ("rule_set", "disabled", "enabled", "severity", "exclude")

    @staticmethod
    def initial_for(version: QualityProfileVersion | None) -> dict[str, object]:
        if version is None:
            return {"rule_set": QualityProfileVersion.RuleSet.DEFAULT}
        return {
            "rule_set": version.rule_set,
            "disabled": quality_profiles.format_entries(version.disabled),
            "enabled": quality_profiles.format_entries(version.enabled),
            "severity": quality_profiles.format_severity(version.severity),
            "exclude": quality_profiles.format_entries(version.exclude),
            "tests_suggestions_only": version.tests_suggestions_only,
        }

    def _rules(self, name: str) -> list[str]:
        entries = quality_profiles.split_entries(self.cleaned_data[name])
        unknown = [e for e in entries if not engine_profile.known_rule(e)]
        if unknown:
            plural = "s" if len(unknown) > 1 else ""
            raise forms.ValidationError(
                f"Unknown rule id{plural}: {', '.join(unknown)}. Use a rule id such as SA001, "
                "a prefix such as SA, or ruff:CODE for a ruff code the engine maps."
            )
        return entries

    def clean_disabled(self) -> list[str]:
        return self._rules("disabled")

    def clean_enabled(self) -> list[str]:
        return self._rules("enabled")

    def clean_severity(self) -> dict[str, str]:
        overrides: dict[str, str] = {}
        problems: list[str] = []
        for line in quality_profiles.split_lines(self.cleaned_data["severity"]):
            parsed = quality_profiles.parse_severity_line(line)
            if parsed is None:
                problems.append(f"“{line}” is not RULE = severity")
                continue
            rule, value = parsed
            if not engine_profile.known_rule_id(rule):
                problems.append(f"unknown rule id {rule}")
            elif value not in engine_profile.SEVERITIES:
                problems.append(
                    f"{value!r} for {rule} is not a severity "
                    f"({', '.join(engine_profile.SEVERITIES)})"
                )
            else:
                overrides[rule] = value
        if problems:
            raise forms.ValidationError("; ".join(problems) + ".")
        return overrides

    def clean_exclude(self) -> list[str]:
        globs = quality_profiles.split_lines(self.cleaned_data["exclude"])
        problems = []
        for pattern in globs:
            problem = engine_profile.glob_problem(pattern)
            if problem is not None:
                problems.append(f"{pattern!r} is not a valid glob: {problem}")
        if problems:
            raise forms.ValidationError("; ".join(problems) + ".")
        return globs

    def to_profile(self) -> engine_profile.Profile:
        """The engine profile of valid input (call after ``is_valid()``)."""
        data = self.cleaned_data
        profile, problems = engine_profile.validate(
            extended=data["rule_set"] == QualityProfileVersion.RuleSet.EXTENDED,
            disabled=data["disabled"],
            enabled=data["enabled"],
            severity=data["severity"],
            exclude=data["exclude"],
            tests_suggestions_only=data["tests_suggestions_only"],
        )
        if problems:  # the field checks above and the engine's agree; never silently drop
            raise ValueError("; ".join(problems))
        return profile


class QualityGateForm(forms.ModelForm):
    """A project's quality gate (or, with ``scope=team``, its team's default)."""

    scope = forms.ChoiceField(
        choices=[
            ("project", "This project"),
            ("team", "Every project of the team without its own"),
        ],
        initial="project",
    )

    class Meta:
        model = QualityGate
        fields = [
            "no_new_critical",
            "no_new_important_in_production",
            "no_debt_growth",
            "no_failed_scan",
            "baseline_date",
            "baseline_commit",
            "baseline_release",
            "release_branches",
        ]
        widgets = {"baseline_date": forms.DateInput(attrs={"type": "date"})}

    def clean_baseline_commit(self) -> str:
        value: str = self.cleaned_data["baseline_commit"].strip().lower()
        if value and not re.fullmatch(r"[0-9a-f]{7,64}", value):
            raise forms.ValidationError("A commit id: 7 to 64 hexadecimal characters.")
        return value

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["release_branches"].required = False  # empty: the default, release/*

    def clean_release_branches(self) -> str:
        value: str = (self.cleaned_data.get("release_branches") or "").strip() or "release/*"
        try:
            return git.validate_branch_pattern(value)
        except git.RepoError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        chosen = [data.get(k) for k in ("baseline_date", "baseline_commit", "baseline_release")]
        if sum(1 for value in chosen if value) > 1:
            raise forms.ValidationError(
                "Choose one baseline: a date, a commit or the previous release branch."
            )
        return data


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


class AgentUploadForm(forms.Form):
    content = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        max_length=MAX_FILE_CHARS,
        help_text="Paste a Claude Code subagent file (front matter + prompt)",
    )
    upload = forms.FileField(required=False, help_text="...or upload the .md file")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        upload = data.get("upload")
        text = str(data.get("content") or "")
        if upload is not None:
            if upload.size is None or upload.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError("The file is too large.")
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError("The file is not UTF-8 text.") from None
        if not text.strip():
            raise forms.ValidationError("Paste an agent file or choose one to upload.")
        source = getattr(upload, "name", None) or "pasted agent"
        try:
            data["agent"] = parse(text, source)
        except AgentFileError as exc:
            raise forms.ValidationError(str(exc)) from None
        data["text"] = text.replace("\r\n", "\n")
        return data


class AgentTeamForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Group.objects.none(), empty_label=None)

    def __init__(self, *args: Any, teams: QuerySet[Group], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = teams.order_by("name")
        self.only_team = teams.first() if len(teams[:2]) == 1 else None
        field.required = self.only_team is None  # one team: that one

    def clean_team(self) -> Group:
        team: Group | None = self.cleaned_data.get("team") or self.only_team
        if team is None:
            raise forms.ValidationError("Choose the team the agent belongs to.")
        return team


class ProjectAgentsForm(forms.Form):
    agents = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None chosen = the built-in and operator agents; team agents run when chosen",
    )
    claude_enabled = forms.BooleanField(required=False, label="Run Claude reviews")

    def __init__(self, *args: Any, names: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agents"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(n, n) for n in names]
