import asyncio
from asyncio import run


async def handler(user):
    asyncio.run(notify(user))  # HIT


async def other():
    def inner():
        return 1

    run(work())  # HIT
    return inner


class Service:
    async def go(self):
        return asyncio.run(self.work())  # HIT
