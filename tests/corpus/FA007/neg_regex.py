import re

from fastapi import Query


def search(q: str = Query(None, pattern="^[a-z]+$")):
    return re.compile(q), re.search(pattern="x", string=q)


def Path(regex=None):
    return regex


x = Path(regex="y")
