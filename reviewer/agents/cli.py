"""``manage.py review PATH --agent NAME`` with an API key: the same Claude review as a scan
(same prompt, tools, verification and budgets), printed instead of stored. No database:
nothing is cached, so a team can try an agent on a checkout before scheduling it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from reviewer.agents.budget import Limits, Usage
from reviewer.agents.catalog import installed
from reviewer.agents.live import run_agent
from reviewer.agents.run import AgentRun, CachedFinding, Files, make_client
from reviewer.engine.types import Issue


def _no_cache(agent_hash: str, model: str, blobs: list[str]) -> dict[str, list[CachedFinding]]:
    return {}


def _drop(agent_hash: str, model: str, blob: str, findings: list[CachedFinding]) -> None:
    return None


def review_with_claude(
    root: Path, names: Iterable[str], rule_issues: Iterable[Issue], only: Iterable[str] | None
) -> list[AgentRun]:
    available = installed(include_db=False)
    files = Files.read(root, settings.REVIEWDECK_MAX_FILE_BYTES)
    if only is not None:
        files = files.only(only)
    already: dict[str, list[str]] = defaultdict(list)
    for issue in rule_issues:
        already[issue.path].append(f"{issue.line} {issue.rule_id} {issue.title}")
    client = make_client()
    run_limits = Limits.from_mapping(settings.CLAUDE_RUN_BUDGET)
    scan_limits = Limits.from_mapping(settings.CLAUDE_SCAN_BUDGET)
    conversation_limits = Limits.from_mapping(settings.CLAUDE_CONVERSATION_BUDGET)
    scan_spent = Usage()
    runs = []
    for name in names:
        if name not in available:
            continue
        runs.append(
            run_agent(
                client,
                available[name].agent,
                root,
                files,
                already=already,
                run_limits=run_limits,
                scan_limits=scan_limits,
                scan_spent=scan_spent,
                cache_get=_no_cache,
                cache_put=_drop,
                conversation_limits=conversation_limits,
            )
        )
    return runs


def format_runs(runs: list[AgentRun]) -> str:
    lines = []
    for run in runs:
        usage = run.usage
        lines.append(
            f"\nClaude review by {run.agent.name} ({run.model}, version {run.agent.version}): "
            f"{run.status}{' - ' + (run.error or run.stopped) if run.error or run.stopped else ''}"
        )
        for path in sorted(run.findings):
            for item in sorted(run.findings[path], key=lambda i: i["line"]):
                low = "" if item["confidence"] >= settings.CLAUDE_CONFIDENCE_THRESHOLD else " (low)"
                lines.append(
                    f"{path}:{item['line']}: {item['severity']} "
                    f"[{item['rule_id'] or item['category']}] {item['title']} "
                    f"(confidence {item['confidence']}{low})"
                )
        lines.append(
            f"{sum(len(v) for v in run.findings.values())} verified, {run.rejected} rejected; "
            f"tokens in {usage.input_tokens} out {usage.output_tokens} "
            f"cache read {usage.cache_read_tokens} write {usage.cache_write_tokens}; "
            f"cost ~${usage.cost_usd.quantize(Decimal('0.0001'))}"
        )
    return "\n".join(lines) + "\n"
