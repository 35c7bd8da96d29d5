"""Async code with calls that look blocking but cost nothing or run in a thread."""

import asyncio
import functools
import os.path
import shutil
import time
from pathlib import Path

import anyio
from starlette.concurrency import run_in_threadpool

EXPORTS = Path("/srv/exports")


async def paths(slug: str) -> Path:
    # Stat-like calls: microseconds on a local disk.
    target = (EXPORTS / slug).resolve()
    if os.path.exists(target) and target.is_dir():
        return target.absolute()
    return target


async def cooperative(items: list[int]) -> int:
    total = 0
    for item in items:
        total += item
        time.sleep(0)  # yields nothing, blocks nothing
    return total


async def cleanup(slug: str) -> None:
    await asyncio.to_thread(shutil.rmtree, EXPORTS / slug)
    await anyio.to_thread.run_sync(shutil.copytree, EXPORTS / slug, EXPORTS / "backup")
    await run_in_threadpool(shutil.move, EXPORTS / slug, EXPORTS / "old")
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, functools.partial(shutil.make_archive, slug, "zip"))


async def in_a_thread(slug: str) -> None:
    def copy() -> None:
        shutil.copytree(EXPORTS / slug, EXPORTS / "copy")
        time.sleep(1)

    await asyncio.to_thread(copy)


def sync_tree_copy(slug: str) -> None:
    shutil.copytree(EXPORTS / slug, EXPORTS / "sync")
