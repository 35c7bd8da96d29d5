import asyncio

from sqlalchemy.ext.asyncio import AsyncSession


async def dashboard(user_id: int, session: AsyncSession) -> dict:
    # One AsyncSession cannot run two queries at once.
    profile = await session.get(Profile, user_id)
    orders = await get_orders(session, user_id)
    return {"profile": profile, "orders": orders}


async def checkout(user_id: int) -> dict:
    user = await fetch_user(user_id)
    address = await fetch_address(user.address_id)
    return {"user": user, "address": address}


async def gathered(user_id: int) -> tuple:
    return await asyncio.gather(fetch_profile(user_id), fetch_orders(user_id))


async def paginate(client) -> list:
    items, cursor = [], None
    for _ in range(10):
        page = await client.get("/items", params={"cursor": cursor})
        cursor = page.json()["next"]
        items.extend(page.json()["items"])
    return items


async def first_available(hosts: list[str], client) -> str | None:
    for host in hosts:
        reply = await client.get(f"https://{host}/health")
        if reply.status_code == 200:
            return host
    return None


async def throttled(urls: list[str], client) -> list:
    out = []
    for url in urls:
        out.append(await client.get(url))
        await asyncio.sleep(0.5)  # rate limit on purpose
    return out


async def consume(inbox) -> tuple:
    first = await inbox.get()
    second = await inbox.get()
    return first, second


async def side_effects(order) -> None:
    await send_receipt(order)
    await notify_warehouse(order)


async def service_methods(self_like, user_id: int) -> tuple:
    user = await self_like.user_service.get_user(user_id)
    team = await self_like.user_service.get_team(user_id)
    return user, team


class Loader:
    async def both(self, user_id: int) -> tuple:
        user = await self.get_user(user_id)
        team = await self.get_team(user_id)
        return user, team


async def one_each(user_id: int) -> dict:
    profile = await fetch_profile(user_id)
    audit = log_access(user_id)
    orders = await fetch_orders(user_id)
    return {"profile": profile, "orders": orders, "audit": audit}


async def stream_rows(reader) -> list:
    async for row in reader:
        await process(row)
    return []


async def factors_share_a_session(session, user_id: int) -> tuple:
    totp = TOTPFactor(session)
    codes = BackupCodesFactor(session)
    enrollment = await totp.get_by_identity_id(user_id)
    backup = await codes.get_enrollment(user_id)
    return enrollment, backup


async def per_item_with_a_wrapped_connection(engine, ids: list[int]) -> list:
    async with engine.connect() as c:
        return [await c.get_row(i) for i in ids]
