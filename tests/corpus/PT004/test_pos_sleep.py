import time
from time import sleep


def test_expiry(cache):
    cache.set("k", 1, ttl=1)
    time.sleep(1.1)  # HIT
    assert cache.get("k") is None


def test_retry(client):
    sleep(0.5)  # HIT
    assert client.ok


def wait_helper():
    time.sleep(0.1)  # HIT
