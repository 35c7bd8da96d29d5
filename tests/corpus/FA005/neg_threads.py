import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from fastapi import APIRouter, BackgroundTasks

router = APIRouter(prefix="/reports", tags=["reports"])
EXECUTOR = ThreadPoolExecutor(max_workers=4)


@router.post("/")
def request_report(spec: dict, tasks: BackgroundTasks) -> dict:
    tasks.add_task(build_report, spec)
    return {"queued": True}


@router.post("/{report_id}/render")
def render_report(report_id: int) -> dict:
    worker = threading.Thread(target=render, args=(report_id,))
    worker.start()
    worker.join(timeout=10)
    return {"rendered": True}


@router.get("/{report_id}/parts")
def parts(report_id: int) -> list[str]:
    with ThreadPoolExecutor() as pool:
        pool.submit(prefetch, report_id)
        return list(pool.map(load_part, range(4)))


@router.get("/{report_id}/checksum")
async def checksum(report_id: int) -> dict:
    loop = asyncio.get_running_loop()
    value = await loop.run_in_executor(None, compute_checksum, report_id)
    future = EXECUTOR.submit(compute_checksum, report_id)
    return {"value": value, "again": future.result()}


@router.post("/{report_id}/start")
def start_report(report_id: int, scheduler=None) -> dict:
    scheduler.start()
    job = scheduler.submit(report_id)
    return {"job": job}


def start_background_worker() -> None:
    threading.Thread(target=consume_queue, daemon=True).start()
