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

from reviewer.cli.review_command import (
    BAD_ARGUMENT,
    FINDINGS,
    UsageError,
    add_review_arguments,
    explain_rule,
    run_review,
)
from reviewer.engine.report import summary_line


class Command(BaseCommand):
    help = (
        "Review a directory with the offline rules (no database, no network). "
        "Exit status: 0 no findings, 1 findings, 2 bad arguments."
    )
    requires_system_checks: list[str] = []
    exit_code = 0

    def add_arguments(self, parser: CommandParser) -> None:
        add_review_arguments(parser, path_required=True)

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
        # Per-file results are cached by content hash and rule set; --no-cache is the cold path.
        outcome = run_review(
            options,
            cache_dir=Path(settings.DATA_DIR) / "engine-cache",
            max_file_bytes=getattr(settings, "REVIEWDECK_MAX_FILE_BYTES", 1_000_000),
        )
        report = outcome.report
        self.exit_code = outcome.exit_code
        if options.agent and settings.ANTHROPIC_API_KEY:  # the same Claude review as a scan
            from reviewer.agents.cli import format_runs, review_with_claude
            from reviewer.cli.review_command import resolve_agent, resolve_target

            target = resolve_target(options.paths)
            agents = [resolve_agent(a) for a in options.agent]
            runs = review_with_claude(target.root, agents, outcome.result.issues, target.files)
            if options.format == "text":
                report += format_runs(runs)
            else:
                self.stderr.write(format_runs(runs))
            if any(run.findings for run in runs):
                self.exit_code = FINDINGS
        if options.output:
            try:
                Path(options.output).write_text(report, encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"Cannot write {options.output}: {exc.strerror or exc}") from exc
            self.stderr.write(f"{summary_line(outcome.result)} Report written to {options.output}.")
        else:
            self.stdout.write(report, ending="")
