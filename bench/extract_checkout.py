"""Write the files of one commit of a bare mirror into a plain folder, file by file.

The precision benchmark (bench/precision.py) reviews local checkouts of pinned commits of
public repositories. Their mirrors can lack blobs (large files, partial snapshots), so
``git archive`` / ``git checkout`` may stop; this reads the tree with ``git ls-tree -r``
and the blobs with one ``git cat-file --batch``, skipping the objects that are missing.
Every file is written (project rules read lock files, dotenv examples, Dockerfiles, CI
files) except blobs over ``--max-bytes``.

    uv run python bench/extract_checkout.py MIRROR_GIT_DIR COMMIT DEST [--under PATH]

Nothing is executed from the mirror; the checkout is never committed to this repository.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

#: Larger blobs are skipped (the product's reviewer skips big files too; this keeps
#: checkouts of data-heavy repositories small).
MAX_BYTES = 2_000_000


def tree(git_dir: Path, commit: str, under: str | None) -> list[tuple[str, int, str]]:
    """(blob id, size, path) of every blob in the commit (under ``under`` if given)."""
    cmd = ["git", f"--git-dir={git_dir}", "ls-tree", "-r", "-l", "-z", "--full-tree", commit]
    if under:
        cmd += ["--", under]
    out = subprocess.run(cmd, check=True, capture_output=True).stdout.decode("utf-8", "replace")
    rows = []
    for entry in out.split("\0"):
        if not entry:
            continue
        meta, _, path = entry.partition("\t")
        mode, kind, oid, size = meta.split()
        if kind == "blob" and mode != "120000":  # no symlinks: they could point outside
            rows.append((oid, int(size) if size.isdigit() else 0, path))
    return rows


def extract(
    git_dir: Path, commit: str, dest: Path, under: str | None = None, max_bytes: int = MAX_BYTES
) -> tuple[int, int]:
    """Write the blobs up to ``max_bytes``; returns (written, missing)."""
    rows = [r for r in tree(git_dir, commit, under) if r[1] <= max_bytes]
    dest.mkdir(parents=True, exist_ok=True)
    written = missing = 0
    proc = subprocess.Popen(
        ["git", f"--git-dir={git_dir}", "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    root = dest.resolve()
    for oid, _size, path in rows:
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
    parser.add_argument("--max-bytes", type=int, default=MAX_BYTES, help="skip larger blobs")
    args = parser.parse_args(argv)
    written, missing = extract(args.git_dir, args.commit, args.dest, args.under, args.max_bytes)
    print(f"{written} files written to {args.dest}, {missing} missing from the mirror")
    return 0


if __name__ == "__main__":
    sys.exit(main())
