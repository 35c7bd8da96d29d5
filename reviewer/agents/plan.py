"""What one agent sends, whichever way it is sent: the code both a live run (``live``) and a
Message Batch (``batch``) build their requests from, and settle their answers with.

For one agent and one checkout: the files its checklist is about; those whose content this
agent file and model already reviewed come from the cache; with a ``Change`` (a scan after
a reviewed commit) a changed file this agent reviewed before goes as its changed regions,
widened to the enclosing function or class, with the commit messages, and its earlier
findings outside those regions carry over; without one (a first review) files go in order
of risk. The system prompt is the agent's body, then the reporting protocol with the
repository map (and whole shared files until the cached prefix reaches the model's minimum
cacheable length). Every conversation's verified findings then go through the
verification pass (``refute``) with the cheaper model before they are kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import anthropic
from django.conf import settings

from reviewer.agents import refute
from reviewer.agents.budget import Deadline, Usage
from reviewer.agents.catalog import price_for, resolve_model
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
from reviewer.agents.loop import thinking_options
from reviewer.agents.pricing import min_cache_tokens
from reviewer.agents.protocol import system_blocks
from reviewer.agents.run import AgentRun, CachedFinding, Files, build_prompt, group_files
from reviewer.agents.subjects import files_for
from reviewer.agents.tools import lines_of, tool_schemas
from reviewer.agents.verify import locate, quote_of

PREFIX_MARGIN = 1.2  # the token estimate is rough: aim a fifth above the minimum
CacheGet = Callable[[str, str, list[str]], dict[str, list[CachedFinding]]]
CachePut = Callable[[str, str, str, list[CachedFinding]], None]


@dataclass
class Plan:
    """One agent's review of one checkout, ready to send: ``groups`` are its
    conversations (one request each in a batch)."""

    run: AgentRun
    price: dict[str, float]
    files: Files  # the agent's own files
    read_tools: tuple[str, ...]
    system: list[dict[str, Any]]
    groups: list[list[str]]
    excerpts: dict[str, str] = field(default_factory=dict)  # path -> <changes> block
    carried: dict[str, list[CachedFinding]] = field(default_factory=dict)
    commits: list[str] = field(default_factory=list)
    verify_model: str = ""  # "" = no verification pass

    @property
    def model(self) -> str:
        return self.run.model

    def prompt(self, group: list[str], already: dict[str, list[str]]) -> str:
        return build_prompt(
            self.run.agent,
            group,
            self.files,
            already,
            read_tools=bool(self.read_tools),
            excerpts=self.excerpts,
            commits=self.commits,
        )

    def params(
        self, group: list[str], already: dict[str, list[str]], max_tokens: int
    ) -> dict[str, Any]:
        """The Messages API parameters of the first (for a batch: only) request of the
        conversation about ``group``, thinking as ``CLAUDE_THINKING`` says."""
        options, max_tokens = thinking_options(settings.CLAUDE_THINKING, max_tokens)
        return {
            **options,
            "model": self.model,
            "max_tokens": max_tokens,
            "system": self.system,
            "tools": tool_schemas(self.read_tools),
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": self.prompt(group, already)}]}
            ],
        }


def plan_review(
    agent: AgentDefinition,
    files: Files,
    *,
    read_tools: tuple[str, ...],
    cache_get: CacheGet,
    change: Change | None = None,
    shared: str = "",
    withheld: Mapping[str, str] | None = None,
) -> Plan:
    """Plan ``agent``'s review of ``files`` (see the module). ``read_tools`` are the tools
    it may call (none in a batch: a batch cannot answer tool calls). A path in
    ``withheld`` that is not cached is not sent and counts as not reviewed for the reason
    given. An unknown model id (the agent's or the checker's) is refused here, before
    anything is sent."""
    model = resolve_model(agent.model)
    price = price_for(model)
    verify_model = resolve_model(settings.CLAUDE_VERIFY_MODEL or "")
    if verify_model:
        price_for(verify_model)
    run = AgentRun(agent, model)
    files = files.only(files_for(agent, files.blobs))  # its code and project files
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
    held = {p: why for p, why in (withheld or {}).items() if p in to_send}
    for path, why in held.items():
        run.skip([path], why)
    to_send = [p for p in to_send if p not in held]
    excerpts, carried = diff_context(agent, model, files, to_send, change, cache_get)
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
    return Plan(
        run,
        price,
        files,
        read_tools,
        cached_system(agent, read_tools, files, shared, price),
        groups,
        excerpts,
        carried,
        list(change.messages) if change else [],
        verify_model,
    )


def cached_system(
    agent: AgentDefinition,
    read_tools: tuple[str, ...],
    files: Files,
    shared: str,
    price: Mapping[str, float],
) -> list[dict[str, Any]]:
    """The system blocks: the cached prefix (tools + system) must reach the model's minimum
    cacheable length, or nothing of it is cached; whole shared files (models first) are
    added until it does."""
    system = system_blocks(agent, read_tools, shared)
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
    return system


def diff_context(
    agent: AgentDefinition,
    model: str,
    files: Files,
    to_send: list[str],
    change: Change | None,
    cache_get: CacheGet,
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


def carry(old: list[CachedFinding], new: list[CachedFinding]) -> list[CachedFinding]:
    """Earlier findings the new review did not report again (same line and rule or
    category)."""
    seen = {(i["line"], i.get("rule_id") or i["category"]) for i in new}
    return [i for i in old if (i["line"], i.get("rule_id") or i["category"]) not in seen]


def second_check(
    client: anthropic.Anthropic,
    model: str,
    found: dict[str, list[CachedFinding]],
    texts: Mapping[str, str],
    run: AgentRun,
    scan_spent: Usage,
    deadline: Deadline | None = None,
) -> dict[str, list[CachedFinding]]:
    """The verification pass over one conversation's verified findings (nothing when
    ``model`` is ""): refuted ones are dropped and counted, the rest keep the checker's
    confidence cap and reason. Its calls are paid at the checker's price and count against
    the run's and the scan's budgets."""
    if not model or not found:
        return found
    kept: dict[str, list[CachedFinding]] = {}
    for path, checked in refute.check(
        client, model, price_for(model), found, texts, deadline
    ).items():
        run.refuted += checked.refuted
        run.unchecked += checked.unchecked
        run.usage.merge(checked.usage)
        scan_spent.merge(checked.usage)
        if checked.kept:
            kept[path] = checked.kept
    return kept


def settle(
    run: AgentRun,
    group: Iterable[str],
    blobs: Mapping[str, str],
    found: dict[str, list[CachedFinding]],
    carried: Mapping[str, list[CachedFinding]],
    cache_put: CachePut,
) -> None:
    """The files of a conversation the model finished: reviewed, their earlier findings
    outside the changed regions carried over, and the result cached by content."""
    for path in group:
        run.reviewed.add(path)
        new = found.get(path, [])
        extra = carry(list(carried.get(path, [])), new)
        if extra:
            run.findings.setdefault(path, []).extend(extra)
        cache_put(run.agent.sha256, run.model, blobs[path], new + extra)
