"""A local HTTP server speaking the Anthropic Messages API wire format, for tests.

The real ``anthropic`` SDK talks to it through ``base_url``. Each test scripts the
conversation: every POST /v1/messages takes the next step of the script, which is a reply
(content blocks with ``tool_use`` or text, a stop reason, usage with cache tokens), an
error status (429 with retry-after-ms, 500, ...), or a function of the request that
returns one of those. Every request is recorded (headers and JSON body) for assertions.
"""

from __future__ import annotations

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


class FakeAnthropic:
    def __init__(self) -> None:
        self.script: deque[Step] = deque()
        self.when_empty: Step | None = None
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                record = {"path": self.path, "headers": dict(self.headers), "body": body}
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
                if isinstance(step, Status):
                    payload: dict[str, Any] = {
                        "type": "error",
                        "error": {"type": step.kind, "message": step.message},
                    }
                    self._send(step.code, payload, step.headers)
                    return
                payload = {
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
                self._send(200, payload, {"request-id": f"req_{next(_ids)}"})

            def _send(self, code: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

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
