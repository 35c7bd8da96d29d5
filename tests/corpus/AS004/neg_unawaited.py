import asyncio
import functools

from app.tasks import send_email


async def notify_owner(order_id: int) -> None:
    await asyncio.sleep(0)


def log_close(order_id: int) -> None:
    print(order_id)


@some_framework.task
async def job(order_id: int) -> None:
    await asyncio.sleep(0)


async def close_order(order_id: int) -> None:
    await notify_owner(order_id)
    log_close(order_id)
    send_email(order_id)
    job(order_id)
    task = asyncio.create_task(notify_owner(order_id))
    await task
    coro = notify_owner(order_id)
    await coro
    await asyncio.gather(notify_owner(1), notify_owner(2))


async def shadowed(notify_owner) -> None:
    notify_owner(1)


async def fallback() -> None:
    pass


try:
    from app.compat import fallback
except ImportError:
    pass


async def uses_fallback() -> None:
    fallback()


class Mailer:
    async def send(self, to: str) -> None:
        await asyncio.sleep(0)

    def flush(self) -> None:
        pass

    async def send_all(self, recipients: list[str]) -> None:
        self.flush()
        for to in recipients:
            await self.send(to)


class Other:
    def send(self, to: str) -> None:
        pass

    def go(self) -> None:
        self.send("x")


if __name__ == "__main__":
    asyncio.run(close_order(1))


async def nested_done_right(user_ids: list[int]) -> None:
    async def push(user_id: int) -> None:
        await asyncio.sleep(0)

    def log(user_id: int) -> None:
        print(user_id)

    for user_id in user_ids:
        await push(user_id)
        log(user_id)


async def shadowed_by_a_sync_local() -> None:
    def close_order(order_id: int) -> None:
        print(order_id)

    close_order(1)


def reassigned_local() -> None:
    async def work() -> None:
        pass

    work = functools.partial(print, "sync now")
    work()
