"""Shared set-up for the benchmarks: Django on a throwaway PostgreSQL, migrated."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.services import PostgresServer


@contextmanager
def django_on_fresh_postgres(prefix: str) -> Iterator[Path]:
    """Start PostgreSQL, point Django's settings at it, set Django up and migrate; yields
    a scratch folder. The server is removed afterwards."""
    base = Path(tempfile.mkdtemp(prefix=prefix))
    pg = PostgresServer().start()
    try:
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "dashboard.settings",
                "DATABASE_URL": pg.url,
                "REVIEWDECK_DATA_DIR": str(base / "data"),
                "ALLOWED_HOSTS": "testserver",
                "DEBUG": "0",
                "SESSION_COOKIE_SECURE": "0",
                "LOG_LEVEL": "WARNING",
            }
        )
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        yield base
    finally:
        from django.db import connections

        connections.close_all()
        pg.close()
