import asyncio


def main():
    asyncio.run(serve())


async def handler():
    def sync_entry():
        asyncio.run(serve())

    await asyncio.to_thread(sync_entry)


if __name__ == "__main__":
    asyncio.run(serve())
