from fastapi import APIRouter, FastAPI

from app.db import database
from app.cache import redis_pool

app = FastAPI(title="Books")
router = APIRouter(prefix="/books")


@app.on_event("startup")  # HIT
async def connect() -> None:
    await database.connect()


@app.on_event("shutdown")  # HIT
async def disconnect() -> None:
    await database.disconnect()


@router.on_event(event_type="startup")  # HIT
async def warm_cache() -> None:
    await redis_pool.ping()


def close_pool() -> None:
    redis_pool.close()


app.on_event("shutdown")(close_pool)  # HIT
app.include_router(router)
