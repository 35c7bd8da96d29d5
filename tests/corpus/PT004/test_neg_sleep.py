import asyncio


async def test_wait(clock):
    await asyncio.sleep(0)
    clock.advance(2)
    assert clock.now() == 2


def test_sleep_is_mocked(mocker):
    sleep = mocker.patch("time.sleep")
    assert sleep is not None
