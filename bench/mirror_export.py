"""Export one commit of a bare mirror into a folder, file by file.

Mirrors made by the session tooling can lack blobs, so ``git archive`` may stop half
way; this reads the tree listing and asks ``git cat-file --batch`` for each blob,
skipping the missing ones. Only text files the engine reads are written.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

SUFFIXES = (".py", ".toml", ".cfg", ".ini", ".txt", ".yml", ".yaml", ".lock")
NAMES = ("Dockerfile", ".gitignore", "justfile", "Makefile")


def wanted(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.endswith(SUFFIXES) or name in NAMES or name.startswith(("Dockerfile", ".env"))


def export(mirror: Path, commit: str, target: Path) -> int:
    """Write the wanted files of ``commit``; returns how many were written."""
    listing = subprocess.run(
        ["git", "-C", str(mirror), "ls-tree", "-r", "-z", commit],
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    entries: list[tuple[str, str]] = []
    for entry in listing:
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        path = raw_path.decode("utf-8", "replace")
        if kind == "blob" and mode.startswith("100") and wanted(path) and ".." not in path:
            entries.append((sha, path))
    proc = subprocess.Popen(
        ["git", "-C", str(mirror), "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    written = 0
    for sha, path in entries:
        proc.stdin.write(sha.encode() + b"\n")
        proc.stdin.flush()
        header = proc.stdout.readline().split()
        if len(header) < 3 or header[1] == b"missing":
            continue
        size = int(header[2])
        data = proc.stdout.read(size)
        proc.stdout.read(1)
        out = target / path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        written += 1
    proc.stdin.close()
    proc.wait()
    return written
