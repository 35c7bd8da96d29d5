"""Run the product's real processes (gunicorn web, Celery worker) for failure tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db import connection

from tests.services import _wait_for_port, free_port

ROOT = Path(__file__).resolve().parent.parent


def current_database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def product_env(**overrides: str) -> dict[str, str]:
    return {**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1", **overrides}


@contextmanager
def web_process(env: dict[str, str], log: Path) -> Iterator[str]:
    """gunicorn serving the dashboard, as docker-compose runs it; yields its base URL."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "dashboard.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for_port(port, "gunicorn")
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(20)


@dataclass
class Worker:
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def __call__(self) -> None:
        """Wait until the worker consumes from the broker."""
        deadline = time.monotonic() + 120  # a busy shared machine starts workers slowly
        while b"ready." not in self.log.read_bytes():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(self.log.read_text())
            time.sleep(0.1)


@contextmanager
def worker_process(
    env: dict[str, str], log: Path, queues: str = "", *, wait: bool = True
) -> Iterator[Worker]:
    """A Celery worker (on every queue unless ``queues`` names some); yields a handle
    whose call waits until it consumes (called already when ``wait``; a worker started
    while the broker is down calls it later)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "dashboard",
                "worker",
                "--pool",
                "solo",
                "-Q",
                queues or settings.REVIEWDECK_ALL_QUEUES,
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"hardening-{os.getpid()}-{time.monotonic_ns()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )

        worker = Worker(proc, log)
        try:
            if wait:
                worker()
            yield worker
        finally:
            _stop(proc)


@contextmanager
def taking_over(
    previous: Worker, env: dict[str, str], log: Path, queues: str = ""
) -> Iterator[Worker]:
    """A worker that starts while ``previous`` stops (each takes a second or two, so one
    after the other adds up); yields once ``previous`` is gone and this one consumes."""
    stop_together(previous.proc)
    with worker_process(env, log, queues, wait=False) as worker:
        previous.proc.wait(20)
        worker()
        yield worker


@contextmanager
def beat_process(
    env: dict[str, str], log: Path, schedule: Path, *, wait: bool = True
) -> Iterator[subprocess.Popen[bytes]]:
    """Celery beat with django-celery-beat's DatabaseScheduler, checking its schedule
    every second; yields once it started (at once unless ``wait``: a test that starts
    several processes waits for them together)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "dashboard",
                "beat",
                "--loglevel",
                "INFO",
                "--max-interval",
                "1",
                "--pidfile",
                "",
                "--schedule",
                str(schedule),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            if wait:
                wait_until(
                    lambda: b"beat: Starting" in log.read_bytes() or proc.poll() is not None,
                    timeout=90,
                    what="beat to start",
                )
                if proc.poll() is not None:
                    raise RuntimeError(log.read_text())
            yield proc
        finally:
            _stop(proc)


#: Processes ``stop_together`` already asked to stop (a second SIGTERM is not sent).
_stopping: weakref.WeakSet[subprocess.Popen[bytes]] = weakref.WeakSet()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None and proc not in _stopping:
        proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def stop_together(*procs: subprocess.Popen[bytes]) -> None:
    """Ask several processes to stop at once: a Celery process takes about a second to
    notice (its event loop's poll), so stopping them one by one adds up. Their contexts
    then only wait."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            _stopping.add(proc)


@dataclass
class Response:
    status_code: int
    text: str
    headers: dict[str, str]


@dataclass
class Browserless:
    """A tiny HTTP client with a cookie jar that never follows redirects."""

    base: str
    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, data: dict[str, str] | None = None) -> Response:
        url = urlsplit(self.base)
        conn = HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            text = raw.read().decode("utf-8", "replace")
            for header in raw.headers.get_all("Set-Cookie") or []:
                jar: SimpleCookie = SimpleCookie()
                jar.load(header)
                self.cookies.update({k: m.value for k, m in jar.items()})
            return Response(raw.status, text, dict(raw.headers.items()))
        finally:
            conn.close()

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict[str, str] | None = None) -> Response:
        return self.request("POST", path, data or {})


def logged_in(base: str, session_key: str) -> Browserless:
    """An HTTP client carrying a session made by the test and the CSRF token of a page."""
    client = Browserless(base, cookies={"sessionid": session_key})
    client.get("/")  # sets the csrftoken cookie
    token = client.cookies.get("csrftoken", "")
    client.headers.update({"X-CSRFToken": token, "HX-Request": "true", "Referer": base})
    return client


def wait_until(predicate: object, timeout: float = 60, what: str = "condition") -> object:
    """Poll ``predicate`` until it returns something true, and return that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()  # type: ignore[operator]
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def celery_broker(url: str) -> Iterator[None]:
    """Point this process's Celery app (the one the web code uses) at another broker."""
    from dashboard.celery import app

    def reset() -> None:
        from kombu import pools

        pools.reset()  # kombu keeps producer pools per broker URL, process-wide
        setattr(app, "_pool", None)  # noqa: B010 - private caches of the broker connection
        setattr(app.amqp, "_producer_pool", None)  # noqa: B010

    # Celery reads CELERY_BROKER_URL from the environment before its own settings.
    old_env = os.environ.get("CELERY_BROKER_URL")
    reset()
    os.environ["CELERY_BROKER_URL"] = url
    try:
        yield
    finally:
        reset()
        if old_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = old_env
