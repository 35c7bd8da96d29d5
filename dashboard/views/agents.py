"""Agents: the installed ones, adding a team agent (upload or paste, versioned), and the
per-project choice of agents with the Claude part of the last scan."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dashboard.access import AuthedRequest, get_project_for_change, teams_of
from dashboard.forms import AgentTeamForm, AgentUploadForm, ProjectAgentsForm
from dashboard.params import id_param
from reviewer.agents.catalog import fixed_agents, installed, resolve_model, team_agents
from reviewer.agents.definition import AgentDefinition
from reviewer.agents.models import AgentVersion


@login_required
def agent_list(request: AuthedRequest) -> HttpResponse:
    teams = list(teams_of(request.user).order_by("name"))
    fixed = fixed_agents()
    shared = team_agents([t.pk for t in teams], reserved=fixed)
    rows = [*fixed.values(), *shared]
    name = request.GET.get("name", "")
    team_id = id_param(request.GET.get("team", ""), "team")
    shown = fixed.get(name) or next(
        (
            item
            for item in shared
            if item.agent.name == name and (team_id is None or item.team_id == team_id)
        ),
        None,
    )
    versions: list[AgentVersion] = []
    if shown is not None and shown.origin == "team":
        versions = list(
            AgentVersion.objects.filter(team_id=shown.team_id, name=name)
            .select_related("created_by")
            .order_by("-version")
        )
    context = {
        "agents": [(item, resolve_model(item.agent.model)) for item in rows],
        "shown": shown,
        "versions": versions,
        "may_add": bool(teams),
    }
    return render(request, "agents/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def agent_add(request: AuthedRequest) -> HttpResponse:
    teams = teams_of(request.user)
    if not teams.exists():
        raise PermissionDenied("Only members of a team add agents")
    form = AgentUploadForm(request.POST or None, request.FILES or None)
    team_form = AgentTeamForm(request.POST if request.method == "POST" else None, teams=teams)
    if request.method == "POST" and form.is_valid() and team_form.is_valid():
        agent = form.cleaned_data["agent"]
        team: Group = team_form.cleaned_data["team"]
        fixed = fixed_agents()
        if agent.name in fixed:
            kind = "a built-in" if fixed[agent.name].origin == "built-in" else "an operator"
            form.add_error(None, f"{agent.name!r} is {kind} agent; give yours another name.")
        else:
            saved = _save_version(request, team, agent.name, form.cleaned_data["text"], agent)
            if saved is None:
                messages.info(request, f"{agent.name} is unchanged; no new version.")
            else:
                messages.success(
                    request, f"Saved {agent.name} version {saved.version} for {team.name}."
                )
            query = urlencode({"name": agent.name, "team": team.pk})
            return redirect(reverse("dashboard:agents") + f"?{query}")
    errors = form.errors or team_form.errors
    return render(
        request,
        "agents/add.html",
        {"form": form, "team_form": team_form},
        status=400 if errors else 200,
    )


def _save_version(
    request: AuthedRequest, team: Group, name: str, text: str, agent: AgentDefinition
) -> AgentVersion | None:
    for _ in range(3):  # two uploads racing for the same version number: retry
        latest = AgentVersion.objects.filter(team=team, name=name).order_by("-version").first()
        if latest is not None and latest.sha256 == agent.sha256:
            return None
        try:
            with transaction.atomic():
                return AgentVersion.objects.create(
                    team=team,
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


@login_required
@require_http_methods(["GET", "POST"])
def project_agents(request: AuthedRequest, slug: str) -> HttpResponse:
    project = get_project_for_change(request, slug)
    names = list(installed(team_id=project.team_id))
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
