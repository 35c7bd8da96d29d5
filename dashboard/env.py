"""Small typed helpers that read settings from the environment and fail loudly."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """A string from NAME, or from the file named by NAME_FILE (for Docker secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def _env_number[N: (int, float)](name: str, default: N, kind: type[N], what: str) -> N:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return kind(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not {what}") from exc


def env_int(name: str, default: int) -> int:
    return _env_number(name, default, int, "an integer")


def env_float(name: str, default: float) -> float:
    return _env_number(name, default, float, "a number")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def proxy_ssl_header(raw: str) -> tuple[str, str] | None:
    """``X-Forwarded-Proto`` or ``X-Forwarded-Proto=https`` as Django's
    ``SECURE_PROXY_SSL_HEADER`` (``("HTTP_X_FORWARDED_PROTO", "https")``); "" = None."""
    raw = raw.strip()
    if not raw:
        return None
    name, _, value = raw.replace(":", "=", 1).partition("=")
    name, value = name.strip(), value.strip() or "https"
    if not name or not all(c.isalnum() or c == "-" for c in name):
        raise ImproperlyConfigured(f"SECURE_PROXY_SSL_HEADER={raw!r} is not a header name")
    return "HTTP_" + name.upper().replace("-", "_"), value


def database_from_url(url: str) -> dict[str, object]:
    """Translate a DATABASE_URL (postgres://… or sqlite:///path) into Django's DATABASES entry."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in {"postgres", "postgresql", "pgsql"}:
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    if scheme == "sqlite":
        path = unquote(parts.path)
        if parts.netloc:  # sqlite://relative/path is a common slip; be explicit
            raise ImproperlyConfigured(
                "DATABASE_URL for SQLite must be sqlite:///relative.db or sqlite:////abs/path.db"
            )
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path.lstrip("/") if not path.startswith("//") else path[1:],
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {scheme!r} is not supported (use postgres:// or sqlite:///)"
    )


#: The database cache's table (created by a migration, whatever CACHES says at the time).
CACHE_TABLE = "reviewdeck_cache"


def cache_from_url(url: str, data_dir: Path) -> dict[str, object]:
    """Django's ``CACHES["default"]`` from ``REVIEWDECK_CACHE_URL``: ``redis://`` (or
    ``rediss://``, ``unix://``) a Redis server; ``db`` the database's own table; ``file``
    (or ``file:///folder``) files under the data folder, shared by every process on this
    machine; ``locmem`` one cache per process (counters are then per process too)."""
    scheme = urlsplit(url).scheme.lower() if "://" in url else url.strip().lower()
    if scheme in {"redis", "rediss", "unix"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme in {"db", "database"}:
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": CACHE_TABLE}
    if scheme == "file":
        folder = unquote(urlsplit(url).path) if "://" in url else ""
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": folder or str(data_dir / "cache"),
        }
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    raise ImproperlyConfigured(
        f"REVIEWDECK_CACHE_URL {url!r}: use redis://host:6379/1, db, file or locmem"
    )
