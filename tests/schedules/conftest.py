"""A real Celery beat process (django-celery-beat's DatabaseScheduler) for these tests."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.hardening.processes import ROOT, current_database_url, product_env, wait_until


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
    log = tmp_path / "beat.log"
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
                str(tmp_path / "beat-schedule.db"),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(
                lambda: b"beat: Starting" in log.read_bytes() or proc.poll() is not None,
                timeout=30,
                what="beat to start",
            )
            if proc.poll() is not None:
                raise RuntimeError(log.read_text())
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
