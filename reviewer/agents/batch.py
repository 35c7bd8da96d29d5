"""Scheduled Claude reviews through the Message Batches API (``Project.use_batches``).

Half the price, asynchronous: each conversation becomes one batch request that must
answer in a single turn (only ``report_finding`` is offered: a batch cannot answer tool
calls). Apart from that, a request is built by the same code as a live run's first one
(``plan.py``): the agent's files, cached files left out, a changed file it reviewed before
as its changed regions with the commit messages, the repository map in the cached system
prompt. The scan's agent parts are ``batched`` until a poll finds the batch ended; then
results are checked and recorded exactly like a live run, verification pass included.

The verification pass runs live (at the checker's normal price) when the results arrive,
not as a second batch: its calls are short (one finding and its function, a one-line
verdict) on the cheaper model, a small fraction of the review's cost, and a second batch
would hold the findings back for up to another day and need a second poll cycle. It is
skipped (findings kept, marked "not checked") once the run or scan budget is spent.

A file whose content changed in the checkout meanwhile is not verified against the new
text: it counts as not reviewed, so nothing closes on it. An answer that ends other than
with its ``report_finding`` calls or a summary (``max_tokens``, ``refusal``,
``pause_turn``) is incomplete: what it reported is kept, but its files are not reviewed
(nothing closes, nothing is cached) and the agent's part says why.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import anthropic
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from reviewer import checkouts, git
from reviewer.agents import recovery
from reviewer.agents.budget import Limits, Usage, estimate_cost
from reviewer.agents.catalog import installed, price_for, resolve_model
from reviewer.agents.loop import incomplete_reason
from reviewer.agents.plan import plan_review, second_check, settle
from reviewer.agents.pricing import UnknownModelError, batch_prices
from reviewer.agents.run import (
    AgentRun,
    CachedFinding,
    Files,
    Prepared,
    cache_get,
    cache_put,
    finish_review,
    make_client,
    record_agent_run,
    verified,
)
from reviewer.agents.subjects import files_for
from reviewer.agents.tools import Checkout, ReportedFinding
from reviewer.models import Scan

logger = logging.getLogger(__name__)
BATCH_DISCOUNT = Decimal("0.5")
BATCH_FINISHED = ("end_turn", "tool_use")


def _batch_price(model: str) -> dict[str, float]:
    return batch_prices(price_for(model))


def pending_elsewhere(scan: Scan) -> dict[tuple[str, str], str]:
    """(agent name, blob) -> batch id of what other scans of the project already sent in
    a batch that has not been collected: an overlapping scan does not send it again."""
    pending: dict[tuple[str, str], str] = {}
    # A batch older than CLAUDE_BATCH_EXPIRE_HOURS is failed by its poll: only recent
    # scans can still wait for one.
    since = timezone.now() - timedelta(hours=settings.CLAUDE_BATCH_EXPIRE_HOURS + 1)
    others = Scan.objects.filter(project_id=scan.project_id, created_at__gte=since)
    others = others.exclude(pk=scan.pk).exclude(agent_runs={})
    for runs in others.values_list("agent_runs", flat=True):
        for name, entry in (runs or {}).items():
            if not isinstance(entry, dict) or entry.get("status") not in ("batched", "collecting"):
                continue
            for group in (entry.get("groups") or {}).values():
                for blob in group.values():
                    pending[(name, blob)] = str(entry.get("batch_id", ""))
    return pending


@dataclass
class Estimate:
    """What the requests sent so far may cost at most (batch prices)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: Decimal = Decimal(0)

    def plus(self, input_tokens: int, output_tokens: int, price: dict[str, float]) -> Estimate:
        # At most: every input token written to the cache (1.25x input) when that costs
        # more, and a prompt-length tier applies to the whole request.
        written = price.get("cache_write", 0) > price.get("input", 0)
        usage = Usage(
            input_tokens=0 if written else input_tokens,
            cache_write_tokens=input_tokens if written else 0,
            output_tokens=output_tokens,
        )
        cost = estimate_cost(usage, price)
        return Estimate(
            self.input_tokens + input_tokens,
            self.output_tokens + output_tokens,
            self.cost_usd + cost,
        )

    def over(self, limits: Limits) -> str:
        if limits.max_input_tokens and self.input_tokens > limits.max_input_tokens:
            return f"input token budget ({limits.max_input_tokens})"
        if limits.max_output_tokens and self.output_tokens > limits.max_output_tokens:
            return f"output token budget ({limits.max_output_tokens})"
        if limits.max_cost_usd and self.cost_usd > limits.max_cost_usd:
            return f"cost budget (${limits.max_cost_usd})"
        return ""


def estimate_tokens(text: str) -> int:
    """A deliberately high token estimate of a prompt (about 3 characters a token)."""
    return len(text) // 3 + 50


class TokenCounter:
    """Input tokens of a request as the API counts them (``POST /v1/messages/count_tokens``,
    free); when counting fails (an old server, a rate limit) the high estimate instead, and
    the counter stops asking."""

    COUNTED = ("model", "system", "tools", "messages", "thinking")

    def __init__(self, client: anthropic.Anthropic) -> None:
        self.client = client.with_options(max_retries=0)  # a failure falls back at once
        self.failed = ""
        self.counted = 0

    def count(self, params: dict[str, Any]) -> int:
        if not self.failed:
            try:
                answer = self.client.messages.count_tokens(
                    **{k: v for k, v in params.items() if k in self.COUNTED}
                )
            except anthropic.APIError as exc:
                self.failed = type(exc).__name__
                logger.warning("count_tokens failed (%s): estimating instead", self.failed)
            else:
                self.counted += 1
                return int(answer.input_tokens)
        return estimate_tokens(json.dumps(params))

    @property
    def method(self) -> str:
        if not self.failed:
            return "count_tokens"
        return f"estimate (count_tokens failed: {self.failed})"


def submit_batch(prepared: Prepared) -> str:
    """Send one batch with every uncached conversation of every claimed agent; "batched"
    when one was sent (the caller schedules its poll).

    Each request is what the live path would send first (``plan.py``: the same files,
    diff context, repository map and system prompt), offering only ``report_finding``.
    Budgets hold before sending: each request is counted with ``count_tokens`` (a high
    estimate when that fails) plus its full ``max_tokens`` of output, at batch prices
    (the input at the cache-write rate, the most it can cost); a
    request that would pass the run's or the scan's budget is not sent (the agent's part
    says so), nor one over the conversation's input budget. Files another scan of the
    project already sent in a batch not yet collected are not sent again."""
    scan, client, files, already = prepared.scan, prepared.client, prepared.files, prepared.already
    run_limits, scan_limits = prepared.run_limits, prepared.scan_limits
    per_request = prepared.conversation_limits.max_input_tokens
    available = installed(team_id=scan.project.team_id)
    requests: list[dict[str, Any]] = []
    scan_estimate = Estimate()
    pending = pending_elsewhere(scan)
    counter = TokenCounter(client)
    claimed = [n for n, r in scan.agent_runs.items() if r.get("status") == "running"]
    for name in claimed:
        if name not in available:
            scan.agent_runs[name] = {"status": "failed", "error": "agent is not installed any more"}
            continue
        withheld = {
            path: f"already sent in batch {pending[(name, blob)]}"
            for path, blob in files.blobs.items()
            if (name, blob) in pending
        }
        try:
            plan = plan_review(
                available[name].agent,
                files,
                read_tools=(),  # a batch cannot answer tool calls
                cache_get=cache_get,
                change=prepared.change,
                shared=prepared.shared,
                withheld=withheld,
            )
        except UnknownModelError as exc:
            scan.agent_runs[name] = {"status": "failed", "error": str(exc)}
            continue
        price = batch_prices(plan.price)
        not_reviewed = dict(plan.run.not_reviewed)
        entry: dict[str, Any] = {
            "status": "batched",
            "model": plan.model,
            "verify_model": plan.verify_model,
            "coverage": plan.run.coverage,
            "groups": {},
            "carried": {},
            "submitted_at": timezone.now().isoformat(),
            "not_reviewed": not_reviewed,
        }
        elsewhere = [p for p in withheld if p in not_reviewed]
        if elsewhere:
            batch_ids = sorted({pending[(name, files.blobs[p])] for p in elsewhere})
            entry["pending_elsewhere"] = (
                f"{len(elsewhere)} file(s) already sent in batch {', '.join(batch_ids)} "
                "of an earlier scan: not sent again"
            )
        run_estimate = Estimate()
        for number, group in enumerate(plan.groups):
            params = plan.params(group, already, settings.CLAUDE_MAX_TOKENS)
            tokens = counter.count(params)
            if per_request and tokens > per_request:
                for path in group:
                    not_reviewed[path] = (
                        f"not sent: {tokens} input tokens, over the conversation input "
                        f"token budget ({per_request})"
                    )
                continue
            run_next = run_estimate.plus(tokens, params["max_tokens"], price)
            scan_next = scan_estimate.plus(tokens, params["max_tokens"], price)
            over = run_next.over(run_limits) or scan_next.over(scan_limits)
            if over:
                entry["stopped"] = f"{over} reached (estimated before batching)"
                for path in (p for rest in plan.groups[number:] for p in rest):
                    not_reviewed[path] = f"not sent: {entry['stopped']}"
                break
            run_estimate, scan_estimate = run_next, scan_next
            custom_id = f"a{len(requests)}"
            entry["groups"][custom_id] = {p: files.blobs[p] for p in group}
            entry["carried"].update({p: plan.carried[p] for p in group if p in plan.carried})
            requests.append({"custom_id": custom_id, "params": params})
        entry["expected"] = {
            "input_tokens": run_estimate.input_tokens,
            "counted_by": counter.method,
            "cost_usd": str(run_estimate.cost_usd.quantize(Decimal("0.0001"))),
        }
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
    """Collect the batch if it ended; "waiting" while it is processing. A batch the API
    does not know (404) fails the parts with that reason; one older than
    ``CLAUDE_BATCH_EXPIRE_HOURS`` expires: polling never goes on for ever."""
    scan = _claim_batched(scan_id)
    if scan is None:
        return "nothing batched"
    batched = {n: r for n, r in scan.agent_runs.items() if r.get("status") == "batched"}
    batch_ids = {r.get("batch_id") for r in batched.values() if r.get("batch_id")}
    client = make_client()
    for batch_id in sorted(str(b) for b in batch_ids):
        try:
            batch = client.messages.batches.retrieve(batch_id)
        except anthropic.NotFoundError:
            return fail_batched(scan_id, f"The Claude API does not know batch {batch_id} (404)")
        except anthropic.APIError as exc:
            logger.warning("batch %s of scan %s: %s", batch_id, scan_id, type(exc).__name__)
            return expire_if_old(scan_id) or "waiting"
        if batch.processing_status != "ended":
            return expire_if_old(scan_id) or "waiting"
    return collect_batch(scan_id, client)


def expire_if_old(scan_id: int, now: datetime | None = None) -> str:
    """Fail the scan's batched parts submitted more than ``CLAUDE_BATCH_EXPIRE_HOURS``
    ago; returns "failed" when it did, "" otherwise."""
    now = now or timezone.now()
    hours = settings.CLAUDE_BATCH_EXPIRE_HOURS
    runs = Scan.objects.filter(pk=scan_id).values_list("agent_runs", flat=True).first() or {}
    for entry in runs.values():
        submitted = entry.get("submitted_at") if isinstance(entry, dict) else None
        old = isinstance(submitted, str) and (
            datetime.fromisoformat(submitted) < now - timedelta(hours=hours)
        )
        if old and entry.get("status") == "batched":
            return fail_batched(scan_id, f"The batch had no result after {hours} h: expired")
    return ""


def fail_batched(scan_id: int, reason: str) -> str:
    """Fail the scan's batched parts with ``reason``; nothing closes, the next scan of the
    head reviews again."""
    with transaction.atomic():
        scan = Scan.objects.select_for_update().filter(pk=scan_id).first()
        if scan is None:
            return "nothing batched"
        for name, entry in scan.agent_runs.items():
            if entry.get("status") == "batched":
                logger.warning("Claude batch of scan %s (%s): %s", scan_id, name, reason)
                scan.agent_runs[name] = {
                    "status": "failed",
                    "error": reason,
                    "batch_id": entry.get("batch_id", ""),
                }
        Scan.objects.filter(pk=scan_id).update(agent_runs=scan.agent_runs, agents_hash="")
    return "failed"


def collect_batch(scan_id: int, client: anthropic.Anthropic | None = None) -> str:
    with transaction.atomic():
        scan = Scan.objects.select_for_update().select_related("project").get(pk=scan_id)
        entries = {n: r for n, r in scan.agent_runs.items() if r.get("status") == "batched"}
        if not entries:
            return "nothing batched"
        for name in entries:
            kept = {k: v for k, v in entries[name].items() if k != "status"}
            scan.agent_runs[name] = recovery.claimed_entry("collecting", **kept)
        Scan.objects.filter(pk=scan.pk).update(
            agent_runs=scan.agent_runs, agents_heartbeat_at=timezone.now()
        )
    with recovery.agents_heartbeat(scan.pk):
        return _collect(scan, entries, client)


def _collect(scan: Scan, entries: dict[str, Any], client: anthropic.Anthropic | None) -> str:
    try:  # the files of the scan's commit, whichever machine collects the batch
        root = checkouts.commit_tree(scan.project, scan.commit_sha)
    except git.RepoError as exc:
        for name in entries:
            scan.agent_runs[name] = {"status": "failed", "error": f"reading the commit: {exc}"}
        Scan.objects.filter(pk=scan.pk).update(agent_runs=scan.agent_runs)
        return "failed"
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
    budget = scan.project.budget if isinstance(scan.project.budget, dict) else {}
    try:
        run_limits = Limits.from_mapping(settings.CLAUDE_RUN_BUDGET, budget.get("run"))
        scan_limits = Limits.from_mapping(settings.CLAUDE_SCAN_BUDGET, budget.get("scan"))
    except ValueError:
        run_limits = scan_limits = Limits()  # checked before submitting already
    scan_spent = Usage()
    reviewed: set[str] = set()
    confirmed: dict[int, int] = defaultdict(int)
    for name, entry in entries.items():
        if name not in available:
            scan.agent_runs[name] = {"status": "failed", "error": "agent is not installed any more"}
            continue
        agent = available[name].agent
        run = AgentRun(agent, str(entry.get("model") or resolve_model(agent.model)))
        run.coverage = str(entry.get("coverage", ""))
        run.stopped = str(entry.get("stopped", ""))
        if entry.get("pending_elsewhere"):
            run.incomplete = str(entry["pending_elsewhere"])
        for path, why in (entry.get("not_reviewed") or {}).items():
            run.skip([path], str(why))
        price = _batch_price(run.model)
        verify_model = str(entry.get("verify_model", ""))
        carried = entry.get("carried") or {}
        sent_paths = {p for group in entry["groups"].values() for p in group}
        cached = cache_get(agent.sha256, run.model, sorted(set(files.blobs.values())))
        mine = set(files_for(agent, files.blobs))
        for path in files.texts:
            if path in mine and path not in sent_paths and files.blobs[path] in cached:
                run.cached += 1
                run.reviewed.add(path)
                if cached[files.blobs[path]]:
                    run.findings[path] = list(cached[files.blobs[path]])
        for custom_id, group in entry["groups"].items():
            result = results.get(custom_id)
            if result is None or result.type != "succeeded":
                kind = result.type if result is not None else "missing"
                run.error = f"batch request {custom_id} {kind}"
                run.skip(group, f"not reviewed: {run.error}")
                continue
            message = result.message
            scan_spent.merge(run.usage.add_response(message.usage, price))
            run.turns += 1
            run.sent += len(group)
            unchanged = [p for p, blob in group.items() if files.blobs.get(p) == blob]
            run.skip(
                (p for p in group if p not in unchanged),
                "changed in the checkout after the batch was sent",
            )
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
            over = run_limits.exceeded(run.usage) or scan_limits.exceeded(scan_spent)
            if over and verify_model:
                found = _unchecked(found, run, over)  # no more spending past the budget
            else:
                try:
                    found = second_check(client, verify_model, found, files.texts, run, scan_spent)
                except UnknownModelError as exc:  # the setting changed since submitting
                    found = _unchecked(found, run, str(exc))
            for path, items in found.items():
                run.findings.setdefault(path, []).extend(items)
            if not finished:
                run.mark_incomplete(list(group), incomplete_reason(message.stop_reason))
                continue  # what it reported stands; nothing of the group closes or is cached
            settle(run, unchanged, files.blobs, found, carried, cache_put)
        # Paid for already, so recorded; but a run over its budget does not say succeeded.
        over = run_limits.exceeded(run.usage) or scan_limits.exceeded(scan_spent)
        if over and not run.stopped:
            run.stopped = f"{over} when the batch results arrived"
        for finding_id in record_agent_run(scan, run, root):
            confirmed[finding_id] += 1
        scan.agent_runs[name]["batch_id"] = entry.get("batch_id", "")
        Scan.objects.filter(pk=scan.pk).update(agent_runs=scan.agent_runs)
        reviewed |= run.reviewed
    finish_review(scan, reviewed, confirmed)
    return "done"


def _unchecked(
    found: dict[str, list[CachedFinding]], run: AgentRun, reason: str
) -> dict[str, list[CachedFinding]]:
    """Findings kept without the verification pass, because the budget ran out."""
    run.unchecked += sum(len(items) for items in found.values())
    note = f"not checked ({reason})"[:300]
    return {
        path: [{**item, "verification": note} for item in items] for path, items in found.items()
    }
