"""Typed helpers for settings; which variables exist is documented in the README."""

import os


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_int(name: str, default: int) -> int:
    raw = os.getenv(name)
    return default if raw is None else int(raw)


def env_required(name: str) -> str:
    return os.environ[name]
