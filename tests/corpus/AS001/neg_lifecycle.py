"""Start-up and shutdown hooks: no request is served while they run."""

import shutil
from contextlib import asynccontextmanager
from pathlib import Path

import requests
from fastapi import FastAPI

CACHE = Path("/var/cache/models")


@asynccontextmanager
async def lifespan(app: FastAPI):
    if (CACHE / "tmp").is_dir():
        shutil.rmtree(CACHE / "tmp", ignore_errors=True)
    app.state.models = requests.get("http://registry/models", timeout=10).json()
    yield


app = FastAPI(lifespan=lifespan)


@app.on_event("shutdown")
async def drop_cache() -> None:
    shutil.rmtree(CACHE, ignore_errors=True)


@app.get("/models")
async def models() -> list[str]:
    return requests.get("http://registry/models", timeout=10).json()  # HIT


async def load_registry(legacy: Path, final: Path) -> None:
    if legacy.is_file():
        shutil.move(legacy, final)
