"""``manage.py review PATH``: run the offline rules on a directory and print a report.

The same code as the standalone ``reviewdeck review`` (reviewer/cli/review_command.py),
plus ``--agent`` Claude reviews when an API key is set. No database and no network
otherwise. Exit status 0 = nothing at or above ``--fail-on``, 1 = findings, 2 = bad
arguments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reviewer.agents.definition import AgentDefinition
from reviewer.cli.review_command import (
    BAD_ARGUMENT,
    FINDINGS,
    SEVERITY_RANK,
    UsageError,
    add_review_arguments,
    explain_rule,
    resolve_target,
    rules_agent,
    run_review,
)
from reviewer.engine.report import summary_line
from reviewer.engine.types import ReviewResult


class Command(BaseCommand):
    help = (
        "Review a directory with the offline rules (no database, no network). "
        "Exit status: 0 no findings, 1 findings, 2 bad arguments."
    )
    requires_system_checks: list[str] = []
    exit_code = 0

    def add_arguments(self, parser: CommandParser) -> None:
        add_review_arguments(parser, path_required=True)
        parser.add_argument(
            "--team",
            default="",
            help="the team whose agent --agent names, when several teams have one of that name",
        )

    def run_from_argv(self, argv: list[str]) -> None:
        super().run_from_argv(argv)
        if self.exit_code:
            sys.exit(self.exit_code)

    def handle(self, *args: Any, **options: Any) -> None:
        self.exit_code = 0
        try:
            self._handle(argparse.Namespace(**options))
        except UsageError as exc:
            raise CommandError(str(exc), returncode=BAD_ARGUMENT) from exc

    def _handle(self, options: argparse.Namespace) -> None:
        if options.explain:
            self.stdout.write(explain_rule(options.explain), ending="")
            return
        # --agent: a built-in agent narrows the rules to its own; an agent file, an
        # operator's or a team's agent does not (it has no offline rules).
        wanted = list(options.agent or [])
        own_rules = [name for name in map(rules_agent, wanted) if name]
        rules_options = argparse.Namespace(**{**vars(options), "agent": own_rules or None})
        agents = _claude_agents(wanted, options.team) if wanted else []  # bad names fail first
        # Per-file results are cached by content hash and rule set; --no-cache is the cold path.
        outcome = run_review(
            rules_options,
            cache_dir=Path(settings.DATA_DIR) / "engine-cache",
            max_file_bytes=getattr(settings, "REVIEWDECK_MAX_FILE_BYTES", 1_000_000),
        )
        report = outcome.report
        self.exit_code = outcome.exit_code
        if agents:
            report = self._claude(options, agents, outcome.result, report)
        if options.output:
            try:
                Path(options.output).write_text(report, encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"Cannot write {options.output}: {exc.strerror or exc}") from exc
            self.stderr.write(f"{summary_line(outcome.result)} Report written to {options.output}.")
        else:
            self.stdout.write(report, ending="")

    def _claude(
        self,
        options: argparse.Namespace,
        agents: list[AgentDefinition],
        result: ReviewResult,
        report: str,
    ) -> str:
        """The same Claude review as a scan, in the report itself (text, JSON, SARIF)."""
        from reviewer.agents import cli as claude  # the anthropic SDK: see _claude_agents

        if not settings.ANTHROPIC_API_KEY:
            names = ", ".join(agent.name for agent in agents)
            self.stderr.write(
                f"ANTHROPIC_API_KEY is not set: no Claude review by {names}; only the "
                "offline rules ran."
            )
            return report
        target = resolve_target(options.paths)
        runs = claude.review_with_claude(target.root, agents, result.issues, target.files)
        found = claude.claude_report(runs, result.issues)
        threshold = SEVERITY_RANK[options.fail_on]
        if any(
            SEVERITY_RANK[issue.severity] >= threshold
            and issue.confidence >= settings.CLAUDE_CONFIDENCE_THRESHOLD
            for issue in found.issues
        ):
            self.exit_code = FINDINGS
        return claude.render_with_claude(result, found, options.format)


def _claude_agents(wanted: list[str], team: str) -> list[AgentDefinition]:
    """The Claude agents ``--agent`` names (built-in, operator, file path, team agent)."""
    # The Claude modules import the anthropic SDK (seconds): only --agent pays for it.
    from reviewer.agents import cli as claude

    try:
        return [claude.resolve_claude_agent(value, team) for value in wanted]
    except claude.AgentNotFoundError as exc:
        raise UsageError(str(exc)) from exc
