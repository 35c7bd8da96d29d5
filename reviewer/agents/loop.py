"""One Claude conversation: the agent's prompt, the files to review, a read-only tool loop.

The model may call the checkout tools and ``report_finding`` as often as the limits allow.
Malformed tool input is answered with a tool error (the model corrects itself); nothing the
model says is executed. Reported findings are collected as validated data and verified by
the caller. Django-free: the caller passes an ``anthropic.Anthropic`` client.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import anthropic
from pydantic import ValidationError

from reviewer.agents.budget import Deadline, Limits, Usage
from reviewer.agents.tools import (
    READ_TOOLS,
    Checkout,
    ReportedFinding,
    ToolError,
    describe_validation,
    tool_schemas,
)

logger = logging.getLogger(__name__)
MAX_TOOL_RESULT_CHARS = 60_000
MAX_FINDINGS_PER_CONVERSATION = 200
MAX_TOOL_ERRORS_KEPT = 20


@dataclass
class Outcome:
    reported: list[ReportedFinding] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    turns: int = 0
    tool_errors: int = 0
    tool_error_log: list[str] = field(default_factory=list)  # the first few, for reports
    stopped: str = ""  # why the loop stopped early (a budget), "" when the model finished
    error: str = ""  # an API failure after the SDK's retries
    incomplete: str = ""  # the model's answer ended without it saying it was done

    @property
    def finished(self) -> bool:
        """The model said it was done: only then is the conversation's review complete."""
        return not (self.stopped or self.error or self.incomplete)


def incomplete_reason(stop_reason: str | None) -> str:
    """Why an answer that ended with ``stop_reason`` is not a finished review."""
    if stop_reason == "max_tokens":
        return "answer cut off at the output token limit (max_tokens)"
    if stop_reason == "refusal":
        return "the model declined to answer (refusal)"
    if stop_reason == "pause_turn":
        return "the model paused its turn and it could not be continued (pause_turn)"
    if stop_reason == "tool_use":
        return "the model asked for a tool without calling one (tool_use)"
    return f"the answer ended without the model saying it was done ({stop_reason or 'none'})"


def converse(
    client: anthropic.Anthropic,
    *,
    model: str,
    system: list[dict[str, Any]],
    user_text: str,
    checkout: Checkout,
    price: dict[str, float],
    run_limits: Limits,
    run_spent: Usage,
    scan_limits: Limits,
    scan_spent: Usage,
    max_tokens: int,
    turns_before: int = 0,
    deadline: Deadline | None = None,
    conversation_limits: Limits | None = None,
    read_tools: tuple[str, ...] = READ_TOOLS,
    thinking: str = "",
) -> Outcome:
    """Talk to the model until it says it is done (``end_turn``), a limit is hit, the
    answer ends any other way (``max_tokens``, ``refusal``: ``Outcome.incomplete``), or
    the API fails. A ``pause_turn`` is continued: the paused answer is sent back as is.

    With a ``deadline`` (the task's soft time limit) no request starts after it and none
    waits beyond it: the conversation stops with the deadline's reason, not as an API
    failure. ``run_spent``/``scan_spent`` are updated in place as responses arrive, so the
    next conversation of the same run or scan sees what this one used.

    ``system`` is a list of blocks (the agent's body, then the protocol block that ends the
    cached prefix). Each request also marks its last message as a cache breakpoint, so the
    next turn reads the whole conversation so far from the cache. ``thinking`` is
    "" (the model's default), "adaptive" or a token budget; thinking blocks are sent back
    exactly as received, as the API requires in a tool loop.
    """
    outcome = Outcome()
    tools = tool_schemas(read_tools)
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": [{"type": "text", "text": user_text}]}
    ]
    while True:
        reason = run_limits.exceeded(
            run_spent, turns_before + outcome.turns
        ) or scan_limits.exceeded(scan_spent)
        if not reason and deadline is not None and deadline.passed():
            reason = deadline.reason
        if reason:
            outcome.stopped = reason
            return outcome
        own = (
            conversation_limits.exceeded(outcome.usage, outcome.turns)
            if conversation_limits
            else None
        )
        if own:
            outcome.incomplete = f"conversation {own}"
            return outcome
        options: dict[str, Any] = {}
        answer_cap = max_tokens
        bounds = [(run_limits, run_spent), (scan_limits, scan_spent)]
        if conversation_limits is not None:
            bounds.append((conversation_limits, outcome.usage))
        for limits, spent in bounds:
            if limits.max_output_tokens:
                answer_cap = min(answer_cap, limits.max_output_tokens - spent.output_tokens)
        extra, answer_cap = thinking_options(thinking, answer_cap)
        options.update(extra)
        try:
            response = create_message(
                client,
                deadline,
                model=model,
                max_tokens=max(answer_cap, 1),
                system=system,
                tools=tools,
                messages=with_cache_breakpoint(messages),
                **options,
            )
        except anthropic.APIStatusError as exc:
            if deadline is not None and deadline.passed():
                outcome.stopped = deadline.reason  # a retry answered after the time ran out
                return outcome
            outcome.error = f"Claude API error {exc.status_code}: {_api_message(exc)}"
            return outcome
        except anthropic.APIConnectionError as exc:
            if deadline is not None and (deadline.passed() or _soft_limit_in(exc)):
                outcome.stopped = deadline.reason  # the time ran out, not the API
                return outcome
            outcome.error = f"Claude API unreachable: {type(exc).__name__}"
            return outcome
        outcome.turns += 1
        share = outcome.usage.add_response(response.usage, price)
        run_spent.merge(share)
        scan_spent.merge(share)

        assistant: list[dict[str, Any]] = []
        results: list[dict[str, Any]] = []
        for block in response.content:
            assistant.append(echo_block(block))
            if block.type == "tool_use":
                results.append(
                    _answer(block.id, block.name, block.input, checkout, outcome, read_tools)
                )
        stop = response.stop_reason
        if stop == "end_turn":
            return outcome
        if stop == "pause_turn":
            # The model paused a long turn: sending its answer back lets it continue.
            messages.append({"role": "assistant", "content": assistant})
            if results:
                messages.append({"role": "user", "content": results})
            continue
        if stop != "tool_use" or not results:
            outcome.incomplete = incomplete_reason(stop)
            return outcome
        messages.append({"role": "assistant", "content": assistant})
        messages.append({"role": "user", "content": results})


def thinking_options(thinking: str, max_tokens: int) -> tuple[dict[str, Any], int]:
    """The request's ``thinking`` option for the ``CLAUDE_THINKING`` setting ("" = the
    model's default, "adaptive", or a token budget) and the answer cap to send with it."""
    if thinking == "adaptive":
        return {"thinking": {"type": "adaptive"}}, max_tokens
    if thinking.isdigit() and int(thinking) > 0:
        # The answer cap must leave room for the answer after the thinking.
        budget = int(thinking)
        return {"thinking": {"type": "enabled", "budget_tokens": budget}}, max(
            max_tokens, budget + 1024
        )
    return {}, max_tokens


def echo_block(block: Any) -> dict[str, Any]:
    """An answer's content block as it must be sent back in the next request: thinking
    and redacted thinking unchanged (signature included), text and tool calls as given."""
    if block.type == "text":
        return {"type": "text", "text": block.text}
    if block.type == "tool_use":
        return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
    if block.type == "thinking":
        return {"type": "thinking", "thinking": block.thinking, "signature": block.signature}
    if block.type == "redacted_thinking":
        return {"type": "redacted_thinking", "data": block.data}
    data: dict[str, Any] = block.model_dump(mode="json", exclude_none=True)
    return data


def with_cache_breakpoint(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages with a cache breakpoint on the last block of the last user turn
    (copies: earlier turns lose theirs, so at most two breakpoints are ever sent; a paused
    assistant answer at the end is sent back exactly as it came)."""
    users = [n for n, m in enumerate(messages) if m["role"] == "user"]
    if not users:
        return messages
    at = users[-1]
    turn = dict(messages[at])
    content = turn["content"]
    if isinstance(content, str):
        content = [{"type": "text", "text": content}]
    blocks = [dict(b) for b in content]
    if blocks:
        blocks[-1]["cache_control"] = {"type": "ephemeral"}
    turn["content"] = blocks
    return [*messages[:at], turn, *messages[at + 1 :]]


def _answer(
    tool_id: str,
    name: str,
    raw: object,
    checkout: Checkout,
    outcome: Outcome,
    read_tools: tuple[str, ...],
) -> dict[str, Any]:
    try:
        if name == "report_finding":
            if len(outcome.reported) >= MAX_FINDINGS_PER_CONVERSATION:
                raise ToolError("too many findings in one review; report only the important ones")
            try:
                finding = ReportedFinding.model_validate(raw)
            except ValidationError as exc:
                raise ToolError(describe_validation(exc)) from None
            outcome.reported.append(finding)
            text = "recorded"
        else:
            text = checkout.run(name, raw, read_tools)
    except ToolError as exc:
        outcome.tool_errors += 1
        if len(outcome.tool_error_log) < MAX_TOOL_ERRORS_KEPT:
            outcome.tool_error_log.append(f"{name[:40]}: {str(exc)[:300]}")
        return {
            "type": "tool_result",
            "tool_use_id": tool_id,
            "content": str(exc),
            "is_error": True,
        }
    if len(text) > MAX_TOOL_RESULT_CHARS:
        text = text[:MAX_TOOL_RESULT_CHARS] + "\n... (cut: ask for a smaller range)"
    return {"type": "tool_result", "tool_use_id": tool_id, "content": text}


def _api_message(exc: anthropic.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return error["message"][:300]
    return type(exc).__name__


#: Status codes the SDK itself would retry (timeouts, conflicts, rate limits, overload).
_RETRIED_STATUSES = frozenset({408, 409, 429})


def create_message(client: anthropic.Anthropic, deadline: Deadline | None, **request: Any) -> Any:
    """``client.messages.create(**request)``, never waiting past ``deadline``.

    Without a deadline the SDK's own retries apply. With one, each try's timeout is the
    time left (at most the client's), and the retries are ours: the SDK's would start a
    fresh full-length try after the time ran out (a 2 s soft limit took 7-11 s to stop).
    Retries follow the SDK's policy (``x-should-retry`` when the API sends it, else
    connection errors, 408/409/429 and 5xx; the server's ``retry-after`` or a doubling
    pause) and only while the pause fits before the deadline.
    """
    if deadline is None:
        return client.messages.create(**request)
    once = client.with_options(max_retries=0)
    ceiling = client.timeout if isinstance(client.timeout, int | float) else None
    for attempt in range(client.max_retries + 1):
        wait = max(deadline.remaining(), 0.1)
        try:
            return once.messages.create(**request, timeout=min(wait, ceiling) if ceiling else wait)
        except (anthropic.APIConnectionError, anthropic.APIStatusError) as exc:
            pause = _retry_pause(exc, attempt)
            if pause is None or attempt == client.max_retries or deadline.remaining() <= pause:
                raise
            logger.info(
                "Claude API try %d failed (%s); retrying in %.1f s", attempt + 1, exc, pause
            )
            time.sleep(pause)
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _retry_pause(exc: Exception, attempt: int) -> float | None:
    """Seconds to wait before the next try, or None when the error is not worth a retry."""
    if isinstance(exc, anthropic.APIStatusError):
        told = exc.response.headers.get("x-should-retry", "")  # the API's own say, as the SDK
        if told == "false" or (
            told != "true" and exc.status_code not in _RETRIED_STATUSES and exc.status_code < 500
        ):
            return None
        headers = exc.response.headers
        for name, unit in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
            try:
                return min(max(float(headers.get(name, "")) * unit, 0.0), 60.0)
            except ValueError:
                continue
    elif _soft_limit_in(exc):
        return None
    return min(0.5 * 2**attempt, 8.0)


def _soft_limit_in(exc: BaseException) -> bool:
    """Was the connection error Celery's soft time limit firing inside the request?"""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if type(seen).__name__ == "SoftTimeLimitExceeded":
            return True
        seen = seen.__cause__ or seen.__context__
    return False
