"""How much migration debt the paydown patches remove on real codebases, and how fast.

Usage: ``uv run python bench/paydown_bench.py [--mirrors DIR]``

Each codebase is an older commit of a public pydantic-v1 / SQLAlchemy-1.x application,
taken from a bare mirror (``fetch`` of the session tooling puts them under
``/work/.mirror/<owner>+<name>/repo``), exported file by file into a temporary folder.
For both kinds it prepares the patch (the same ``prepare`` the command and the worker
use: review, rewrite, re-review of the patched copy, ``git apply --check``) and prints:

- the share of PD001-PD004 findings the pydantic patch removes (target >= 80 %) and of
  SA001/SA002/SA004 findings the SQLAlchemy patch removes (target >= 60 %);
- new findings of any rule (target 0) and changed files that do not parse (target 0);
- the time to prepare both patches for a ~80k-line repository (two of the codebases in
  one tree), next to a cold engine review of the same tree measured in the same run
  (target < 60 s on 2 cores): once cold (an empty engine cache) and once "after a scan"
  (the engine cache a scan of that commit leaves on the worker, which is how the web
  flow runs it).

Mirrors that are missing are skipped with a note; nothing is fetched from the network.
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import tempfile
import time
from pathlib import Path

from bench.mirror_export import export
from reviewer.engine import review
from reviewer.paydown.prepare import EVERY_RULE, PatchResult, prepare

CODEBASES = [
    # (mirror folder, commit, what it is)
    ("tiangolo+full-stack-fastapi-postgresql", "490c554", "FastAPI template, 2021"),
    ("fief-dev+fief", "a804422", "fief, 2022"),
    ("mealie-recipes+mealie", "8732dc546", "mealie, 2022"),
    ("Netflix+dispatch", "8c2220e18", "Netflix dispatch, 2023"),
]
# Two codebases in one tree for the timing: ~89k lines of Python.
TIMING = [("Netflix+dispatch", "bb2aec54e"), ("mealie-recipes+mealie", "8732dc546")]
TARGETS = {
    "pydantic": ("PD001", "PD002", "PD003", "PD004"),
    "sqlalchemy": ("SA001", "SA002", "SA004"),
}


def python_lines(root: Path) -> int:
    total = 0
    for path in root.rglob("*.py"):
        with path.open("rb") as handle:
            total += sum(1 for _ in handle)
    return total


def measured(result: PatchResult, kind: str) -> tuple[int, int]:
    rules = TARGETS[kind]
    targeted = [i for i in result.removed if i.rule_id in rules]
    left = [x for x in result.left if x.issue.rule_id in rules]
    return len(targeted), len(targeted) + len(left)


def unparsable(root: Path, result: PatchResult) -> int:
    """Changed files that do not parse once the diff is applied to a copy."""
    if not result.diff:
        return 0
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        for path in result.files:
            target = Path(tmp) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(root / path, target)
        subprocess.run(["git", "init", "-q"], cwd=tmp, check=True)
        subprocess.run(["git", "apply", "-"], cwd=tmp, input=result.diff.encode(), check=True)
        bad = 0
        for path in result.files:
            try:
                ast.parse((Path(tmp) / path).read_text())
            except SyntaxError:
                bad += 1
        return bad


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mirrors", default="/work/.mirror")
    args = parser.parse_args()
    mirrors = Path(args.mirrors)
    totals = {kind: [0, 0] for kind in TARGETS}
    new_total = 0
    bad_total = 0
    print(
        f"{'codebase':<40} {'lines':>7} {'kind':<11} {'removed':>12} {'new':>4} "
        f"{'bad':>4} {'files':>5} {'offered':>7} {'s':>6}"
    )
    with tempfile.TemporaryDirectory(prefix="paydown-bench-") as tmp:
        for folder, commit, label in CODEBASES:
            mirror = mirrors / folder / "repo"
            if not mirror.is_dir():
                print(f"{label}: mirror {mirror} missing, skipped")
                continue
            root = Path(tmp) / folder
            export(mirror, commit, root)
            lines = python_lines(root)
            for kind in TARGETS:
                result = prepare(root, kind)
                removed, targeted = measured(result, kind)
                totals[kind][0] += removed
                totals[kind][1] += targeted
                new_total += len(result.new)
                bad = unparsable(root, result)
                bad_total += bad
                share = f"{removed}/{targeted}"
                print(
                    f"{label + ' @' + commit:<40} {lines:>7} {kind:<11} {share:>12} "
                    f"{len(result.new):>4} {bad:>4} {len(result.files):>5} "
                    f"{result.offered!s:>7} {result.seconds:>6.1f}"
                )
                for problem in result.problems:
                    print(f"    not offered: {problem}")
        print()
        for kind, (removed, targeted) in totals.items():
            rules = "/".join(TARGETS[kind])
            percent = 100 * removed / targeted if targeted else 0.0
            goal = 80 if kind == "pydantic" else 60
            print(
                f"{kind}: {removed} of {targeted} {rules} findings removed = {percent:.1f} % "
                f"(target >= {goal} %)"
            )
        print(f"new findings of any rule: {new_total} (target 0)")
        print(f"changed files that do not parse: {bad_total} (target 0)")

        timing_root = Path(tmp) / "timing"
        for folder, commit in TIMING:
            mirror = mirrors / folder / "repo"
            if mirror.is_dir():
                export(mirror, commit, timing_root / folder.split("+")[1])
        if not timing_root.is_dir():
            return
        lines = python_lines(timing_root)
        warm = Path(tmp) / "engine-cache"
        started = time.perf_counter()
        # The peer: a cold engine review of the tree, every rule (as prepare runs it). It
        # also fills the engine cache the way a scan of this commit does on a worker.
        peer = review(timing_root, cache_dir=warm, profile=EVERY_RULE)
        peer_seconds = time.perf_counter() - started
        print(
            f"\ntiming tree: {lines} lines of Python, {os.cpu_count()} CPUs, load "
            f"{os.getloadavg()[0]:.1f}; peer (cold engine review, {len(peer.issues)} "
            f"findings): {peer_seconds:.1f} s"
        )
        for kind in TARGETS:
            for label, cache in (("cold", None), ("after a scan", warm)):
                started = time.perf_counter()
                result = prepare(timing_root, kind, cache_dir=cache)
                seconds = time.perf_counter() - started
                print(
                    f"  prepare {kind} ({label}): {seconds:.1f} s "
                    f"({seconds / peer_seconds:.1f}x the peer), {len(result.files)} files, "
                    f"offered={result.offered} (target < 60 s)"
                )


if __name__ == "__main__":
    main()
