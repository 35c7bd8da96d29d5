import subprocess
import time
from pathlib import Path

import requests
from fastapi import APIRouter
from requests import post as http_post

router = APIRouter()
WEBHOOK = "https://hooks.example.com/books"


@router.post("/books/{book_id}/publish")
async def publish(book_id: int) -> dict:
    requests.post(WEBHOOK, json={"book": book_id}, timeout=5)  # HIT
    time.sleep(0.5)  # HIT
    return {"published": book_id}


@router.get("/reports/{name}")
async def report(name: str) -> str:
    with open(Path("reports") / f"{name}.csv") as handle:  # HIT
        return handle.read()


@router.post("/thumbnails")
async def thumbnails() -> None:
    subprocess.run(["convert", "in.png", "out.png"], check=True)  # HIT


async def notify(payload: dict) -> None:
    http_post(WEBHOOK, json=payload, timeout=5)  # HIT
