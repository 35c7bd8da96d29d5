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
        deadline = time.monotonic() + 240  # a busy machine: the demo backfill comes first
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
        # The demo has history: six backfilled weeks dated a week apart (debt going down),
        # then this week's scan with a fix, a new problem and a regression.
        weeks = db.execute(
            "select s.created_at, m.debt_minutes from reviewer_scan s join reviewer_scansummary m"
            " on m.scan_id = s.id where s.trigger = 'backfill' order by s.id"
        ).fetchall()
        assert len(weeks) == 6 and len({w[0][:10] for w in weeks}) == 6
        assert weeks[-1][1] < weeks[0][1]
        new, fixed, reopened = db.execute(
            "select new_count, fixed_count, reopened_count from reviewer_scansummary m join"
            " reviewer_scan s on m.scan_id = s.id where s.trigger = 'manual'"
        ).fetchone()
        assert new >= 1 and fixed >= 1 and reopened >= 1
        assert "Demo history: 6 week(s) backfilled." in (tmp_path / "serve.log").read_text()
        assert "Created a login: user 'admin'" in (tmp_path / "serve.log").read_text()
        # The meeting can start out of the box: the demo's team holds the login.
        in_team = db.execute(
            "select count(*) from reviewer_project p join auth_user_groups ug"
            " on ug.group_id = p.team_id join auth_user u on u.id = ug.user_id"
            " where p.slug = 'demo' and u.username = 'admin'"
        ).fetchone()[0]
        assert in_team == 1
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


def _children(parent: int) -> dict[int, str]:
    """pid -> command line of the processes whose parent is ``parent``."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat_line = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        ppid = int(stat_line.rsplit(")", 1)[1].split()[1])
        if ppid == parent:
            found[int(entry.name)] = cmdline
    return found


def _worker_pid(serve_pid: int) -> int | None:
    for pid, cmdline in _children(serve_pid).items():
        if "celery" in cmdline and " worker " in cmdline:
            return pid
    return None


def test_a_killed_worker_is_restarted_the_web_stays_up_and_its_scan_is_declared_dead(
    tmp_path: Path,
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "REVIEWDECK_TEST_SERVICES"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="dashboard.settings",
        REVIEWDECK_DATA_DIR=str(tmp_path),
        REVIEWDECK_HEARTBEAT_SECONDS="1",
        REVIEWDECK_SCAN_DELAY_SECONDS="8",  # the demo scan is reliably mid-way when killed
        REVIEWDECK_RUFF="0",
    )
    port = free_port()
    log_path = tmp_path / "serve.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "serve", f"127.0.0.1:{port}", "--demo", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    db_path = tmp_path / "reviewdeck.sqlite3"

    def wait_for(check: object, what: str, timeout: float = 90) -> object:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()  # type: ignore[operator]
            if value:
                return value
            assert proc.poll() is None, log_path.read_text()
            time.sleep(0.3)
        raise AssertionError(f"{what} did not happen:\n{log_path.read_text()}")

    def scan_row(scan_id: int) -> tuple[str, str, str]:
        with sqlite3.connect(db_path) as db:
            row = db.execute(
                "select status, progress_message, error from reviewer_scan where id = ?",
                (scan_id,),
            ).fetchone()
        return row or ("", "", "")

    def web_up() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/") as resp:
                return resp.status == 200
        except OSError:
            return False

    try:
        wait_for(web_up, "the web answering")
        with sqlite3.connect(db_path) as db:  # the demo's history is backfilled first
            history = db.execute(
                "select count(*), min(created_at) from reviewer_scan where trigger = 'backfill'"
            ).fetchone()
            demo_scan = db.execute(
                "select id from reviewer_scan where trigger = 'manual' order by id desc"
            ).fetchone()[0]
        assert history[0] == 6, history
        wait_for(lambda: scan_row(demo_scan)[1] == "Reviewing the code", "the demo scan running")
        worker = _worker_pid(proc.pid)
        assert worker is not None
        os.kill(worker, signal.SIGKILL)
        wait_for(lambda: "Starting the worker process again." in log_path.read_text(), "restart")
        assert "The worker process exited (-9); restarting it in 1 s." in log_path.read_text()
        assert web_up() and proc.poll() is None  # the web never went down
        new_worker = wait_for(lambda: _worker_pid(proc.pid), "a new worker")
        assert new_worker != worker
        # Three missed beats (3 s here, not REVIEWDECK_SCAN_STALE_SECONDS): a new request
        # declares the dead scan dead and gets a scan of its own, which the new worker runs.
        time.sleep(4)
        queued = subprocess.run(
            [sys.executable, "manage.py", "scan", "demo", "--queue"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert f"#{demo_scan + 1}" in queued.stdout, queued.stdout + queued.stderr
        status, _, error = scan_row(demo_scan)
        assert status == "failed"
        assert error.startswith("The worker stopped responding: no heartbeat for 3 s")
        wait_for(
            lambda: scan_row(demo_scan + 1)[0] in {"succeeded", "failed"}, "the next scan", 120
        )
        assert scan_row(demo_scan + 1)[0] == "succeeded", scan_row(demo_scan + 1)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        finally:
            if proc.poll() is None:
                proc.kill()
            log.close()
    assert "Stopped." in log_path.read_text()
