from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.utils.text import slugify

from reviewer import git
from reviewer.finding_filters import FindingFilter
from reviewer.models import Finding, Project, Severity


class ProjectForm(forms.ModelForm[Project]):
    class Meta:
        model = Project
        fields = ["name", "repo_url", "branch", "team"]
        labels = {"repo_url": "Repository URL"}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Group.objects.all() if user.is_staff else user.groups.all()
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)
        team_field.queryset = teams.order_by("name")
        team_field.required = not user.is_staff

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        slug = slugify(name)
        if not slug:
            raise forms.ValidationError("Use letters or digits in the name.")
        if Project.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("A project with this name already exists.")
        return name

    def clean_repo_url(self) -> str:
        try:
            return git.validate_stored_repo_url(
                self.cleaned_data["repo_url"].strip(),
                local_roots=settings.REVIEWDECK_LOCAL_REPO_ROOTS,
            )
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
        self.instance.slug = slugify(self.cleaned_data["name"])
        return super().save(commit)


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
        choices=[("open", "Open"), ("fixed", "Fixed"), ("excluded", "Excluded by the profile")],
        required=False,
        initial="open",
    )
    context = forms.ChoiceField(
        choices=[("", "Any context"), *Finding.Context.choices], required=False
    )
    path = forms.CharField(required=False, max_length=1000)
    debt_kind = forms.CharField(required=False, max_length=20)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    since_scan = forms.IntegerField(required=False, min_value=0)
    q = forms.CharField(required=False, max_length=200)
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

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
