"""Per-file result cache, keyed by the file's content and the rule set.

A file's key is a hash of the ruleset fingerprint (rule metadata and the engine's code),
the selected rules, whether ruff ran, the path and the file's bytes: an edit, a rule
change or an engine upgrade makes a new key, so nothing is ever invalidated by hand.
Entries are small JSON files under ``cache_dir/<2 hex>/<hash>.json``; a damaged entry is
a miss. Only fully reviewed files are stored (an unreadable one is retried next time).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from reviewer.engine.types import Issue, Note

CacheEntry = tuple[list[Issue], list[Note]]


def file_key(salt: str, root: Path, rel: str) -> str | None:
    """The cache key of ``rel`` or None when it cannot be read (a miss, reviewed normally)."""
    path = root / rel
    try:
        if path.is_symlink():
            return None
        data = path.read_bytes()
    except OSError:
        return None
    digest = hashlib.sha256(salt.encode())
    digest.update(b"\0" + rel.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(data)
    return digest.hexdigest()


def _entry_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / key[:2] / f"{key}.json"


def load(cache_dir: Path, key: str) -> CacheEntry | None:
    try:
        raw = json.loads(_entry_path(cache_dir, key).read_text("utf-8"))
        issues = [Issue(**item) for item in raw["issues"]]
        notes = [Note(**item) for item in raw["notes"]]
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return issues, notes


def store(cache_dir: Path, key: str, issues: list[Issue], notes: list[Note]) -> None:
    target = _entry_path(cache_dir, key)
    data = {
        "issues": [i.to_dict() for i in issues],
        "notes": [{"path": n.path, "message": n.message} for n in notes],
    }
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.replace(tmp, target)
    except OSError:
        return  # a cache that cannot be written is only slower
