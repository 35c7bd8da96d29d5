"""Whole-tree file operations and network calls that block the loop for real."""

import shutil
import smtplib
import time
from pathlib import Path
from shutil import rmtree

import httpx
from fastapi import APIRouter

router = APIRouter()
EXPORTS = Path("/srv/exports")


@router.post("/projects/{slug}/archive")
async def archive(slug: str) -> dict:
    target = (EXPORTS / slug).resolve()  # a stat-like call: not reported
    shutil.copytree(Path("/srv/projects") / slug, target)  # HIT
    shutil.make_archive(str(target), "zip", target)  # HIT
    rmtree(target)  # HIT
    return {"archive": f"{target}.zip"}


@router.post("/projects/{slug}/move")
async def move(slug: str) -> None:
    shutil.move(EXPORTS / slug, EXPORTS / "old" / slug)  # a rename: not reported


async def ping_partner(url: str) -> int:
    return httpx.get(url, timeout=5).status_code  # HIT


async def mail(report: str) -> None:
    with smtplib.SMTP("mail.internal") as smtp:  # HIT
        smtp.sendmail("bot@example.com", ["ops@example.com"], report)


async def backoff(attempt: int) -> None:
    time.sleep(0.1 * attempt)  # HIT
