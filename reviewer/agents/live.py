"""A live Claude run: conversations with tools, one agent after another, within budgets."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import anthropic
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from reviewer.agents import refute
from reviewer.agents.budget import Deadline, Limits, Usage
from reviewer.agents.catalog import installed, price_for, resolve_model
from reviewer.agents.context import (
    Change,
    by_risk,
    coverage,
    estimate_tokens,
    excerpt_block,
    regions,
    shared_files,
)
from reviewer.agents.definition import AgentDefinition
from reviewer.agents.loop import converse
from reviewer.agents.pricing import UnknownModelError, min_cache_tokens
from reviewer.agents.protocol import system_blocks
from reviewer.agents.run import (
    AgentRun,
    CachedFinding,
    Files,
    Prepared,
    build_prompt,
    cache_get,
    cache_put,
    finish_review,
    group_files,
    record_agent_run,
    save_run,
    soft_limit_reason,
    soft_seconds,
    verified,
)
from reviewer.agents.subjects import files_for
from reviewer.agents.tools import Checkout, lines_of, read_tools_for, tool_schemas
from reviewer.agents.verify import locate, quote_of

logger = logging.getLogger(__name__)
PREFIX_MARGIN = 1.2  # the token estimate is rough: aim a fifth above the minimum


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
    cache_get: Callable[[str, str, list[str]], dict[str, list[CachedFinding]]],
    cache_put: Callable[[str, str, str, list[CachedFinding]], None],
    deadline: Deadline | None = None,
    conversation_limits: Limits | None = None,
    change: Change | None = None,
    shared: str = "",
) -> AgentRun:
    """Review ``files`` with one agent (Django-free apart from the cache callbacks).

    With ``change`` (a scan after a reviewed commit), a changed file this agent reviewed
    before is sent as its changed regions (widened to the enclosing function or class) with
    the commit messages; its earlier findings outside those regions carry over when their
    code is still there. Without it (a first review), files go in order of risk.
    ``shared`` (the repository map) ends the cached system prompt."""
    model = resolve_model(agent.model)
    price = price_for(model)  # an unknown model id is refused before anything is sent
    run = AgentRun(agent, model)
    files = files.only(files_for(agent, files.blobs))  # its code and project files
    checkout = Checkout(root, settings.REVIEWDECK_MAX_FILE_BYTES)
    cached = cache_get(agent.sha256, model, sorted(set(files.blobs.values())))
    to_send = []
    for path in sorted(files.texts):
        hit = cached.get(files.blobs[path])
        if hit is None:
            to_send.append(path)
            continue
        run.cached += 1
        run.reviewed.add(path)
        if hit:
            run.findings[path] = list(hit)
    excerpts, carried = _diff_context(agent, model, root, files, to_send, change, cache_get)
    if change is None:
        to_send = by_risk(to_send, files.texts)
        run.coverage = f"first review in order of risk ({coverage(to_send, files.texts)})"
    else:
        run.coverage = (
            f"changes since {change.base[:12]}: {len(excerpts)} file(s) as changed regions, "
            f"{len(to_send) - len(excerpts)} whole"
        )
    groups, too_large = group_files(to_send, files, settings.CLAUDE_CONVERSATION_CHARS)
    run.skip(
        too_large,
        f"too large for one conversation (CLAUDE_CONVERSATION_CHARS "
        f"{settings.CLAUDE_CONVERSATION_CHARS})",
    )
    verify_model = resolve_model(settings.CLAUDE_VERIFY_MODEL or "")
    if verify_model:
        price_for(verify_model)  # an unknown checker model is refused up front too
    read_tools = read_tools_for(agent.tools)
    system = system_blocks(agent, read_tools, shared)
    # The cached prefix (tools + system) must reach the model's minimum, or nothing of it
    # is cached: add whole shared files (models first) until it does.
    prefix = estimate_tokens(json.dumps(tool_schemas(read_tools))) + sum(
        estimate_tokens(block["text"]) for block in system
    )
    floor = min_cache_tokens(price)
    if prefix < floor * PREFIX_MARGIN:
        extra = shared_files(
            files.texts,
            files.blobs,
            int(floor * PREFIX_MARGIN) - prefix,
            cap_tokens=3 * floor,
        )
        if extra:
            system = system_blocks(agent, read_tools, f"{shared}\n\n{extra}".strip())
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
            model=model,
            system=system,
            user_text=build_prompt(
                agent,
                group,
                files,
                already,
                read_tools=bool(read_tools),
                excerpts=excerpts,
                commits=change.messages if change else (),
            ),
            checkout=checkout,
            price=price,
            run_limits=run_limits,
            run_spent=run.usage,
            scan_limits=scan_limits,
            scan_spent=scan_spent,
            max_tokens=settings.CLAUDE_MAX_TOKENS,
            turns_before=run.turns,
            deadline=deadline,
            conversation_limits=conversation_limits,
            read_tools=read_tools,
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
        found = verified(outcome.reported, checkout, group, files, run)
        if verify_model:
            found = _second_check(client, verify_model, found, files, run, scan_spent)
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
        for path in group:
            run.reviewed.add(path)
            kept = found.get(path, []) + _carry(carried.get(path, []), found.get(path, []))
            if len(kept) > len(found.get(path, [])):
                run.findings.setdefault(path, []).extend(kept[len(found.get(path, [])) :])
            cache_put(agent.sha256, model, files.blobs[path], kept)
    return run


def _diff_context(
    agent: AgentDefinition,
    model: str,
    root: Path,
    files: Files,
    to_send: list[str],
    change: Change | None,
    cache_get: Callable[[str, str, list[str]], dict[str, list[CachedFinding]]],
) -> tuple[dict[str, str], dict[str, list[CachedFinding]]]:
    """The changed regions of the files this agent reviewed at ``change.base`` (path ->
    ``<changes>`` block) and their earlier findings that lie outside those regions, moved to
    where their quoted line is now."""
    if change is None:
        return {}, {}
    candidates = [p for p in to_send if change.lines.get(p) and p in change.old_blobs]
    if not candidates:
        return {}, {}
    old_blobs = change.old_blobs
    before = cache_get(agent.sha256, model, sorted(set(old_blobs.values())))
    excerpts: dict[str, str] = {}
    carried: dict[str, list[CachedFinding]] = {}
    for path in candidates:
        old = before.get(old_blobs.get(path, ""))
        if old is None:
            continue  # never reviewed by this agent: the whole file goes
        text = files.texts[path]
        spans = regions(path, text, change.lines[path])
        if not spans:
            continue
        excerpts[path] = excerpt_block(path, text, spans)
        lines = lines_of(text)
        for item in old:
            quote = quote_of(str(item.get("snippet", "")))
            line = locate(lines, int(item["line"]), quote) if quote else None
            if line is not None and not any(s <= line <= e for s, e in spans):
                carried.setdefault(path, []).append({**item, "line": line})
    return excerpts, carried


def _carry(old: list[CachedFinding], new: list[CachedFinding]) -> list[CachedFinding]:
    """Earlier findings the new review did not report again (same line and rule or
    category)."""
    seen = {(i["line"], i.get("rule_id") or i["category"]) for i in new}
    return [i for i in old if (i["line"], i.get("rule_id") or i["category"]) not in seen]


def _not_reached(run: AgentRun, groups: list[list[str]], reason: str) -> None:
    """The files of the conversations a stopped or failed run did not finish."""
    run.skip((path for group in groups for path in group), f"not reviewed: {reason}")


def _second_check(
    client: anthropic.Anthropic,
    model: str,
    found: dict[str, list[CachedFinding]],
    files: Files,
    run: AgentRun,
    scan_spent: Usage,
) -> dict[str, list[CachedFinding]]:
    """The verification pass over one conversation's verified findings: refuted ones are
    dropped and counted, the rest keep the checker's confidence cap and reason."""
    kept: dict[str, list[CachedFinding]] = {}
    for path, checked in refute.check(client, model, price_for(model), found, files.texts).items():
        run.refuted += checked.refuted
        run.unchecked += checked.unchecked
        run.usage.merge(checked.usage)
        scan_spent.merge(checked.usage)
        if checked.kept:
            kept[path] = checked.kept
    return kept


def review(prepared: Prepared) -> str:
    """Run every queued agent of the scan live and record what each verified."""
    scan, client, root, files = prepared.scan, prepared.client, prepared.root, prepared.files
    already, run_limits, scan_limits = prepared.already, prepared.run_limits, prepared.scan_limits
    available = installed(team_id=scan.project.team_id)
    scan_spent = Usage()
    reviewed: set[str] = set()
    confirmed: dict[int, int] = defaultdict(int)
    claimed = [n for n, r in scan.agent_runs.items() if r.get("status") == "running"]
    deadline = Deadline.after(soft_seconds(), soft_limit_reason())
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
