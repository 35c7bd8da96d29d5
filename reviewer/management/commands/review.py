"""``manage.py review PATH``: run the offline rules on a directory and print a report.

No database and no network: the engine is a plain library, and this command only parses
arguments around it. Exit status 0 = no findings, 1 = findings, 2 = bad arguments.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reviewer.engine import RuleDoc, review, rule_doc
from reviewer.engine.registry import AGENTS, Rule, load_rules
from reviewer.engine.report import FORMATS, render, summary_line

BAD_ARGUMENT = 2


def explain(rule: Rule | RuleDoc) -> str:
    """A rule's explanation with its before/after example, for ``--explain``."""
    debt = f", {rule.debt_kind} debt ~{rule.debt_minutes} min" if rule.debt_kind else ""
    indent = "    "
    before = "".join(indent + line for line in rule.before.splitlines(keepends=True))
    after = "".join(indent + line for line in rule.after.splitlines(keepends=True))
    return (
        f"{rule.id}  {rule.title}\n"
        f"severity: {rule.severity}{debt}; confidence {rule.confidence}%; "
        f"category: {rule.category}; agent: {rule.agent}\n\n"
        f"{rule.explanation}\n\n"
        f"Before:\n{before.rstrip()}\n\n"
        f"After:\n{after.rstrip()}\n"
    )


def resolve_agent(name: str) -> str:
    """A full agent name from a full or short one (``reviewer`` -> python-backend-reviewer)."""
    matches = [a for a in AGENTS if name in (a, a.removeprefix("python-backend-"))]
    if not matches:
        raise CommandError(
            f"Unknown agent {name!r}; expected one of: {', '.join(AGENTS)}.",
            returncode=BAD_ARGUMENT,
        )
    return matches[0]


class Command(BaseCommand):
    help = (
        "Review a directory with the offline rules (no database, no network). "
        "Exit status: 0 no findings, 1 findings, 2 bad arguments."
    )
    requires_system_checks: list[str] = []
    exit_code = 0

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="Directory (or one .py file) to review")
        parser.add_argument("--format", choices=FORMATS, default="text", help="Report format")
        parser.add_argument(
            "--agent",
            action="append",
            metavar="NAME",
            help=f"Only this agent's rules (repeatable): {', '.join(AGENTS)}",
        )
        parser.add_argument(
            "--rule",
            action="append",
            metavar="PREFIX",
            help="Only rules whose id starts with PREFIX (repeatable), e.g. SA or PD001",
        )
        parser.add_argument(
            "--no-cache", action="store_true", help="Do not use cached results (cold run)"
        )
        parser.add_argument(
            "--no-ruff", action="store_true", help="Do not run ruff (native rules only)"
        )
        parser.add_argument("--output", metavar="FILE", help="Write the report to FILE")
        parser.add_argument("--jobs", type=int, help="Worker processes (1 = serial)")
        parser.add_argument(
            "--explain", metavar="RULE_ID", help="Explain a rule, with a before/after example"
        )

    def run_from_argv(self, argv: list[str]) -> None:
        super().run_from_argv(argv)
        if self.exit_code:
            sys.exit(self.exit_code)

    def handle(self, *args: Any, **options: Any) -> None:
        self.exit_code = 0
        if options["explain"]:
            rule = rule_doc(options["explain"])
            if rule is None:
                raise CommandError(
                    f"No rule {options['explain']!r}; known rules: "
                    + ", ".join(r.id for r in load_rules().all()),
                    returncode=BAD_ARGUMENT,
                )
            self.stdout.write(explain(rule), ending="")
            return

        if not options["path"]:
            raise CommandError("Give the PATH of a directory to review.", returncode=BAD_ARGUMENT)
        target = Path(options["path"]).expanduser()
        if not target.exists():
            raise CommandError(f"{target} does not exist.", returncode=BAD_ARGUMENT)
        if target.is_dir():
            root, files = target, None
        elif target.is_file():
            root, files = target.parent, [target.name]
        else:
            raise CommandError(f"{target} is not a directory or file.", returncode=BAD_ARGUMENT)

        agents = [resolve_agent(a) for a in options["agent"]] if options["agent"] else None
        prefixes = [p.upper() for p in options["rule"]] if options["rule"] else None
        for prefix in prefixes or []:
            if not prefix.startswith("RUFF") and not load_rules().by_prefix(prefix):
                raise CommandError(f"No rule id starts with {prefix!r}.", returncode=BAD_ARGUMENT)
        if options["jobs"] is not None and options["jobs"] < 1:
            raise CommandError("--jobs must be at least 1.", returncode=BAD_ARGUMENT)

        # Per-file results are cached by content hash and rule set; --no-cache is the cold path.
        cache_dir = None if options["no_cache"] else Path(settings.DATA_DIR) / "engine-cache"
        result = review(
            root,
            files,
            agents=agents,
            rule_ids=prefixes,
            max_file_bytes=getattr(settings, "REVIEWDECK_MAX_FILE_BYTES", 1_000_000),
            jobs=options["jobs"],
            ruff=not options["no_ruff"],
            cache_dir=cache_dir,
        )
        report = render(result, options["format"])
        claude_runs = []
        if agents and settings.ANTHROPIC_API_KEY:  # the same Claude review as a scan
            from reviewer.agents.cli import format_runs, review_with_claude

            claude_runs = review_with_claude(root, agents, result.issues, files)
            if options["format"] == "text":
                report += format_runs(claude_runs)
            else:
                self.stderr.write(format_runs(claude_runs))
        if options["output"]:
            try:
                Path(options["output"]).write_text(report, encoding="utf-8")
            except OSError as exc:
                raise CommandError(
                    f"Cannot write {options['output']}: {exc.strerror or exc}",
                    returncode=BAD_ARGUMENT,
                ) from exc
            self.stderr.write(f"{summary_line(result)} Report written to {options['output']}.")
        else:
            self.stdout.write(report, ending="")
        self.exit_code = 1 if result.issues or any(r.findings for r in claude_runs) else 0
