"""Scheduled Claude reviews through the Message Batches API (``Project.use_batches``).

Half the price, asynchronous: each conversation becomes one batch request that must
answer in a single turn (only ``report_finding`` is offered: a batch cannot answer tool
calls). The scan's agent parts are ``batched`` until a poll finds the batch ended;
then results are verified and recorded exactly like a live run. A file whose content
changed in the checkout meanwhile is not verified against the new text: it counts as not
reviewed, so nothing closes on it. An answer that ends other than with its
``report_finding`` calls or a summary (``max_tokens``, ``refusal``, ``pause_turn``) is
incomplete: what it reported is kept, but its files are not reviewed (nothing closes,
nothing is cached) and the agent's part says why.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from decimal import Decimal
from typing import Any

import anthropic
from django.conf import settings
from django.db import transaction
from pydantic import ValidationError

from reviewer.agents.catalog import installed, price_for, resolve_model
from reviewer.agents.loop import incomplete_reason
from reviewer.agents.run import (
    AgentRun,
    Files,
    Prepared,
    build_prompt,
    cache_get,
    cache_put,
    finish_review,
    group_files,
    make_client,
    record_agent_run,
    verified,
)
from reviewer.agents.tools import Checkout, ReportedFinding, tool_schemas
from reviewer.models import Scan

logger = logging.getLogger(__name__)
BATCH_DISCOUNT = Decimal("0.5")
BATCH_FINISHED = ("end_turn", "tool_use")


def _batch_price(model: str) -> dict[str, float]:
    return {k: float(Decimal(str(v)) * BATCH_DISCOUNT) for k, v in price_for(model).items()}


def submit_batch(prepared: Prepared) -> str:
    """Send one batch with every uncached conversation of every queued agent; "batched"
    when one was sent (the caller schedules its poll)."""
    scan, client, files, already = prepared.scan, prepared.client, prepared.files, prepared.already
    run_limits, scan_limits = prepared.run_limits, prepared.scan_limits
    available = installed(team_id=scan.project.team_id)
    requests: list[dict[str, Any]] = []
    report_tool = [t for t in tool_schemas() if t["name"] == "report_finding"]
    scan_estimate = 0
    for name in list(scan.agent_runs):
        if name not in available:
            scan.agent_runs[name] = {"status": "failed", "error": "agent is not installed any more"}
            continue
        agent = available[name].agent
        model = resolve_model(agent.model)
        cached = cache_get(agent.sha256, model, sorted(set(files.blobs.values())))
        to_send = [p for p in sorted(files.texts) if files.blobs[p] not in cached]
        groups, _ = group_files(to_send, files, settings.CLAUDE_CONVERSATION_CHARS)
        entry: dict[str, Any] = {"status": "batched", "model": model, "groups": {}}
        run_estimate = 0
        for group in groups:
            prompt = build_prompt(agent, group, files, already, read_tools=False)
            estimate = (len(prompt) + len(agent.body)) // 4  # rough tokens, before sending
            over_run = run_limits.max_input_tokens and (
                run_estimate + estimate > run_limits.max_input_tokens
            )
            over_scan = scan_limits.max_input_tokens and (
                scan_estimate + estimate > scan_limits.max_input_tokens
            )
            if over_run or over_scan:
                entry["stopped"] = "input token budget reached (estimated before batching)"
                break
            run_estimate += estimate
            scan_estimate += estimate
            custom_id = f"a{len(requests)}"
            entry["groups"][custom_id] = {p: files.blobs[p] for p in group}
            requests.append(
                {
                    "custom_id": custom_id,
                    "params": {
                        "model": model,
                        "max_tokens": settings.CLAUDE_MAX_TOKENS,
                        "system": [
                            {
                                "type": "text",
                                "text": agent.body,
                                "cache_control": {"type": "ephemeral"},
                            }
                        ],
                        "tools": report_tool,
                        "messages": [{"role": "user", "content": prompt}],
                    },
                }
            )
        scan.agent_runs[name] = entry
    if requests:
        try:
            batch = client.messages.batches.create(requests=requests)  # type: ignore[arg-type]
        except anthropic.APIError as exc:
            error = f"Claude batch could not be created: {type(exc).__name__}"
            for name, entry in scan.agent_runs.items():
                if entry.get("status") == "batched":
                    scan.agent_runs[name] = {"status": "failed", "error": error}
            Scan.objects.filter(pk=scan.pk).update(agent_runs=scan.agent_runs)
            return "failed"
        for entry in scan.agent_runs.values():
            if entry.get("status") == "batched":
                entry["batch_id"] = batch.id
    Scan.objects.filter(pk=scan.pk).update(agent_runs=scan.agent_runs)
    if requests:
        return "batched"
    return collect_batch(scan.pk)  # everything came from the cache


def _claim_batched(scan_id: int) -> Scan | None:
    with transaction.atomic():
        scan = Scan.objects.select_for_update().select_related("project").filter(pk=scan_id).first()
        if scan is None or not any(r.get("status") == "batched" for r in scan.agent_runs.values()):
            return None
        return scan


def poll_batch(scan_id: int) -> str:
    """Collect the batch if it ended; "waiting" when it is still processing."""
    scan = _claim_batched(scan_id)
    if scan is None:
        return "nothing batched"
    batch_ids = {r.get("batch_id") for r in scan.agent_runs.values() if r.get("batch_id")}
    client = make_client()
    for batch_id in batch_ids:
        try:
            batch = client.messages.batches.retrieve(str(batch_id))
        except anthropic.APIError as exc:
            logger.warning("batch %s of scan %s: %s", batch_id, scan_id, type(exc).__name__)
            return "waiting"
        if batch.processing_status != "ended":
            return "waiting"
    return collect_batch(scan_id, client)


def collect_batch(scan_id: int, client: anthropic.Anthropic | None = None) -> str:
    with transaction.atomic():
        scan = Scan.objects.select_for_update().select_related("project").get(pk=scan_id)
        entries = {n: r for n, r in scan.agent_runs.items() if r.get("status") == "batched"}
        if not entries:
            return "nothing batched"
        for name in entries:
            scan.agent_runs[name] = {**entries[name], "status": "collecting"}
        Scan.objects.filter(pk=scan.pk).update(agent_runs=scan.agent_runs)
    root = scan.project.checkout_dir
    files = Files.read(root, settings.REVIEWDECK_MAX_FILE_BYTES)
    checkout = Checkout(root, settings.REVIEWDECK_MAX_FILE_BYTES)
    results: dict[str, Any] = {}
    batch_ids = {r.get("batch_id") for r in entries.values() if r.get("batch_id")}
    client = client or make_client()
    for batch_id in batch_ids:
        try:
            for item in client.messages.batches.results(str(batch_id)):
                results[item.custom_id] = item.result
        except anthropic.APIError as exc:
            for name in entries:
                scan.agent_runs[name] = {"status": "failed", "error": f"batch results: {exc}"}
            Scan.objects.filter(pk=scan.pk).update(agent_runs=scan.agent_runs)
            return "failed"
    available = installed(team_id=scan.project.team_id)
    reviewed: set[str] = set()
    confirmed: dict[int, int] = defaultdict(int)
    for name, entry in entries.items():
        if name not in available:
            scan.agent_runs[name] = {"status": "failed", "error": "agent is not installed any more"}
            continue
        agent = available[name].agent
        run = AgentRun(agent, resolve_model(agent.model))
        run.stopped = str(entry.get("stopped", ""))
        price = _batch_price(run.model)
        sent_paths = {p for group in entry["groups"].values() for p in group}
        cached = cache_get(agent.sha256, run.model, sorted(set(files.blobs.values())))
        for path in files.texts:
            if path not in sent_paths and files.blobs[path] in cached:
                run.cached += 1
                run.reviewed.add(path)
                if cached[files.blobs[path]]:
                    run.findings[path] = list(cached[files.blobs[path]])
        for custom_id, group in entry["groups"].items():
            result = results.get(custom_id)
            if result is None or result.type != "succeeded":
                kind = result.type if result is not None else "missing"
                run.error = f"batch request {custom_id} {kind}"
                continue
            message = result.message
            run.usage.add_response(message.usage, price)
            run.turns += 1
            run.sent += len(group)
            unchanged = [p for p, blob in group.items() if files.blobs.get(p) == blob]
            # One answer is the whole review: it ends with its report_finding calls
            # (tool_use) or with a summary (end_turn); anything else is cut off or refused.
            finished = message.stop_reason in BATCH_FINISHED
            reported = []
            for block in message.content:
                if block.type != "tool_use" or block.name != "report_finding":
                    continue
                try:
                    reported.append(ReportedFinding.model_validate(block.input))
                except ValidationError:
                    run.rejected += 1
                    run.rejections.append("malformed report_finding input")
            found = verified(reported, checkout, unchanged, files, run)
            for path, items in found.items():
                run.findings.setdefault(path, []).extend(items)
            if not finished:
                run.mark_incomplete(len(group), incomplete_reason(message.stop_reason))
                continue  # what it reported stands; nothing of the group closes or is cached
            for path in unchanged:
                run.reviewed.add(path)
                cache_put(agent.sha256, run.model, files.blobs[path], found.get(path, []))
        for finding_id in record_agent_run(scan, run):
            confirmed[finding_id] += 1
        scan.agent_runs[name]["batch_id"] = entry.get("batch_id", "")
        Scan.objects.filter(pk=scan.pk).update(agent_runs=scan.agent_runs)
        reviewed |= run.reviewed
    finish_review(scan, reviewed, confirmed)
    return "done"
