"""``manage.py agents check FILE...`` validates agent files; ``agents list`` shows the
installed agents (built-in, the REVIEWDECK_AGENTS_DIR folder, team agents)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from reviewer.agents.catalog import fixed_agents, price_for, resolve_model, team_agents
from reviewer.agents.definition import AgentDefinition, AgentFileError, load_file
from reviewer.agents.pricing import UnknownModelError
from reviewer.agents.tools import read_tools_for


def describe(agent: AgentDefinition) -> str:
    model = resolve_model(agent.model)
    shown = agent.model if model == agent.model else f"{agent.model} -> {model}"
    rules = ", ".join(agent.rules) or "none"
    tools = ", ".join(read_tools_for(agent.tools)) or "none"
    return (
        f"{agent.name}  model: {shown}  rule packs: {rules}  read tools: {tools}  "
        f"version: {agent.version}"
    )


def model_problem(agent: AgentDefinition) -> str:
    """Why the agent's model cannot run ("" when it can)."""
    try:
        price_for(resolve_model(agent.model))
    except UnknownModelError as exc:
        return str(exc)
    return ""


class Command(BaseCommand):
    help = "Check agent files (agents check FILE...) or list the installed agents."
    requires_system_checks: list[str] = []
    exit_code = 0

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="Validate agent files")
        check.add_argument("files", nargs="+", metavar="FILE")
        sub.add_parser("list", help="Show the installed agents")

    def run_from_argv(self, argv: list[str]) -> None:
        super().run_from_argv(argv)
        if self.exit_code:
            sys.exit(self.exit_code)

    def handle(self, *args: Any, **options: Any) -> None:
        self.exit_code = 0
        if options["action"] == "check":
            for name in options["files"]:
                try:
                    agent = load_file(Path(name))
                except AgentFileError as exc:
                    self.stderr.write(f"error: {exc}")
                    self.exit_code = 1
                    continue
                problem = model_problem(agent)
                if problem:
                    self.stderr.write(f"error: {name}: {problem}")
                    self.exit_code = 1
                    continue
                self.stdout.write(f"ok: {name}: {describe(agent)}")
            return
        fixed = fixed_agents()
        agents = list(fixed.values())
        try:
            agents += team_agents(None, reserved=fixed)
        except DatabaseError:
            self.stderr.write("(database not reachable: team agents not shown)")
        for item in agents:
            version = f" v{item.version_number}" if item.version_number else ""
            team = (
                f" of {item.team_name}"
                if item.team_name
                else (" of no team" if item.origin == "team" else "")
            )
            self.stdout.write(f"{describe(item.agent)}  [{item.origin}{version}{team}]")
