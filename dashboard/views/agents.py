"""Agents: the installed ones, adding a team agent (upload or paste, versioned), and the
per-project choice of agents with the Claude part of the last scan."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dashboard.access import AuthedRequest, get_project_for_change
from reviewer.agents.catalog import BUILTIN_DIR, folder_agents, installed, resolve_model
from reviewer.agents.definition import MAX_FILE_CHARS, AgentFileError, parse
from reviewer.agents.models import AgentVersion

MAX_UPLOAD_BYTES = MAX_FILE_CHARS


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


def _may_add_agents(request: AuthedRequest) -> bool:
    return request.user.is_staff or request.user.groups.exists()


@login_required
def agent_list(request: AuthedRequest) -> HttpResponse:
    agents = installed()
    shown = request.GET.get("name", "")
    versions = list(
        AgentVersion.objects.filter(name=shown).select_related("created_by").order_by("-version")
    )
    counts = dict(AgentVersion.objects.values_list("name").annotate(n=Max("version")).order_by())
    context = {
        "agents": [
            (item, resolve_model(item.agent.model), counts.get(name, 0))
            for name, item in agents.items()
        ],
        "shown": agents.get(shown),
        "versions": versions,
        "form": AgentUploadForm(),
        "may_add": _may_add_agents(request),
    }
    return render(request, "agents/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def agent_add(request: AuthedRequest) -> HttpResponse:
    if not _may_add_agents(request):
        raise PermissionDenied("Only members of a team add agents")
    form = AgentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        agent = form.cleaned_data["agent"]
        builtin_names = {a.name for a in folder_agents(BUILTIN_DIR)[0]}
        if agent.name in builtin_names:
            form.add_error(None, f"{agent.name!r} is a built-in agent; give yours another name.")
        else:
            saved = _save_version(request, agent.name, form.cleaned_data["text"], agent)
            if saved is None:
                messages.info(request, f"{agent.name} is unchanged; no new version.")
            else:
                messages.success(request, f"Saved {agent.name} version {saved.version}.")
            return redirect(reverse("dashboard:agents") + f"?name={agent.name}")
    return render(request, "agents/add.html", {"form": form}, status=400 if form.errors else 200)


def _save_version(
    request: AuthedRequest, name: str, text: str, agent: object
) -> AgentVersion | None:
    from reviewer.agents.definition import AgentDefinition

    assert isinstance(agent, AgentDefinition)
    for _ in range(3):  # two uploads racing for the same version number: retry
        latest = AgentVersion.objects.filter(name=name).order_by("-version").first()
        if latest is not None and latest.sha256 == agent.sha256:
            return None
        try:
            with transaction.atomic():
                return AgentVersion.objects.create(
                    name=name,
                    version=(latest.version if latest else 0) + 1,
                    content=text,
                    sha256=agent.sha256,
                    model=agent.model,
                    description=agent.description[:2000],
                    created_by=request.user,
                )
        except IntegrityError:
            continue
    raise IntegrityError("could not allocate a version number")


class ProjectAgentsForm(forms.Form):
    agents = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, help_text="None chosen = all"
    )
    claude_enabled = forms.BooleanField(required=False, label="Run Claude reviews")

    def __init__(self, *args: object, names: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["agents"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(n, n) for n in names]


@login_required
@require_http_methods(["GET", "POST"])
def project_agents(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_change(request, slug)
    names = list(installed())
    initial = {"agents": project.agents, "claude_enabled": project.claude_enabled}
    form = ProjectAgentsForm(request.POST or None, names=names, initial=initial)
    if request.method == "POST" and form.is_valid():
        project.agents = form.cleaned_data["agents"]
        project.claude_enabled = form.cleaned_data["claude_enabled"]
        project.save(update_fields=["agents", "claude_enabled"])
        messages.success(request, "Saved the agents of this project.")
        return redirect("dashboard:project_agents", slug=project.slug)
    last_scan = project.scans.exclude(agent_runs={}).first()
    runs = sorted(last_scan.agent_runs.items()) if last_scan else []
    return render(
        request,
        "agents/project.html",
        {"project": project, "form": form, "last_scan": last_scan, "runs": runs},
    )
