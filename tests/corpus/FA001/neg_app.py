"""Lifespan handlers, and ``on_event`` methods of things that are not the app."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.db import database
from app.events import bus


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    await database.connect()
    yield
    await database.disconnect()


app = FastAPI(lifespan=lifespan)


@bus.on_event("order_created")
async def send_receipt(order_id: int) -> None:
    ...


@bus.on_event("user_deleted")
async def purge(user_id: int) -> None:
    ...


def register(app: FastAPI, name: str) -> None:
    # The event name is not known here, so this is not reported.
    app.on_event(name)(lambda: None)


class Scheduler:
    def on_event(self, kind: str) -> None:
        print("event", kind)


Scheduler().on_event("tick")
