"""Entry point of the ``reviewdeck`` console script (``[project.scripts]``).

    reviewdeck review [PATH ...] [--format text|json|sarif] [--fail-on SEVERITY]
                      [--diff REF] [--no-cache] [--explain RULE]
    reviewdeck gate --project SLUG --url URL [--token TOKEN]

Exit status: 0 success, 1 findings at or above ``--fail-on`` (or a failed gate),
2 bad arguments (or a gate that cannot be told).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from reviewer.cli.review_command import (
    BAD_ARGUMENT,
    OK,
    UsageError,
    add_review_arguments,
    explain_rule,
    run_review,
    user_cache_dir,
)
from reviewer.engine.report import TOOL_VERSION, summary_line


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reviewdeck",
        description="Reviewdeck's offline rules for FastAPI, SQLAlchemy, Alembic, Pydantic, "
        "asyncio and pytest code; no database, no network.",
    )
    parser.add_argument("--version", action="version", version=f"reviewdeck {TOOL_VERSION}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    review = commands.add_parser("review", help="review a directory or files")
    add_review_arguments(review, path_required=False)
    gate = commands.add_parser(
        "gate", help="ask a Reviewdeck server whether a project's quality gate passes"
    )
    gate.add_argument("--project", required=True, metavar="SLUG")
    gate.add_argument("--url", required=True, help="the server, e.g. https://reviewdeck.example")
    gate.add_argument(
        "--token", help="API token (default: the REVIEWDECK_TOKEN environment variable)"
    )
    gate.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")
    return parser


def _review(options: argparse.Namespace) -> int:
    if options.explain:
        sys.stdout.write(explain_rule(options.explain))
        return OK
    max_bytes = int(os.environ.get("REVIEWDECK_MAX_FILE_BYTES", "1000000"))
    outcome = run_review(
        options, cache_dir=user_cache_dir(), max_file_bytes=max_bytes, default_path="."
    )
    if options.output:
        try:
            Path(options.output).write_text(outcome.report, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"Cannot write {options.output}: {exc.strerror or exc}") from exc
        sys.stderr.write(f"{summary_line(outcome.result)} Report written to {options.output}.\n")
    else:
        sys.stdout.write(outcome.report)
    return outcome.exit_code


def _gate(options: argparse.Namespace) -> int:
    from reviewer.cli.gate_client import check_gate

    token = options.token or os.environ.get("REVIEWDECK_TOKEN", "")
    return check_gate(options.url, options.project, token, options.timeout)


def main(argv: list[str] | None = None) -> int:
    options = build_parser().parse_args(argv)
    try:
        if options.command == "gate":
            return _gate(options)
        return _review(options)
    except UsageError as exc:
        sys.stderr.write(f"reviewdeck: {exc}\n")
        return BAD_ARGUMENT
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
