"""The installed agents: built-in files, a folder named by a setting, and team agents
stored in the database (the newest version of each name). Later sources win by name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from reviewer.agents.definition import AgentDefinition, AgentFileError, load_file, parse

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"


@dataclass(frozen=True)
class Installed:
    agent: AgentDefinition
    origin: str  # "built-in", "folder" or "team"
    version_number: int | None = None


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


def installed(*, include_db: bool = True) -> dict[str, Installed]:
    """Every installed agent by name. A broken file in the folder is skipped (``agents
    check`` names it), never a reason to stop scanning."""
    found: dict[str, Installed] = {}
    builtin, _ = folder_agents(BUILTIN_DIR)
    for agent in builtin:
        found[agent.name] = Installed(agent, "built-in")
    extra_dir = getattr(settings, "REVIEWDECK_AGENTS_DIR", "")
    if extra_dir:
        extra, _ = folder_agents(Path(extra_dir))
        for agent in extra:
            found[agent.name] = Installed(agent, "folder")
    if include_db:
        from reviewer.agents.models import AgentVersion

        seen: set[str] = set()
        for row in AgentVersion.objects.order_by("name", "-version").only(
            "name", "version", "content"
        ):
            if row.name in seen:
                continue
            seen.add(row.name)
            try:
                agent = parse(row.content, f"{row.name} v{row.version}")
            except AgentFileError:
                continue
            found[agent.name] = Installed(agent, "team", row.version)
    return dict(sorted(found.items()))


def resolve_model(alias: str) -> str:
    """A model id for an agent's ``model:`` (an alias from settings, or a full id)."""
    aliases: dict[str, str] = settings.ANTHROPIC_MODEL_ALIASES
    model = aliases.get(alias.strip().lower(), alias.strip())
    if model in aliases:  # "inherit" may point at another alias
        model = aliases[model]
    return model


def price_for(model: str) -> dict[str, float]:
    prices: dict[str, dict[str, float]] = settings.ANTHROPIC_PRICES
    for prefix in sorted(prices, key=len, reverse=True):
        if model.startswith(prefix):
            return prices[prefix]
    return settings.ANTHROPIC_DEFAULT_PRICE
