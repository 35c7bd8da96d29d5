"""Blocking calls kept off the event loop, and look-alikes that do not block."""

import asyncio
import subprocess
import time

import anyio
import httpx
import requests
from fastapi import APIRouter

router = APIRouter()


@router.post("/books/{book_id}/publish")
async def publish(book_id: int, client: httpx.AsyncClient) -> dict:
    await client.post("https://hooks.example.com/books", json={"book": book_id})
    await asyncio.sleep(0.5)
    return {"published": book_id}


@router.get("/reports/{name}")
def report(name: str) -> str:
    # A plain def: FastAPI runs it in its thread pool.
    time.sleep(0.1)
    with open(f"reports/{name}.csv") as handle:
        return handle.read()


async def thumbnails() -> None:
    await asyncio.to_thread(subprocess.run, ["convert", "in.png", "out.png"], check=True)
    await asyncio.to_thread(time.sleep, 1)


async def read_async(path: str) -> str:
    async with await anyio.open_file(path) as handle:
        return await handle.read()


async def in_executor() -> None:
    loop = asyncio.get_running_loop()

    def work() -> None:
        requests.get("https://example.com", timeout=5)

    await loop.run_in_executor(None, work)
    await loop.run_in_executor(None, lambda: time.sleep(1))


async def shadowed(requests: httpx.AsyncClient, open: object) -> None:
    await requests.get("https://example.com")
    print(open)
