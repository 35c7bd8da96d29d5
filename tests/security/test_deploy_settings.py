"""Deployment settings come from the environment, and `check --deploy` is clean with the
documented production variables; the embedded data folder is private."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.env import proxy_ssl_header
from tests.conftest import ROOT

PRODUCTION = {
    "REVIEWDECK_EMBEDDED": "0",
    "SECRET_KEY": "7f3c9a1e5b2d8c4f6a0e9d3b7c1f5a2e8d4b6c0a9f3e7d1b5c2a8f4e6d0b3c9a",
    "ALLOWED_HOSTS": "reviewdeck.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://reviewdeck.example.com",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
}


def manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "REVIEWDECK_", "SECRET_KEY"))
        and k
        not in {
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "DEBUG",
            "ALLOWED_HOSTS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    base.update(DJANGO_SETTINGS_MODULE="dashboard.settings", REVIEWDECK_DATA_DIR=str(tmp_path))
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_documented_production_variables(tmp_path: Path) -> None:
    done = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_warns_without_them(tmp_path: Path) -> None:
    env = {k: v for k, v in PRODUCTION.items() if not k.startswith("SECURE_")}
    done = manage(tmp_path, "check", "--deploy", **env)
    assert "security.W004" in done.stderr and "security.W008" in done.stderr


@pytest.mark.parametrize("key", ["x", "short-secret-key", "a" * 60])
def test_a_weak_secret_key_is_refused_outside_embedded_mode(tmp_path: Path, key: str) -> None:
    done = manage(tmp_path, "check", **(PRODUCTION | {"SECRET_KEY": key}))
    assert done.returncode != 0
    assert "SECRET_KEY must be at least 50 random characters" in done.stderr
    if len(key) > 3:
        assert key not in done.stderr  # the message never repeats the key


def test_the_proxy_header_setting() -> None:
    assert proxy_ssl_header("") is None
    assert proxy_ssl_header("X-Forwarded-Proto") == ("HTTP_X_FORWARDED_PROTO", "https")
    assert proxy_ssl_header("X-Forwarded-Ssl=on") == ("HTTP_X_FORWARDED_SSL", "on")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_embedded_data_folder_is_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = manage(data, "migrate", "--noinput")
    assert done.returncode == 0, done.stderr
    assert mode(data) == 0o700
    assert mode(data / "reviewdeck.sqlite3") == 0o600
    assert mode(data / "secret_key") == 0o600
    assert (data / "reviewdeck.sqlite3").stat().st_size > 0  # migrated, not just created


def test_an_existing_world_readable_database_is_made_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert manage(data, "migrate", "--noinput").returncode == 0
    data.chmod(0o755)
    (data / "reviewdeck.sqlite3").chmod(0o644)
    done = manage(data, "check")
    assert done.returncode == 0, done.stderr
    assert mode(data) == 0o700
    assert mode(data / "reviewdeck.sqlite3") == 0o600
