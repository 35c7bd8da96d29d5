import time


def backoff():
    time.sleep(1)
