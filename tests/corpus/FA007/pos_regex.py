from fastapi import Path, Query
import fastapi


def search(
    q: str = Query(None, regex="^[a-z]+$"),  # HIT
    slug: str = Path(..., regex="^[a-z-]+$"),  # HIT
    lang: str = fastapi.Header("en", regex="^[a-z]{2}$"),  # HIT
):
    return q, slug, lang
