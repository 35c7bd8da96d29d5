"""Start a throwaway PostgreSQL and Redis for the test session.

``tests/settings.py`` (the test session's DJANGO_SETTINGS_MODULE) calls
``ensure_services()`` before it reads the real settings, so ``DATABASE_URL`` and
``CELERY_BROKER_URL`` point at real servers and the Django tests run on PostgreSQL with a
real Redis broker.

PostgreSQL refuses to run as root, so when we are root its binaries run as the
``postgres`` user (``runuser``). Set ``REVIEWDECK_TEST_DATABASE_URL`` /
``REVIEWDECK_TEST_REDIS_URL`` to use servers you started yourself instead.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

_cleanups: list[Callable[[], None]] = []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if not candidates:
        raise RuntimeError(f"PostgreSQL's {name} was not found (install postgresql)")
    return candidates[0]


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _wait_for_port(port: int, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not start on port {port} within {timeout}s")


class PostgresServer:
    """A throwaway PostgreSQL cluster (trust auth, fsync off) a test may restart."""

    def __init__(self, template: Path | None = None) -> None:
        """``template``: the data folder of a stopped cluster to start a copy of (see
        ``migrated_cluster`` in tests/conftest.py) instead of a new, empty one."""
        self.base = Path(tempfile.mkdtemp(prefix="reviewdeck-pg-"))
        self.data = self.base / "data"
        self.template = template
        if template is not None:  # cp -a keeps the postgres user's ownership
            subprocess.run(["cp", "-a", str(template), str(self.data)], check=True)
        else:
            self.data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres")
            shutil.chown(self.data, "postgres")
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"postgres://reviewdeck@127.0.0.1:{self.port}/reviewdeck"

    def _ctl(self, *args: str) -> None:
        options = (
            f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            _as_postgres(
                [
                    _pg_bin("pg_ctl"),
                    "-D",
                    str(self.data),
                    "-o",
                    options,
                    "-l",
                    str(self.data / "server.log"),
                    "-w",
                    *args,
                ]
            ),
            check=True,
            capture_output=True,
        )

    def start(self) -> PostgresServer:
        if self.template is not None:
            self._ctl("start")
            _wait_for_port(self.port, "PostgreSQL")
            return self
        subprocess.run(
            _as_postgres(
                [
                    _pg_bin("initdb"),
                    "-D",
                    str(self.data),
                    "-A",
                    "trust",
                    "-U",
                    "reviewdeck",
                    "--no-sync",
                    "-E",
                    "UTF8",
                ]
            ),
            check=True,
            capture_output=True,
        )
        self._ctl("start")
        _wait_for_port(self.port, "PostgreSQL")
        subprocess.run(
            [
                _pg_bin("createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "reviewdeck",
                "reviewdeck",
            ],
            check=True,
            capture_output=True,
        )
        return self

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")

    def restart(self) -> None:
        self._ctl("-m", "fast", "restart")
        _wait_for_port(self.port, "PostgreSQL")

    def close(self) -> None:
        subprocess.run(
            _as_postgres([_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(self.base, ignore_errors=True)


def start_postgres() -> str:
    server = PostgresServer().start()
    _cleanups.append(server.close)
    return server.url


class RedisServer:
    """A throwaway redis-server that a test may stop and start again on the same port."""

    def __init__(self, port: int | None = None) -> None:
        server = shutil.which("redis-server")
        if not server:
            raise RuntimeError("redis-server was not found (apt-get install redis-server)")
        self.server = server
        self.port = port or free_port()
        self.workdir = tempfile.mkdtemp(prefix="reviewdeck-redis-")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            [
                self.server,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.workdir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, "Redis")
        return self

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


def start_redis() -> str:
    redis = RedisServer().start()
    _cleanups.append(redis.close)
    return redis.url


def _cleanup() -> None:
    while _cleanups:
        fn = _cleanups.pop()
        with contextlib.suppress(Exception):  # best effort at exit
            fn()


def share_bytecode() -> None:
    """Compile each module once per session, not once per process.

    Where the environment turns bytecode caching off (``PYTHONDONTWRITEBYTECODE``, as
    this project's CI machine does), every Python process a test starts (Celery workers,
    beat, gunicorn, ``manage.py``: dozens per session) compiled some 1,500 modules again:
    2-3 s of CPU before a worker was ready, 1.2 s with them cached. The cache lives in a
    folder of the session's own (``PYTHONPYCACHEPREFIX``), so the checkout and the
    virtualenv stay as clean as the environment asked; children inherit it.
    """
    if not os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return
    prefix = tempfile.mkdtemp(prefix="reviewdeck-pycache-")
    _cleanups.append(lambda: shutil.rmtree(prefix, ignore_errors=True))
    del os.environ["PYTHONDONTWRITEBYTECODE"]
    os.environ["PYTHONPYCACHEPREFIX"] = prefix
    # This process imports most of the product first: its bytecode is the children's.
    sys.dont_write_bytecode = False
    sys.pycache_prefix = prefix


def ensure_services() -> None:
    """Start PostgreSQL and Redis once per test session and export their URLs.

    Child processes (a Celery worker, ``manage.py serve``) inherit the environment, see
    ``REVIEWDECK_TEST_SERVICES`` and reuse the servers instead of starting their own.
    """
    if os.environ.get("REVIEWDECK_TEST_SERVICES") == "1":
        return
    atexit.register(_cleanup)
    share_bytecode()
    os.environ.setdefault("REVIEWDECK_EMBEDDED", "1")
    os.environ["REVIEWDECK_DATA_DIR"] = tempfile.mkdtemp(prefix="reviewdeck-data-")
    os.environ["DATABASE_URL"] = os.environ.get("REVIEWDECK_TEST_DATABASE_URL") or start_postgres()
    os.environ["CELERY_BROKER_URL"] = os.environ.get("REVIEWDECK_TEST_REDIS_URL") or start_redis()
    os.environ["REVIEWDECK_TEST_SERVICES"] = "1"
