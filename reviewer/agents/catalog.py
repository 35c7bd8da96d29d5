"""The installed agents: built-in files, a folder named by a setting (the operator's),
and team agents stored in the database (the newest version of each name, per team). A
project sees the first two and its own team's agents only."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import OuterRef, Subquery

from reviewer.agents import pricing
from reviewer.agents.definition import AgentDefinition, AgentFileError, load_file, parse
from reviewer.agents.models import AgentVersion

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"


@dataclass(frozen=True)
class Installed:
    agent: AgentDefinition
    origin: str  # "built-in", "folder" or "team"
    version_number: int | None = None
    team_id: int | None = None
    team_name: str = ""


def folder_agents(folder: Path) -> tuple[list[AgentDefinition], list[AgentFileError]]:
    agents: list[AgentDefinition] = []
    errors: list[AgentFileError] = []
    if not folder.is_dir():
        return agents, errors
    for path in sorted(folder.glob("*.md")):
        if path.is_symlink() or not path.is_file():
            continue
        try:
            agents.append(load_file(path))
        except AgentFileError as exc:
            errors.append(exc)
    return agents, errors


def fixed_agents() -> dict[str, Installed]:
    """The built-in agents and the operator's (``REVIEWDECK_AGENTS_DIR``, which may replace
    a built-in one). No team agent can take one of their names."""
    found: dict[str, Installed] = {}
    builtin, _ = folder_agents(BUILTIN_DIR)
    for agent in builtin:
        found[agent.name] = Installed(agent, "built-in")
    extra_dir = getattr(settings, "REVIEWDECK_AGENTS_DIR", "")
    if extra_dir:
        extra, _ = folder_agents(Path(extra_dir))
        for agent in extra:
            found[agent.name] = Installed(agent, "folder")
    return found


def team_agents(
    team_ids: Iterable[int] | None, *, reserved: Collection[str] = ()
) -> list[Installed]:
    """The newest version of each agent of these teams (None: every team's, and the
    versions that belong to no team), in one query. Names in ``reserved`` are skipped."""
    newest = (
        AgentVersion.objects.filter(team_id=OuterRef("team_id"), name=OuterRef("name"))
        .order_by("-version")
        .values("version")[:1]
    )
    rows = AgentVersion.objects.select_related("team").only(
        "name", "version", "content", "team__name"
    )
    if team_ids is None:
        no_team = AgentVersion.objects.filter(team=None, name=OuterRef("name"))
        rows = rows.filter(version=Subquery(newest)) | rows.filter(
            team=None, version=Subquery(no_team.order_by("-version").values("version")[:1])
        )
    else:
        rows = rows.filter(team_id__in=list(team_ids), version=Subquery(newest))
    found: list[Installed] = []
    for row in rows.order_by("name", "team__name"):
        if row.name in reserved:
            continue
        try:
            agent = parse(row.content, f"{row.name} v{row.version}")
        except AgentFileError:
            continue
        found.append(
            Installed(agent, "team", row.version, row.team_id, row.team.name if row.team else "")
        )
    return found


def installed(*, include_db: bool = True, team_id: int | None = None) -> dict[str, Installed]:
    """The agents a project of team ``team_id`` can run, by name: the built-in and
    operator agents, and that team's own (never another team's). A broken file in the
    folder is skipped (``agents check`` names it), never a reason to stop scanning."""
    found = fixed_agents()
    if include_db and team_id is not None:
        for item in team_agents([team_id], reserved=found):
            found.setdefault(item.agent.name, item)
    return dict(sorted(found.items()))


def resolve_model(alias: str) -> str:
    """A model id for an agent's ``model:`` (an alias from settings, or a full id)."""
    return pricing.resolve(alias, settings.ANTHROPIC_MODEL_ALIASES)


def price_for(model: str) -> dict[str, float]:
    """The prices of a model id; ``pricing.UnknownModelError`` when settings have none."""
    return pricing.prices(model, settings.ANTHROPIC_PRICES)
