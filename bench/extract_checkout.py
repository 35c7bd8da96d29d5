"""Write the files of one commit of a bare mirror into a plain folder, file by file.

The precision benchmark (bench/precision.py) reviews local checkouts of pinned commits of
public repositories. Their mirrors can lack blobs (large files, partial snapshots), so
``git archive`` / ``git checkout`` may stop; this reads the tree with ``git ls-tree -r``
and the blobs with one ``git cat-file --batch``, skipping the objects that are missing.
Only text the engine reads is kept by default (Python files and the configuration files
rules look at), so a checkout stays small.

    uv run python bench/extract_checkout.py MIRROR_GIT_DIR COMMIT DEST [--under PATH] [--all]

Nothing is executed from the mirror; the checkout is never committed to this repository.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path, PurePosixPath

#: Files the engine or its rules read besides ``*.py`` (project rules look at these).
KEPT_NAMES = {
    "pyproject.toml",
    "setup.cfg",
    "setup.py",
    "alembic.ini",
    "requirements.txt",
    "Dockerfile",
    ".python-version",
    "ruff.toml",
    ".ruff.toml",
    "mypy.ini",
    "pytest.ini",
    "tox.ini",
    "conftest.py",
    ".gitignore",
    "uv.lock",
    "poetry.lock",
}
KEPT_SUFFIXES = (".py", ".pyi", ".toml", ".cfg", ".ini", ".mako")


def wanted(path: str, everything: bool) -> bool:
    if everything:
        return True
    name = PurePosixPath(path).name
    return (
        name in KEPT_NAMES
        or name.endswith(KEPT_SUFFIXES)
        or name.startswith(("requirements", "Dockerfile"))
    )


def tree(git_dir: Path, commit: str, under: str | None) -> list[tuple[str, str, str]]:
    """(mode, blob id, path) of every blob in the commit (under ``under`` if given)."""
    cmd = ["git", f"--git-dir={git_dir}", "ls-tree", "-r", "-z", "--full-tree", commit]
    if under:
        cmd += ["--", under]
    out = subprocess.run(cmd, check=True, capture_output=True).stdout.decode("utf-8", "replace")
    rows = []
    for entry in out.split("\0"):
        if not entry:
            continue
        meta, _, path = entry.partition("\t")
        mode, kind, oid = meta.split()
        if kind == "blob" and mode != "120000":  # no symlinks: they could point outside
            rows.append((mode, oid, path))
    return rows


def extract(
    git_dir: Path, commit: str, dest: Path, under: str | None = None, everything: bool = False
) -> tuple[int, int]:
    """Write the wanted blobs; returns (written, missing)."""
    rows = [r for r in tree(git_dir, commit, under) if wanted(r[2], everything)]
    dest.mkdir(parents=True, exist_ok=True)
    written = missing = 0
    proc = subprocess.Popen(
        ["git", f"--git-dir={git_dir}", "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    root = dest.resolve()
    for _mode, oid, path in rows:
        proc.stdin.write(oid.encode() + b"\n")
        proc.stdin.flush()
        header = proc.stdout.readline().split()
        if len(header) < 3 or header[1] != b"blob":  # "<oid> missing"
            missing += 1
            continue
        data = proc.stdout.read(int(header[2]))
        proc.stdout.read(1)  # the newline after the contents
        target = (dest / path).resolve()
        if root not in target.parents:  # a hostile path: never write outside dest
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written += 1
    proc.stdin.close()
    proc.wait()
    return written, missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("git_dir", type=Path, help="the bare mirror (a .git directory)")
    parser.add_argument("commit")
    parser.add_argument("dest", type=Path)
    parser.add_argument("--under", help="only this folder of the repository")
    parser.add_argument("--all", action="store_true", help="every file, not only Python/config")
    args = parser.parse_args(argv)
    written, missing = extract(args.git_dir, args.commit, args.dest, args.under, args.all)
    print(f"{written} files written to {args.dest}, {missing} missing from the mirror")
    return 0


if __name__ == "__main__":
    sys.exit(main())
