"""Hostile repositories at full size: a 200 MB Python file and a 100,000-file tree.

The hardening tests cover these cases at small scale; this script checks that time and
memory stay bounded at the sizes named in the issue. For each repository it times what a
scan does outside the database (sync the clone with reviewer.git, review it with the
engine) next to a plain `git clone` of the same repository, measured in the same run,
and prints the ratio and the peak RSS of the review.

    uv run python bench/hostile_repos.py [--files 100000] [--big-mb 200]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reviewer import git as git_layer
from reviewer.engine import review

GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
}


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, check=True, capture_output=True)


def make_big_file_repo(path: Path, megabytes: int) -> None:
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    line = "value = session.query(User).filter(User.id == 1).first()  # padding\n"
    with (path / "huge.py").open("w") as out:
        for _ in range(megabytes * 1024 * 1024 // len(line)):
            out.write(line)
    (path / "small.py").write_text("import time\n\nasync def f():\n    time.sleep(1)\n")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "big")


def make_many_files_repo(path: Path, count: int) -> None:
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    for i in range(count):
        folder = path / f"pkg{i // 1000:03d}"
        folder.mkdir(exist_ok=True)
        (folder / f"mod{i % 1000:03d}.py").write_text(f"def f{i}(x):\n    return x + {i}\n")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "many")


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def measure(name: str, source: Path, work: Path) -> None:
    peer_dest = work / f"{name}-peer"
    peer, _ = timed(
        lambda: subprocess.run(
            ["git", "clone", "-q", "--no-local", str(source), str(peer_dest)], check=True
        )
    )
    dest = work / name
    sync_s, _ = timed(
        lambda: git_layer.sync(str(source), dest, timeout=600, local_roots=["/"], workdir=work)
    )
    review_s, result = timed(lambda: review(dest, max_file_bytes=1_000_000))
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    issues = len(result.issues)  # type: ignore[attr-defined]
    notes = len(result.notes)  # type: ignore[attr-defined]
    print(
        f"{name:>12}: sync {sync_s:6.2f}s  review {review_s:6.2f}s  "
        f"| peer git clone {peer:6.2f}s  "
        f"-> (sync+review)/clone = {(sync_s + review_s) / peer:5.2f}x"
        f"  | peak RSS {rss_mb:.0f} MB (children {children_mb:.0f} MB)"
        f"  | {issues} findings, {notes} notes"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--big-mb", type=int, default=200)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="reviewdeck-hostile-"))
    try:
        work = base / "work"
        work.mkdir()
        big, many = base / "big", base / "many"
        print(f"building a repository with one {args.big_mb} MB file ...", flush=True)
        make_big_file_repo(big, args.big_mb)
        measure("big-file", big, work)
        print(f"building a repository with {args.files} files ...", flush=True)
        make_many_files_repo(many, args.files)
        measure("many-files", many, work)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
