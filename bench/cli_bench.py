"""The standalone ``reviewdeck review`` as a whole process, next to ruff, on a real tree.

    uv run python bench/cli_bench.py --tree DIR
    uv run python bench/cli_bench.py --git-dir MIRROR.git   # extracts its *.py files

Times, in one run, on the same tree, each as a process started from the shell, with
the peer measured in the same run:

* peer ``ruff check --select ALL`` on the tree (no cache), against which
  ``reviewdeck review --no-cache`` (cold: interpreter start, imports, every rule, ruff)
  and ``reviewdeck review`` with nothing changed (warm: results cached by content hash);
* peer ``ruff check --select ALL FILE`` on one file just changed, against which
  ``reviewdeck review`` of the tree after that file changed, the same with ``--diff HEAD``
  (the CI case; the tree is a git repository) and ``reviewdeck review FILE`` (what the
  pre-commit hook runs);
* ``python -c pass`` and ``reviewdeck --version`` (interpreter and command start-up).

Bytecode is written as on a user's machine (the first run of an installed package
writes it; ``PYTHONDONTWRITEBYTECODE`` is dropped and one untimed run imports every
module first), so no timed run compiles the engine or its dependencies.

Targets (issue 17, on 2 cores): cold <= 3x ruff, warm <= 1x ruff, one file changed
<= 0.3 s end to end. A ~80k-line real tree: Netflix/dispatch (84k lines of Python at the
time of writing). The machine's load average is printed before and after: on a shared
machine the ratios hold better than the seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.engine_bench import timed
from reviewer.engine.ruff import ruff_binary

SCRIPT = Path(sys.executable).parent / "reviewdeck"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
}


def extract_python(git_dir: Path, target: Path) -> None:
    """The ``*.py`` files of HEAD of a (possibly partial) bare repository."""
    listing = subprocess.run(
        ["git", "--git-dir", str(git_dir), "ls-tree", "-r", "--name-only", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    names = [n for n in listing if n.endswith(".py")]
    archive = target.parent / "tree.tar"
    with archive.open("wb") as out:
        subprocess.run(
            ["git", "--git-dir", str(git_dir), "archive", "HEAD", "--", *names],
            stdout=out,
            check=True,
        )
    target.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    archive.unlink()


def run(args: list[str], cwd: Path, env: dict[str, str]) -> int:
    done = subprocess.run(
        args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"{args[0]} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return done.returncode


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--tree", type=Path, help="a folder of Python code (copied)")
    source.add_argument("--git-dir", type=Path, help="a bare repository: its HEAD's *.py files")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    args = parser.parse_args()
    assert SCRIPT.exists(), "run `uv sync` first: it installs the reviewdeck script"
    binary = ruff_binary()
    assert binary, "ruff is not installed"

    work = Path(tempfile.mkdtemp(prefix="cli-bench-"))
    try:
        root = work / "tree"
        if args.tree:
            shutil.copytree(args.tree, root, symlinks=True)
        else:
            extract_python(args.git_dir, root)
        files = sorted(root.rglob("*.py"))
        total = sum(p.read_bytes().count(b"\n") for p in files)
        print(f"{len(files)} files, {total} lines of Python; {os.cpu_count()} CPUs")
        print(f"load average before: {load()}\n")
        env = {**os.environ, **GIT_ENV, "REVIEWDECK_CACHE_DIR": str(work / "cache")}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode after a first run
        for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "bench"]):
            subprocess.run(["git", *command], cwd=root, env=env, check=True)
        review = [str(SCRIPT), "review", "."]  # the default text report, as a person types it
        ruff = [binary, "check", "--isolated", "--no-cache", "--select", "ALL", "--exit-zero"]
        # Untimed: writes the bytecode of everything the timed runs import (engine, rules,
        # workers, GitPython for --diff).
        run([*review, "--no-cache", "--diff", "HEAD"], root, env)

        python, _ = timed(
            "python -c pass", lambda: run([sys.executable, "-c", "pass"], root, env), args.repeat
        )
        started, _ = timed(
            "reviewdeck --version", lambda: run([str(SCRIPT), "--version"], root, env), args.repeat
        )
        ruff_time, _ = timed("ruff check --select ALL", lambda: run(ruff, root, env), args.repeat)
        cold, _ = timed(
            "reviewdeck review --no-cache",
            lambda: run([*review, "--no-cache"], root, env),
            args.repeat,
        )
        timed("reviewdeck review (fills cache)", lambda: run(review, root, env))
        warm, _ = timed("reviewdeck review, warm", lambda: run(review, root, env), args.repeat)
        edits = iter(range(100 * args.repeat))
        changed = files[len(files) // 2]
        rel = changed.relative_to(root).as_posix()

        def after_edit(command: list[str]) -> Callable[[], int]:
            def go() -> int:
                n = next(edits)
                changed.write_text(
                    changed.read_text() + f"\n\ndef added_{n}() -> int:\n    return {n}\n"
                )
                return run(command, root, env)

            return go

        ruff_one, _ = timed("ruff check --select ALL FILE", after_edit([*ruff, rel]), args.repeat)
        one, _ = timed("reviewdeck review, one file changed", after_edit(review), args.repeat)
        diff, _ = timed(
            "  ... with --diff HEAD", after_edit([*review, "--diff", "HEAD"]), args.repeat
        )
        staged, _ = timed(
            "  ... that file only (pre-commit)",
            after_edit([str(SCRIPT), "review", rel]),
            args.repeat,
        )
        uv = shutil.which("uv")
        if uv:
            project = str(Path(__file__).resolve().parent.parent)
            via_uv = [uv, "run", "--no-sync", "--project", project, *review]
            timed("  ... via `uv run reviewdeck`", lambda: run(via_uv, root, env), args.repeat)
        print(f"\nload average after: {load()}")
        print(
            f"start-up: python {python:.3f} s, reviewdeck --version {started:.3f} s\n"
            f"cold {cold / ruff_time:.2f}x ruff (target <= 3x), "
            f"warm {warm / ruff_time:.2f}x ruff (target <= 1x)\n"
            f"one file changed {one:.3f} s ({one / ruff_one:.2f}x ruff on that file), "
            f"with --diff {diff:.3f} s ({diff / ruff_one:.2f}x), "
            f"pre-commit style {staged:.3f} s ({staged / ruff_one:.2f}x) "
            f"(target <= 0.3 s; ruff on the file alone {ruff_one:.3f} s)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
