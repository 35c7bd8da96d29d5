import httpx

from app.clients import fetch_orders, fetch_profile, get_price


async def dashboard(user_id: int) -> dict:
    profile = await fetch_profile(user_id)  # HIT
    orders = await fetch_orders(user_id)
    return {"profile": profile, "orders": orders}


async def compare_prices(client: httpx.AsyncClient) -> tuple:
    ours = await client.get("https://api.example.com/prices/ours")  # HIT
    theirs = await client.get("https://api.example.com/prices/theirs")
    return ours.json(), theirs.json()


async def basket_total(skus: list[str]) -> float:
    prices = [await get_price(sku) for sku in skus]  # HIT
    return sum(prices)


async def warm_cache(keys: list[str], cache) -> dict:
    found = {}
    for key in keys:
        found[key] = await cache.get(key)  # HIT
    return found


async def load_everything(user_id: int, client: httpx.AsyncClient) -> dict:
    if user_id:
        settings: dict = await load_settings(user_id)  # HIT
        avatar = await client.get(f"/avatars/{user_id}")
        flags = await fetch_flags(user_id)
        return {"settings": settings, "avatar": avatar, "flags": flags}
    return {}
