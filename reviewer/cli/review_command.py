"""What ``reviewdeck review`` and ``manage.py review`` share: arguments, target
resolution, ``--diff``, ``--fail-on``, rendering and the exit status.

Exit status: 0 nothing at or above ``--fail-on``, 1 findings at or above it, 2 bad
arguments (``UsageError``).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reviewer.engine import ReviewResult, RuleDoc, review, rule_doc
from reviewer.engine.profile import DEFAULT_PROFILE, EXTENDED_PROFILE
from reviewer.engine.registry import AGENTS, Rule, load_rules
from reviewer.engine.report import FORMATS, render

OK, FINDINGS, BAD_ARGUMENT = 0, 1, 2
#: ``--fail-on X`` fails on findings of severity X or worse.
SEVERITY_RANK = {"suggestion": 0, "important": 1, "critical": 2}


class UsageError(Exception):
    """A bad argument: the command prints it and exits with status 2."""


def add_review_arguments(parser: argparse.ArgumentParser, *, path_required: bool) -> None:
    where = "a directory, or files under the current directory"
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help=where if path_required else where + " (.)"
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format")
    parser.add_argument(
        "--fail-on",
        choices=tuple(SEVERITY_RANK),
        default="suggestion",
        help="exit 1 when a finding of this severity or worse is reported (default: any)",
    )
    parser.add_argument(
        "--diff",
        metavar="REF",
        help="report only findings on lines changed since the merge base of REF and HEAD",
    )
    parser.add_argument(
        "--agent",
        action="append",
        metavar="NAME",
        help=f"only this agent's rules (repeatable): {', '.join(AGENTS)}",
    )
    parser.add_argument(
        "--rule",
        action="append",
        metavar="PREFIX",
        help="only rules whose id starts with PREFIX (repeatable), e.g. SA or PD001",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="do not use cached results (cold run)"
    )
    parser.add_argument(
        "--no-ruff", action="store_true", help="do not run ruff (native rules only)"
    )
    parser.add_argument(
        "--extended",
        action="store_true",
        help="also run the rules outside the default profile (precision below 0.8)",
    )
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE")
    parser.add_argument("--jobs", type=int, help="worker processes (1 = serial)")
    parser.add_argument(
        "--explain", metavar="RULE_ID", help="explain a rule, with a before/after example"
    )


def explain(rule: Rule | RuleDoc) -> str:
    """A rule's explanation with its before/after example, for ``--explain``."""
    debt = f", {rule.debt_kind} debt ~{rule.debt_minutes} min" if rule.debt_kind else ""
    indent = "    "
    before = "".join(indent + line for line in rule.before.splitlines(keepends=True))
    after = "".join(indent + line for line in rule.after.splitlines(keepends=True))
    precision = (
        "not known"
        if rule.precision is None
        else f"{rule.precision:.2f} ({'measured' if rule.precision_measured else 'estimate'})"
    )
    why = f"why this severity: {rule.severity_reason}\n" if rule.severity_reason else ""
    return (
        f"{rule.id}  {rule.title}\n"
        f"severity: {rule.severity}{debt}; confidence {rule.confidence}%; "
        f"category: {rule.category}; agent: {rule.agent}\n"
        f"{why}precision: {precision}; profile: {rule.profile}\n\n"
        f"{rule.explanation}\n\n"
        f"Before:\n{before.rstrip()}\n\n"
        f"After:\n{after.rstrip()}\n"
    )


def explain_rule(rule_id: str) -> str:
    rule = rule_doc(rule_id)
    if rule is None:
        raise UsageError(
            f"No rule {rule_id!r}; known rules: " + ", ".join(r.id for r in load_rules().all())
        )
    return explain(rule)


def rules_agent(name: str) -> str | None:
    """The built-in agent whose rules ``name`` names (full or short: ``reviewer`` ->
    python-backend-reviewer), or None."""
    matches = [a for a in AGENTS if name in (a, a.removeprefix("python-backend-"))]
    return matches[0] if matches else None


def resolve_agent(name: str) -> str:
    """A full agent name from a full or short one (``reviewer`` -> python-backend-reviewer)."""
    found = rules_agent(name)
    if found is None:
        raise UsageError(
            f"Unknown agent {name!r}: the offline rules belong to {', '.join(AGENTS)}. "
            "Claude agents (an agent file, an operator's or a team's agent) run only in "
            "`manage.py review --agent` of a Reviewdeck installation with "
            "ANTHROPIC_API_KEY set; team agents need that installation's database."
        )
    return found


@dataclass(frozen=True, slots=True)
class Target:
    root: Path
    files: list[str] | None  # None: every Python file under root


def resolve_target(paths: Sequence[str], cwd: Path | None = None) -> Target:
    """One directory is reviewed whole; files (as pre-commit passes them) are reviewed
    under the current directory, so their paths read as in the repository."""
    if not paths:
        raise UsageError("Give the PATH of a directory to review.")
    given = [Path(p).expanduser() for p in paths]
    for path in given:
        if not path.exists():
            raise UsageError(f"{path} does not exist.")
        if not (path.is_dir() or path.is_file()):
            raise UsageError(f"{path} is not a directory or file.")
    if len(given) == 1 and given[0].is_dir():
        return Target(given[0], None)
    if any(path.is_dir() for path in given):
        raise UsageError("Give one directory, or only files.")
    base = (cwd or Path.cwd()).resolve()
    try:
        files = [path.resolve().relative_to(base).as_posix() for path in given]
    except ValueError:
        if len(given) == 1:  # one file elsewhere: review it where it is
            return Target(given[0].parent, [given[0].name])
        raise UsageError("Files to review must be under the current directory.") from None
    return Target(base, files)


@dataclass(slots=True)
class Outcome:
    result: ReviewResult
    report: str
    exit_code: int


def failing(result: ReviewResult, fail_on: str) -> bool:
    threshold = SEVERITY_RANK[fail_on]
    return any(SEVERITY_RANK[issue.severity] >= threshold for issue in result.issues)


def run_review(
    options: argparse.Namespace,
    *,
    cache_dir: Path | None,
    max_file_bytes: int,
    default_path: str | None = None,
) -> Outcome:
    """Review what ``options`` name and render the report (not written anywhere yet)."""
    paths = options.paths or ([default_path] if default_path else [])
    target = resolve_target(paths)
    agents = [resolve_agent(a) for a in options.agent] if options.agent else None
    prefixes = [p.upper() for p in options.rule] if options.rule else None
    for prefix in prefixes or []:
        if not prefix.startswith("RUFF") and not load_rules().by_prefix(prefix):
            raise UsageError(f"No rule id starts with {prefix!r}.")
    if options.jobs is not None and options.jobs < 1:
        raise UsageError("--jobs must be at least 1.")

    changed = None
    if options.diff:
        from reviewer.cli.changed_lines import DiffError, changed_since

        try:
            changed = changed_since(target.root, options.diff)
        except DiffError as exc:
            raise UsageError(f"--diff {options.diff}: {exc}") from exc

    result = review(
        target.root,
        target.files,
        agents=agents,
        rule_ids=prefixes,
        max_file_bytes=max_file_bytes,
        jobs=options.jobs,
        ruff=not options.no_ruff,
        cache_dir=None if options.no_cache else cache_dir,
        profile=EXTENDED_PROFILE if options.extended else DEFAULT_PROFILE,
    )
    if changed is not None:
        from reviewer.cli.changed_lines import only_changed

        result = only_changed(result, changed)
    return Outcome(
        result, render(result, options.format), FINDINGS if failing(result, options.fail_on) else OK
    )


def user_cache_dir() -> Path:
    """Where the standalone command keeps its result cache: ``REVIEWDECK_CACHE_DIR``, else
    the user's cache folder (``$XDG_CACHE_HOME/reviewdeck``, ``~/.cache/reviewdeck``)."""
    explicit = os.environ.get("REVIEWDECK_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "reviewdeck" / "engine-cache"
