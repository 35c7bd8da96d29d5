"""Rule-engine benchmark: cold, warm and one-file-changed reviews next to ruff.

    uv run python bench/engine_bench.py [--lines 100000] [--tree DIR]

Generates (or takes, with ``--tree``) a tree of realistic FastAPI / SQLAlchemy /
Pydantic / Alembic modules and times, in one run, on the same tree:

* ``ruff check --select ALL`` (the named peer),
* a cold review (no cache: ``manage.py review --no-cache``'s path), with ruff's
  reused checks included,
* a warm review with nothing changed (results cached by content hash),
* a review after one file changed,

and prints the ratios to ruff's wall time and the peak RSS of the review process and
its workers. Targets on 2 cores: cold <= 3x ruff, warm <= 0.5x ruff, one file changed
< 0.3 s, peak RSS < 500 MB.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reviewer.engine import review
from reviewer.engine.ruff import ruff_binary

MODULE = '''"""Orders service {n}."""

import time

import requests
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field, validator
from sqlalchemy import ForeignKey, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

router = APIRouter(prefix="/orders{n}", tags=["orders"])


class Order{n}(BaseModel):
    id: int
    code: str = Field(..., regex="^[A-Z]+$")

    class Config:
        orm_mode = True

    @validator("code")
    def upper(cls, value):
        return value.upper()


class Line{n}:
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    items = relationship("Item")


def load(session: Session, order_id: int) -> list[Order{n}]:
    rows = session.query(Order{n}).filter_by(id=order_id).all()
    for row in rows:
        session.add(row)
        session.commit()
    return [Order{n}.from_orm(r) for r in rows]


def search(session: Session, name: str):
    return session.execute(text(f"SELECT * FROM orders WHERE name = '{{name}}'"))


@router.get("/{{order_id}}")
async def get_order(order_id: int, q: str = Query(None, regex="^[a-z]+$")):
    time.sleep(0.1)
    response = requests.get("https://example.com")
    try:
        return response.json()
    except:
        pass


def compute_{n}(values: list[int]) -> int:
    total = 0
    for value in values:
        if value % 2:
            total += value * 3
        else:
            total -= value
    return total


def summarise_{n}(orders: list[dict[str, int]]) -> dict[str, int]:
    result: dict[str, int] = {{}}
    for order in orders:
        for key, value in order.items():
            result[key] = result.get(key, 0) + value
    return result
'''


def generate(root: Path, lines: int) -> int:
    per_file = MODULE.count("\n") + 1
    count = max(1, lines // per_file)
    for n in range(count):
        package = root / "app" / f"pkg{n // 50}"
        package.mkdir(parents=True, exist_ok=True)
        (package / f"orders_{n}.py").write_text(MODULE.format(n=n))
    return count


def timed[T](label: str, func: Callable[[], T], repeat: int = 1) -> tuple[float, T]:
    """The median wall time of ``repeat`` runs (the machine is shared and noisy)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        value = func()
        times.append(time.perf_counter() - started)
    elapsed = statistics.median(times)
    spread = f"  (min {min(times):.3f}, max {max(times):.3f}, {repeat} runs)" if repeat > 1 else ""
    print(f"{label:<34} {elapsed:8.3f} s{spread}")
    return elapsed, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--tree", type=Path, help="review this tree instead of a generated one")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (median)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="engine-bench-"))
    try:
        if args.tree:
            root = args.tree.resolve()
        else:
            root = work / "tree"
            files = generate(root, args.lines)
            print(f"generated {files} files, ~{args.lines} lines under {root}")
        total = sum(p.read_bytes().count(b"\n") for p in root.rglob("*.py"))
        print(f"{total} lines of Python\n")
        cache_dir = work / "cache"
        binary = ruff_binary()
        assert binary, "ruff is not installed"

        ruff_time, _ = timed(
            "ruff check --select ALL",
            lambda: subprocess.run(
                [
                    binary,
                    "check",
                    "--isolated",
                    "--no-cache",
                    "--select",
                    "ALL",
                    "--exit-zero",
                    "--quiet",
                    ".",
                ],
                cwd=root,
                capture_output=True,
                check=False,
            ),
            args.repeat,
        )
        cold, result = timed(
            "review, cold (--no-cache)",
            lambda: review(root, jobs=args.jobs, ruff=True, cache_dir=None),
            args.repeat,
        )
        timed(
            "review, filling the cache",
            lambda: review(root, jobs=args.jobs, ruff=True, cache_dir=cache_dir),
        )
        warm, warm_result = timed(
            "review, warm (nothing changed)",
            lambda: review(root, jobs=args.jobs, ruff=True, cache_dir=cache_dir),
            args.repeat,
        )
        first = sorted(root.rglob("*.py"))[0]
        edits = iter(range(args.repeat))

        def change_one_file_and_review() -> object:
            n = next(edits)
            first.write_text(first.read_text() + f"\n\ndef added_{n}() -> int:\n    return {n}\n")
            return review(root, jobs=args.jobs, ruff=True, cache_dir=cache_dir)

        one, _ = timed("review, one file changed", change_one_file_and_review, args.repeat)
        assert len(warm_result.issues) == len(result.issues), "warm and cold disagree"

        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"\n{len(result.issues)} findings in {result.files_reviewed} files "
            f"({result.stats.get('workers')} workers)"
        )
        print(f"cold / ruff          {cold / ruff_time:6.2f}x   (target <= 3x)")
        print(f"warm / ruff          {warm / ruff_time:6.2f}x   (target <= 0.5x)")
        print(f"one file changed     {one:6.3f} s   (target < 0.3 s for 100k lines)")
        print(
            f"peak RSS             {own:6.0f} MB in the review process, "
            f"{children:.0f} MB in the largest child (target < 500 MB)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
