"""Starting a child process without waiting for it does not hold the loop."""

import asyncio
import subprocess

from fastapi import APIRouter

router = APIRouter()


@router.post("/previews/{slug}")
async def start_preview(slug: str) -> dict:
    process = subprocess.Popen(["preview-server", "--slug", slug], stdout=subprocess.DEVNULL)
    await asyncio.sleep(0.5)
    return {"pid": process.pid, "running": process.poll() is None}


@router.post("/previews/{slug}/build")
async def build_preview(slug: str) -> dict:
    done = subprocess.run(["preview-build", slug], check=False)  # HIT
    return {"status": done.returncode}
