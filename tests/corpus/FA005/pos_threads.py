import threading
from concurrent.futures import ThreadPoolExecutor
from threading import Thread

from fastapi import APIRouter
import asyncio

router = APIRouter(prefix="/reports", tags=["reports"])
EXECUTOR = ThreadPoolExecutor(max_workers=4)


@router.post("/")
def request_report(spec: dict) -> dict:
    threading.Thread(target=build_report, args=(spec,)).start()  # HIT
    return {"queued": True}


@router.post("/{report_id}/email")
def email_report(report_id: int) -> dict:
    worker = Thread(target=send_report, args=(report_id,), daemon=True)
    worker.start()  # HIT
    return {"sent": "later"}


@router.post("/{report_id}/refresh")
async def refresh_report(report_id: int) -> dict:
    EXECUTOR.submit(rebuild, report_id)  # HIT
    return {"ok": True}


@router.post("/{report_id}/warm")
async def warm_cache(report_id: int) -> dict:
    loop = asyncio.get_running_loop()
    loop.run_in_executor(None, warm, report_id)  # HIT
    return {"ok": True}


@router.post("/{report_id}/timer")
def delayed(report_id: int) -> dict:
    threading.Timer(30, expire, args=(report_id,)).start()  # HIT
    return {"ok": True}
