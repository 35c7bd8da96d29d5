"""A local HTTP server speaking the Anthropic Messages API wire format, for tests.

The real ``anthropic`` SDK talks to it through ``base_url``. Each test scripts the
conversation: every POST /v1/messages takes the next step of the script, which is a reply
(content blocks with ``tool_use`` or text, a stop reason, usage with cache tokens), an
error status (429 with retry-after-ms, 500, ...), or a function of the request that
returns one of those. Every request is recorded (headers and JSON body) for assertions.

Thinking: a reply may carry ``thinking`` blocks (``thinking_block()``); like the real API,
a later request that sends back the turn of a ``tool_use`` without its thinking block
exactly as issued (signature included) is answered 400.

Caching: with ``simulate_cache`` the usage of a reply is computed from the request as the
API does it: the prompt (tools, system, messages) is measured in tokens (4 characters
each), every block with ``cache_control`` is a breakpoint, the longest breakpoint prefix
seen before (and at least ``min_cache_tokens`` long) is read from the cache, the longest
new one is written, and ``input_tokens`` is the rest.

Token counting: POST /v1/messages/count_tokens takes the body of a Messages request
(``model``, ``messages``, ``system``, ``tools``, ``tool_choice``, ``thinking``; no
``max_tokens``) and answers ``{"input_tokens": N}`` as the API does. ``token_counter``
decides N (by default the prompt measured like the cache simulation: 4 characters a token)
or answers an error ``Status``; the requests are recorded in ``token_counts``, apart from
the scripted conversation.

Message Batches: POST /v1/messages/batches answers every request of the batch with the
next script steps (in order; with ``simulate_cache`` their usage is computed too); GET of
the batch reports ``in_progress`` for ``batch_polls_before_end`` polls, then ``ended``
with a results URL serving JSON lines.
``forget_batches()`` makes every known batch answer 404 (an API that no longer knows it).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    content: list[dict[str, Any]]
    stop_reason: str = "end_turn"
    input_tokens: int = 1000  # ignored with simulate_cache
    output_tokens: int = 100
    cache_read: int = 0
    cache_write: int = 0


@dataclass
class Status:
    code: int
    message: str = "error"
    kind: str = "api_error"
    headers: dict[str, str] = field(default_factory=lambda: {"retry-after-ms": "5"})


Step = Reply | Status | Callable[[dict[str, Any]], "Reply | Status"]
_ids = itertools.count(1)


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def tool_use(name: str, tool_input: dict[str, Any] | Any) -> dict[str, Any]:
    return {"type": "tool_use", "id": f"toolu_{next(_ids):06d}", "name": name, "input": tool_input}


def verdict(
    holds: bool, confidence: int = 100, reason: str = "The code shows it.", **usage: int
) -> Reply:
    """The checker's answer in the verification pass."""
    return Reply(
        [tool_use("verdict", {"holds": holds, "confidence": confidence, "reason": reason})],
        stop_reason="tool_use",
        **{"input_tokens": 600, "output_tokens": 40, **usage},
    )


def confirm(request: dict[str, Any]) -> Reply:
    """The default checker: every finding holds, with full confidence, and costs nothing
    (tests about something else keep their token figures)."""
    return verdict(True, input_tokens=0, output_tokens=0)


def thinking_block(thought: str = "Let me look at the queries first.") -> dict[str, Any]:
    return {"type": "thinking", "thinking": thought, "signature": f"sig-{next(_ids):06d}"}


def tokens_of(value: Any) -> int:
    """A stable token estimate of part of a request: 4 characters of its JSON per token."""
    return max(1, len(json.dumps(value, sort_keys=True)) // 4)


def prompt_parts(body: dict[str, Any]) -> list[tuple[Any, bool]]:
    """The request as the cache sees it: (part, is_breakpoint) in prompt order (tools, then
    system blocks, then every message's blocks)."""
    parts: list[tuple[Any, bool]] = [({"model": body.get("model")}, False)]
    for tool in body.get("tools") or []:
        parts.append((tool, "cache_control" in tool))
    system = body.get("system") or []
    if isinstance(system, str):
        system = [{"type": "text", "text": system}]
    for block in system:
        parts.append((block, "cache_control" in block))
    for message in body.get("messages", []):
        content = message["content"]
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        for block in content:
            parts.append(({"role": message["role"], **block}, "cache_control" in block))
    return parts


def count_input(request: dict[str, Any]) -> int:
    """The default answer of count_tokens: the prompt's tokens as ``tokens_of`` measures
    them (the model name is not part of the prompt)."""
    return sum(tokens_of(_strip_cache(part)) for part, _ in prompt_parts(request["body"])[1:])


def _strip_cache(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_cache(v) for k, v in value.items() if k != "cache_control"}
    if isinstance(value, list):
        return [_strip_cache(v) for v in value]
    return value


def tools_reply(*blocks: dict[str, Any], **usage: int) -> Reply:
    return Reply(list(blocks), stop_reason="tool_use", **usage)


def done(message: str = "Review finished.", **usage: int) -> Reply:
    return Reply([text(message)], stop_reason="end_turn", **usage)


def prompt_of(request: dict[str, Any], index: int = 0) -> str:
    """The text of a recorded request's message ``index`` (a string or text blocks)."""
    content = request["body"]["messages"][index]["content"]
    if isinstance(content, str):
        return content
    return "\n".join(b.get("text", "") for b in content if b.get("type") == "text")


def tool_results(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The tool_result blocks of the last user turn of a recorded request."""
    last = request["body"]["messages"][-1]
    content = last["content"]
    if isinstance(content, str):
        return []
    return [b for b in content if b.get("type") == "tool_result"]


def message_payload(step: Reply, model: str) -> dict[str, Any]:
    return {
        "id": f"msg_{next(_ids):06d}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": step.content,
        "stop_reason": step.stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": step.input_tokens,
            "output_tokens": step.output_tokens,
            "cache_creation_input_tokens": step.cache_write,
            "cache_read_input_tokens": step.cache_read,
        },
    }


class FakeAnthropic:
    def __init__(self) -> None:
        self.script: deque[Step] = deque()
        self.when_empty: Step | None = None
        self.requests: list[dict[str, Any]] = []
        self.batches: dict[str, dict[str, Any]] = {}
        self.batch_polls_before_end = 1
        # The verification pass (a request offering the "verdict" tool) is answered by
        # ``verifier`` and recorded in ``verifications``, apart from the scripted review.
        self.verifier: Callable[[dict[str, Any]], Reply | Status] = confirm
        self.verifications: list[dict[str, Any]] = []
        self.token_counter: Callable[[dict[str, Any]], int | Status] = count_input
        self.token_counts: list[dict[str, Any]] = []
        self.simulate_cache = False
        self.min_cache_tokens = 1024
        self.cached_prefixes: set[str] = set()
        self.issued_thinking: dict[str, dict[str, Any]] = {}  # tool_use id -> thinking block
        self.usage_log: list[dict[str, int]] = []  # the usage of every reply, in order
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                record = {"path": self.path, "headers": dict(self.headers), "body": None}
                with fake._lock:
                    fake.requests.append(record)
                parts = self.path.split("?")[0].strip("/").split("/")
                batch = fake.batches.get(parts[3]) if len(parts) >= 4 else None
                if parts[:3] != ["v1", "messages", "batches"] or batch is None:
                    self._answer(Status(404, f"no route {self.path}", "not_found_error", {}), "")
                    return
                if len(parts) == 5 and parts[4] == "results":
                    lines = "".join(json.dumps(r) + "\n" for r in batch["results"])
                    data = lines.encode()
                    self.send_response(200)
                    self.send_header("content-type", "application/binary")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                batch["polls"] += 1
                ended = batch["polls"] > fake.batch_polls_before_end
                self._send(200, fake._batch_object(batch, ended), {})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                record = {"path": self.path, "headers": dict(self.headers), "body": body}
                if self.path.startswith("/v1/messages/count_tokens"):
                    with fake._lock:
                        fake.token_counts.append(record)
                    counted = fake.token_counter(record)
                    if isinstance(counted, Status):
                        self._answer(counted, "")
                    else:
                        self._send(
                            200, {"input_tokens": counted}, {"request-id": f"req_{next(_ids)}"}
                        )
                    return
                if self.path.startswith("/v1/messages/batches"):
                    with fake._lock:
                        fake.requests.append(record)
                    batch = fake._create_batch(body)
                    self._send(200, fake._batch_object(batch, False), {})
                    return
                if any(t.get("name") == "verdict" for t in body.get("tools") or []):
                    with fake._lock:
                        fake.verifications.append(record)
                    self._answer(fake.verifier(record), body.get("model", ""), body)
                    return
                with fake._lock:
                    fake.requests.append(record)
                    step = fake.script.popleft() if fake.script else fake.when_empty
                if step is None:
                    step = Status(500, "script exhausted", headers={"x-should-retry": "false"})
                if callable(step):
                    step = step(record)
                if not self.path.startswith("/v1/messages"):
                    step = Status(404, f"no route {self.path}", "not_found_error", {})
                problem = fake._thinking_problem(body)
                if problem:
                    step = Status(400, problem, "invalid_request_error", {})
                self._answer(step, body.get("model", ""), body)

            def _answer(
                self, step: Reply | Status, model: str, body: dict[str, Any] | None = None
            ) -> None:
                if isinstance(step, Reply):
                    headers = {"request-id": f"req_{next(_ids)}"}
                    payload = message_payload(step, model)
                    if fake.simulate_cache and body is not None:
                        payload["usage"].update(fake._cache_usage(body))
                    fake._remember_thinking(step)
                    with fake._lock:
                        fake.usage_log.append(dict(payload["usage"]))
                    self._send(200, payload, headers)
                    return
                payload = {"type": "error", "error": {"type": step.kind, "message": step.message}}
                self._send(step.code, payload, step.headers)

            def _send(self, code: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                # The client may have given up waiting (a timeout under test).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _remember_thinking(self, step: Reply) -> None:
        thinking = [b for b in step.content if b.get("type") in ("thinking", "redacted_thinking")]
        if not thinking:
            return
        for block in step.content:
            if block.get("type") == "tool_use":
                self.issued_thinking[block["id"]] = thinking[0]

    def _thinking_problem(self, body: dict[str, Any]) -> str:
        """What the real API says when a tool-use turn comes back without its thinking."""
        for message in body.get("messages", []):
            if message.get("role") != "assistant" or isinstance(message["content"], str):
                continue
            blocks = [_strip_cache(b) for b in message["content"]]
            for block in blocks:
                issued = self.issued_thinking.get(block.get("id", "")) if block else None
                if (
                    block.get("type") == "tool_use"
                    and issued is not None
                    and (not blocks or blocks[0] != issued)
                ):
                    return (
                        "messages: an assistant turn with tool_use must start with the "
                        "thinking block it was given, unchanged"
                    )
        return ""

    def _cache_usage(self, body: dict[str, Any]) -> dict[str, int]:
        """Like the API: a read is the longest cached prefix ending at any block boundary up
        to 20 blocks before a breakpoint; a write is the longest new breakpoint prefix."""
        parts = prompt_parts(body)
        total = 0
        boundaries: list[tuple[str, int, bool]] = []  # (hash, tokens so far, breakpoint)
        digest = hashlib.sha256()
        for part, breakpoint in parts:
            digest.update(json.dumps(_strip_cache(part), sort_keys=True).encode())
            total += tokens_of(_strip_cache(part))
            boundaries.append((digest.copy().hexdigest(), total, breakpoint))
        marks = [n for n, b in enumerate(boundaries) if b[2]]
        lookable = {n for m in marks for n in range(max(0, m - 20), m + 1)}
        read = 0
        write_to = 0
        with self._lock:
            for n in lookable:
                key, tokens, _ = boundaries[n]
                if tokens >= self.min_cache_tokens and key in self.cached_prefixes:
                    read = max(read, tokens)
            for n in marks:
                key, tokens, _ = boundaries[n]
                if tokens >= self.min_cache_tokens and key not in self.cached_prefixes:
                    write_to = max(write_to, tokens)
                    self.cached_prefixes.add(key)
        write = max(write_to - read, 0)
        return {
            "input_tokens": total - read - write,
            "cache_read_input_tokens": read,
            "cache_creation_input_tokens": write,
        }

    def _create_batch(self, body: dict[str, Any]) -> dict[str, Any]:
        batch_id = f"msgbatch_{next(_ids):06d}"
        results = []
        for request in body.get("requests", []):
            with self._lock:
                step = self.script.popleft() if self.script else self.when_empty
            if callable(step):
                step = step({"path": "batch", "headers": {}, "body": request["params"]})
            if isinstance(step, Reply):
                message = message_payload(step, request["params"].get("model", ""))
                if self.simulate_cache:
                    message["usage"].update(self._cache_usage(request["params"]))
                result: dict[str, Any] = {"type": "succeeded", "message": message}
            else:
                result = {
                    "type": "errored",
                    "error": {"type": "error", "error": {"type": "api_error", "message": "x"}},
                }
            results.append({"custom_id": request["custom_id"], "result": result})
        batch = {"id": batch_id, "polls": 0, "results": results}
        self.batches[batch_id] = batch
        return batch

    def _batch_object(self, batch: dict[str, Any], ended: bool) -> dict[str, Any]:
        count = len(batch["results"])
        succeeded = sum(1 for r in batch["results"] if r["result"]["type"] == "succeeded")
        return {
            "id": batch["id"],
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": {
                "processing": 0 if ended else count,
                "succeeded": succeeded if ended else 0,
                "errored": count - succeeded if ended else 0,
                "canceled": 0,
                "expired": 0,
            },
            "created_at": "2026-01-01T00:00:00Z",
            "expires_at": "2026-01-02T00:00:00Z",
            "ended_at": "2026-01-01T00:10:00Z" if ended else None,
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": f"{self.url}/v1/messages/batches/{batch['id']}/results"
            if ended
            else None,
        }

    def forget_batches(self) -> None:
        with self._lock:
            self.batches.clear()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def add(self, *steps: Step) -> None:
        with self._lock:
            self.script.extend(steps)

    def start(self) -> FakeAnthropic:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
