"""A real Celery beat process (django-celery-beat's DatabaseScheduler) for these tests."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings

from tests.processes import beat_process, current_database_url, product_env


@pytest.fixture
def celery_beat(
    transactional_db: None, workdir: Path, tmp_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Beat on the test PostgreSQL and Redis, checking its schedule every second."""
    env = product_env(
        DATABASE_URL=current_database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        REVIEWDECK_WORKDIR=str(workdir),
    )
    with beat_process(env, tmp_path / "beat.log", tmp_path / "beat-schedule.db") as proc:
        yield proc


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, object]]]]:
    """A local Slack-style webhook receiver: its URL (with a secret-looking path) and the
    JSON bodies it received."""
    received: list[dict[str, object]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/XXXX", received
    server.shutdown()
