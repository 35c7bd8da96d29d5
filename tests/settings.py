"""Test settings: real PostgreSQL and Redis started for the session, then the real settings."""

import os
import tempfile

from tests.services import ensure_services

ensure_services()
# Tests talk to webhooks, git servers and fake APIs on this machine: loopback is allowed
# here (and, through the environment, in the workers the tests start). The outbound-policy
# tests set the allow-list to empty themselves.
os.environ.setdefault("REVIEWDECK_ALLOWED_PRIVATE_HOSTS", "127.0.0.0/8,::1/128,localhost")
# Static files are collected once per session (tests/conftest.py) into a folder of the
# session's own; web processes the tests start find it through the environment.
os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="reviewdeck-static-"))

from dashboard.env import env_bool  # noqa: E402
from dashboard.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
# In-process tests (the test client, live_server's static handler) use plain file names;
# the product's manifest (hashed names) is collected once per session for the web
# processes the tests start (tests/conftest.py).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The product reviews with ruff on. Lifecycle tests pin native findings only, so the test
# session defaults to off; tests marked ``ruff`` turn it on (workers get REVIEWDECK_RUFF=1).
REVIEWDECK_RUFF = env_bool("REVIEWDECK_RUFF", False)

# Pages that follow running work poll every 0.5 s here (2 s in production): browser tests
# wait for polls, and show that polling stopped by a silence of a few intervals.
REVIEWDECK_POLL_MS = 500
