import asyncio


async def notify_owner(order_id: int) -> None:
    await asyncio.sleep(0)


async def is_allowed(user_id: int) -> bool:
    return user_id > 0


async def close_order(order_id: int, user_id: int) -> None:
    if is_allowed(user_id):  # HIT
        notify_owner(order_id)  # HIT


def sync_entry(order_id: int) -> None:
    notify_owner(order_id)  # HIT


class Mailer:
    async def send(self, to: str) -> None:
        await asyncio.sleep(0)

    async def send_all(self, recipients: list[str]) -> None:
        for to in recipients:
            self.send(to)  # HIT


async def main() -> None:
    await close_order(1, 2)


if __name__ == "__main__":
    main()  # HIT


async def sync_users(user_ids: list[int]) -> None:
    async def push(user_id: int) -> None:
        await asyncio.sleep(0)

    for user_id in user_ids:
        push(user_id)  # HIT
