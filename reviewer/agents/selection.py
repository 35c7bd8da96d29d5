"""Which Claude agents a project runs, their fingerprint, and planning a scan's Claude part."""

from __future__ import annotations

import hashlib

from django.conf import settings

from reviewer.agents.catalog import installed, resolve_model
from reviewer.models import Project, Scan


def agents_for(project: Project) -> list[str]:
    """The agents a project runs: the chosen ones among the built-in, operator and its own
    team's agents; with none chosen, the built-in and operator agents (a team agent runs
    only where its team chose it)."""
    available = installed(team_id=project.team_id)
    if project.agents:
        return [name for name in project.agents if name in available]
    return [name for name, item in available.items() if item.origin != "team"]


def agents_fingerprint(names: list[str], team_id: int | None) -> str:
    available = installed(team_id=team_id)
    parts = [
        f"{n}:{available[n].agent.sha256}:{resolve_model(available[n].agent.model)}"
        for n in sorted(names)
        if n in available
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def claude_enabled(project: Project) -> bool:
    return bool(settings.ANTHROPIC_API_KEY and project.claude_enabled)


def claude_fingerprint(project: Project) -> str:
    """What ``Scan.agents_hash`` will be when this project's Claude review runs ("" when
    none will run): a scan of an unchanged head with the same fingerprint may be skipped."""
    if not claude_enabled(project):
        return ""
    names = agents_for(project)
    return agents_fingerprint(names, project.team_id) if names else ""


def plan_claude_review(scan: Scan) -> None:
    """Mark each agent's part of a succeeded scan queued (the scan task sends it)."""
    if not claude_enabled(scan.project):
        return
    names = agents_for(scan.project)
    if not names:
        return
    scan.agent_runs = {name: {"status": "queued"} for name in names}
    scan.agents_hash = agents_fingerprint(names, scan.project.team_id)
    Scan.objects.filter(pk=scan.pk).update(agent_runs=scan.agent_runs, agents_hash=scan.agents_hash)


def mark_failed(scan: Scan, error: str) -> None:
    """Every agent part of the scan failed with ``error``."""
    for name in scan.agent_runs:
        scan.agent_runs[name] = {"status": "failed", "error": error}
    Scan.objects.filter(pk=scan.pk).update(agent_runs=scan.agent_runs)
