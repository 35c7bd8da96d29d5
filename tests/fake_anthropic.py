"""A local HTTP server speaking the Anthropic Messages API wire format, for tests.

The real ``anthropic`` SDK talks to it through ``base_url``. Each test scripts the
conversation: every POST /v1/messages takes the next step of the script, which is a reply
(content blocks with ``tool_use`` or text, a stop reason, usage with cache tokens), an
error status (429 with retry-after-ms, 500, ...), or a function of the request that
returns one of those. Every request is recorded (headers and JSON body) for assertions.

Message Batches: POST /v1/messages/batches answers every request of the batch with the
next script steps (in order); GET of the batch reports ``in_progress`` for
``batch_polls_before_end`` polls, then ``ended`` with a results URL serving JSON lines.
``forget_batches()`` makes every known batch answer 404 (an API that no longer knows it).
"""

from __future__ import annotations

import contextlib
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
    input_tokens: int = 1000
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


def tools_reply(*blocks: dict[str, Any], **usage: int) -> Reply:
    return Reply(list(blocks), stop_reason="tool_use", **usage)


def done(message: str = "Review finished.", **usage: int) -> Reply:
    return Reply([text(message)], stop_reason="end_turn", **usage)


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
                if self.path.startswith("/v1/messages/batches"):
                    with fake._lock:
                        fake.requests.append(record)
                    batch = fake._create_batch(body)
                    self._send(200, fake._batch_object(batch, False), {})
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
                self._answer(step, body.get("model", ""))

            def _answer(self, step: Reply | Status, model: str) -> None:
                if isinstance(step, Reply):
                    headers = {"request-id": f"req_{next(_ids)}"}
                    self._send(200, message_payload(step, model), headers)
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

    def _create_batch(self, body: dict[str, Any]) -> dict[str, Any]:
        batch_id = f"msgbatch_{next(_ids):06d}"
        results = []
        for request in body.get("requests", []):
            with self._lock:
                step = self.script.popleft() if self.script else self.when_empty
            if callable(step):
                step = step({"path": "batch", "headers": {}, "body": request["params"]})
            if isinstance(step, Reply):
                result: dict[str, Any] = {
                    "type": "succeeded",
                    "message": message_payload(step, request["params"].get("model", "")),
                }
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
