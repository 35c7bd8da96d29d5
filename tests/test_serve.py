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


def test_serve_runs_the_demo_on_a_fresh_machine_survives_a_killed_worker_and_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    """One ``serve --demo`` (a fresh SQLite file, every migration, the demo's backfilled
    history, then web, worker and beat) for the whole story: the demo scan is held before
    its review and its worker killed; the web stays up, the worker comes back, the dead
    scan is declared dead after a few missed heartbeats, the next scan of the demo
    succeeds and has the demo's findings, and Ctrl-C stops everything."""
    hold = tmp_path / "hold"  # the scan pauses before its review while this file exists
    hold.touch()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "REVIEWDECK_TEST_SERVICES"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="dashboard.settings",
        REVIEWDECK_DATA_DIR=str(tmp_path),
        REVIEWDECK_HEARTBEAT_SECONDS="0.2",
        REVIEWDECK_MISSED_BEATS="3",  # dead after 1 s (never less: the floor)
        REVIEWDECK_SCAN_DELAY_SECONDS="120",
        REVIEWDECK_SCAN_HOLD_FILE=str(hold),
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

    def wait_for(check: object, what: str, timeout: float = 240) -> object:
        # 240 s: a busy machine, and the demo backfill comes before the web
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()  # type: ignore[operator]
            if value:
                return value
            assert proc.poll() is None, log_path.read_text()
            time.sleep(0.2)
        raise AssertionError(f"{what} did not happen:\n{log_path.read_text()}")

    def scan_row(scan_id: int) -> tuple[str, str, str]:
        with sqlite3.connect(db_path) as db:
            row = db.execute(
                "select status, progress_message, error from reviewer_scan where id = ?",
                (scan_id,),
            ).fetchone()
        return row or ("", "", "")

    def login_page() -> str:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/") as resp:
                return resp.read().decode() if resp.status == 200 else ""
        except OSError:
            return ""

    try:
        assert "Log in" in str(wait_for(login_page, "the web answering"))
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
        killed_at = time.monotonic()
        hold.unlink()  # scans from now on run straight through
        wait_for(lambda: "Starting the worker process again." in log_path.read_text(), "restart")
        assert "The worker process exited (-9); restarting it in 1 s." in log_path.read_text()
        assert login_page() and proc.poll() is None  # the web never went down
        new_worker = wait_for(lambda: _worker_pid(proc.pid), "a new worker")
        assert new_worker != worker
        # Three missed beats (1 s here, not REVIEWDECK_SCAN_STALE_SECONDS): a new request
        # declares the dead scan dead and gets a scan of its own, which the new worker runs.
        time.sleep(max(0.0, killed_at + 1.5 - time.monotonic()))
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
        assert error.startswith("The worker stopped responding: no heartbeat for 1 s"), error
        wait_for(lambda: scan_row(demo_scan + 1)[0] in {"succeeded", "failed"}, "the next scan")
        assert scan_row(demo_scan + 1)[0] == "succeeded", scan_row(demo_scan + 1)

        db = sqlite3.connect(db_path)
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
        new, fixed, reopened = db.execute(  # the scan that took over the dead one's work
            "select new_count, fixed_count, reopened_count from reviewer_scansummary"
            " where scan_id = ?",
            (demo_scan + 1,),
        ).fetchone()
        assert new >= 1 and fixed >= 1 and reopened >= 1
        assert "Demo history: 6 week(s) backfilled." in log_path.read_text()
        assert "Created a login: user 'admin'" in log_path.read_text()
        # The meeting can start out of the box: the demo's team holds the login.
        in_team = db.execute(
            "select count(*) from reviewer_project p join auth_user_groups ug"
            " on ug.group_id = p.team_id join auth_user u on u.id = ug.user_id"
            " where p.slug = 'demo' and u.username = 'admin'"
        ).fetchone()[0]
        assert in_team == 1
        db.close()
        # Session keys, password hashes, broker messages and clones: the owner's only.
        assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700
        private = [db_path, tmp_path / "secret_key"]
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
    assert proc.returncode == 0, log_path.read_text()
    assert "Stopped." in log_path.read_text()
