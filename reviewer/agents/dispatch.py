"""Queue the Claude part of a scan (its own Celery task, on the "claude" queue)."""

from __future__ import annotations

import hashlib
import logging

from reviewer.agents.catalog import installed, resolve_model
from reviewer.models import Project, Scan

logger = logging.getLogger(__name__)


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


def claude_fingerprint(project: Project) -> str:
    """What ``Scan.agents_hash`` will be when this project's Claude review runs ("" when
    it does not): a scan of an unchanged head with the same fingerprint may be skipped."""
    from django.conf import settings

    if not (settings.ANTHROPIC_API_KEY and project.claude_enabled):
        return ""
    return agents_fingerprint(agents_for(project), project.team_id)


def queue_claude_review(scan: Scan) -> None:
    """Mark each agent's part queued and send the task. Never raises: when the queue is
    down, the agents' parts are marked failed and the rule findings stand."""
    from reviewer.agents.tasks import claude_review

    names = agents_for(scan.project)
    if not names:
        return
    scan.agent_runs = {name: {"status": "queued"} for name in names}
    scan.agents_hash = agents_fingerprint(names, scan.project.team_id)
    Scan.objects.filter(pk=scan.pk).update(agent_runs=scan.agent_runs, agents_hash=scan.agents_hash)
    try:
        claude_review.apply_async(args=(scan.pk,), retry=False)
    except Exception as exc:  # kombu raises several types for a dead broker
        logger.warning("could not queue the Claude review of scan %s: %s", scan.pk, exc)
        scan.agent_runs = {
            name: {"status": "failed", "error": "The task queue is unavailable."} for name in names
        }
        Scan.objects.filter(pk=scan.pk).update(agent_runs=scan.agent_runs)
