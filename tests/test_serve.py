"""`manage.py serve` runs the whole product on a fresh SQLite file and stops cleanly."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import ROOT
from tests.services import free_port


def test_serve_starts_on_a_fresh_machine_scans_the_demo_and_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "REVIEWDECK_TEST_SERVICES"}
    }
    env.update(DJANGO_SETTINGS_MODULE="dashboard.settings", REVIEWDECK_DATA_DIR=str(tmp_path))
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "serve", f"127.0.0.1:{port}", "--demo", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/") as resp:
                    body = resp.read().decode()
                    break
            except OSError:
                assert proc.poll() is None, (tmp_path / "serve.log").read_text()
                time.sleep(0.5)
        assert "Log in" in body
        # The embedded broker (no server) delivers the demo scan to the embedded worker.
        db = sqlite3.connect(tmp_path / "reviewdeck.sqlite3")
        status = None
        while time.monotonic() < deadline:
            row = db.execute("select status from reviewer_scan order by id desc limit 1").fetchone()
            status = row[0] if row else None
            if status in {"succeeded", "failed"}:
                break
            time.sleep(0.5)
        assert status == "succeeded", (tmp_path / "serve.log").read_text()
        count = db.execute("select count(*) from reviewer_finding").fetchone()[0]
        assert count >= 5
        assert "Created a login: user 'admin'" in (tmp_path / "serve.log").read_text()
        # Session keys, password hashes, broker messages and clones: the owner's only.
        assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700
        private = [tmp_path / "reviewdeck.sqlite3", tmp_path / "secret_key"]
        private += [p for p in (tmp_path / "broker").rglob("*") if p.is_file()]
        private += [p for p in (tmp_path / "repos").rglob("*") if p.is_file()][:50]
        assert len(private) > 3
        assert not [p for p in private if stat.S_IMODE(p.stat().st_mode) & 0o077]
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        finally:
            if proc.poll() is None:
                proc.kill()
            log.close()
    assert proc.returncode == 0, (tmp_path / "serve.log").read_text()
    assert "Stopped." in (tmp_path / "serve.log").read_text()
