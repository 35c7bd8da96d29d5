import os
from os import environ


def client():
    key = os.getenv("PAYMENTS_KEY")  # HIT
    url = os.environ["PAYMENTS_URL"]  # HIT
    return key, url, environ.get("TIMEOUT")  # HIT
