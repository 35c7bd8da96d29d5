"""A handler that hands the database error to a helper raising a domain error."""

from typing import NoReturn

from sqlalchemy.exc import IntegrityError


class DuplicateSlug(Exception):
    pass


class ArticleWriter:
    def __init__(self, session) -> None:
        self._session = session

    def _translate(self, error: IntegrityError) -> NoReturn:
        if "slug" in str(error.orig):
            raise DuplicateSlug() from error
        raise error

    def _log_only(self, error: IntegrityError) -> None:
        print("insert failed", error)

    async def save_all(self, articles) -> None:
        for article in articles:
            self._session.add(article)
            try:
                await self._session.flush()
            except IntegrityError as e:
                self._translate(e)
            await self._session.refresh(article)

    async def save_quietly(self, articles) -> None:
        for article in articles:
            self._session.add(article)
            try:
                await self._session.flush()
            except IntegrityError as e:  # HIT
                self._log_only(e)
            await self._session.refresh(article)


def _reject(error: IntegrityError):
    raise DuplicateSlug() from error


def rename(session, article, slug: str) -> None:
    article.slug = slug
    try:
        session.commit()
    except IntegrityError as e:
        _reject(e)
    session.refresh(article)
