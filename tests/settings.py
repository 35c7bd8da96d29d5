"""Test settings: real PostgreSQL and Redis started for the session, then the real settings."""

from tests.services import ensure_services

ensure_services()

from dashboard.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
