"""A live Claude run: conversations with tools, one agent after another, within budgets."""

from __future__ import annotations

import logging
from collections import defaultdict
from pathlib import Path

import anthropic
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from reviewer.agents.budget import Deadline, Limits, Usage
from reviewer.agents.catalog import installed
from reviewer.agents.context import Change
from reviewer.agents.definition import AgentDefinition
from reviewer.agents.loop import converse
from reviewer.agents.plan import CacheGet, CachePut, plan_review, second_check, settle
from reviewer.agents.pricing import UnknownModelError
from reviewer.agents.run import (
    AgentRun,
    Files,
    Prepared,
    cache_get,
    cache_put,
    finish_review,
    record_agent_run,
    save_run,
    soft_limit_reason,
    soft_seconds,
    verified,
)
from reviewer.agents.tools import Checkout, read_tools_for

logger = logging.getLogger(__name__)


def run_agent(
    client: anthropic.Anthropic,
    agent: AgentDefinition,
    root: Path,
    files: Files,
    *,
    already: dict[str, list[str]],
    run_limits: Limits,
    scan_limits: Limits,
    scan_spent: Usage,
    cache_get: CacheGet,
    cache_put: CachePut,
    deadline: Deadline | None = None,
    conversation_limits: Limits | None = None,
    change: Change | None = None,
    shared: str = "",
) -> AgentRun:
    """Review ``files`` with one agent, one tool-loop conversation per group of files
    (what is sent, diff context and the verification pass included, is ``plan.py``'s,
    shared with the batch path). ``shared`` (the repository map) ends the cached system
    prompt."""
    plan = plan_review(
        agent,
        files,
        read_tools=read_tools_for(agent.tools),
        cache_get=cache_get,
        change=change,
        shared=shared,
    )
    run, checkout = plan.run, Checkout(root, settings.REVIEWDECK_MAX_FILE_BYTES)
    groups = plan.groups
    for number, group in enumerate(groups):
        reason = run_limits.exceeded(run.usage, run.turns) or scan_limits.exceeded(scan_spent)
        if not reason and deadline is not None and deadline.passed():
            reason = deadline.reason
        if reason:
            run.stopped = reason
            _not_reached(run, groups[number:], reason)
            break
        outcome = converse(
            client,
            model=plan.model,
            system=plan.system,
            user_text=plan.prompt(group, already),
            checkout=checkout,
            price=plan.price,
            run_limits=run_limits,
            run_spent=run.usage,
            scan_limits=scan_limits,
            scan_spent=scan_spent,
            max_tokens=settings.CLAUDE_MAX_TOKENS,
            turns_before=run.turns,
            deadline=deadline,
            conversation_limits=conversation_limits,
            read_tools=plan.read_tools,
            thinking=settings.CLAUDE_THINKING,
        )
        run.turns += outcome.turns
        run.tool_errors += outcome.tool_errors
        run.tool_error_log.extend(outcome.tool_error_log)
        if outcome.error:
            run.error = outcome.error
            _not_reached(run, groups[number:], outcome.error)
            break
        run.sent += len(group)
        found = verified(outcome.reported, checkout, group, plan.files, run)
        found = second_check(
            client, plan.verify_model, found, plan.files.texts, run, scan_spent, deadline
        )
        for path, items in found.items():
            run.findings.setdefault(path, []).extend(items)
        if outcome.stopped:
            run.stopped = outcome.stopped  # this group is not fully reviewed: nothing closes
            _not_reached(run, groups[number:], outcome.stopped)
            break
        if outcome.incomplete:
            # Cut off, refused or over the conversation's own limits: what it reported
            # stands, but the group is not reviewed (nothing of it closes, nothing is
            # cached); the other groups still run.
            run.mark_incomplete(group, outcome.incomplete)
            continue
        settle(run, group, plan.files.blobs, found, plan.carried, cache_put)
    return run


def _not_reached(run: AgentRun, groups: list[list[str]], reason: str) -> None:
    """The files of the conversations a stopped or failed run did not finish."""
    run.skip((path for group in groups for path in group), f"not reviewed: {reason}")


def review(prepared: Prepared) -> str:
    """Run every queued agent of the scan live and record what each verified."""
    scan, client, root, files = prepared.scan, prepared.client, prepared.root, prepared.files
    already, run_limits, scan_limits = prepared.already, prepared.run_limits, prepared.scan_limits
    available = installed(team_id=scan.project.team_id)
    scan_spent = Usage()
    reviewed: set[str] = set()
    confirmed: dict[int, int] = defaultdict(int)
    claimed = [n for n, r in scan.agent_runs.items() if r.get("status") == "running"]
    deadline = Deadline(prepared.started + soft_seconds(), soft_limit_reason())
    for name in claimed:
        installed_agent = available.get(name)
        if installed_agent is None:
            save_run(scan, name, {"status": "failed", "error": "agent is not installed any more"})
            continue
        agent = installed_agent.agent
        try:
            run = run_agent(
                client,
                agent,
                root,
                files,
                already=already,
                run_limits=run_limits,
                scan_limits=scan_limits,
                scan_spent=scan_spent,
                cache_get=cache_get,
                cache_put=cache_put,
                deadline=deadline,
                conversation_limits=prepared.conversation_limits,
                change=prepared.change,
                shared=prepared.shared,
            )
        except SoftTimeLimitExceeded:
            for late in claimed[claimed.index(name) :]:
                save_run(scan, late, {"status": "failed", "error": soft_limit_reason()})
            break
        except UnknownModelError as exc:
            save_run(scan, name, {"status": "failed", "error": str(exc)})
            continue
        except Exception as exc:
            logger.exception("Claude review of scan %s by %s failed", scan.pk, name)
            save_run(
                scan, name, {"status": "failed", "error": f"internal error: {type(exc).__name__}"}
            )
            continue
        for finding_id in record_agent_run(scan, run, root):
            confirmed[finding_id] += 1
        reviewed |= run.reviewed
    finish_review(scan, reviewed, confirmed)
    return "done"
