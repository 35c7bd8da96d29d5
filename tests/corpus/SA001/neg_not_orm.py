"""`.query(...)` calls that are not SQLAlchemy's legacy Query API."""

import aiohttp
import pandas as pd
from elasticsearch import Elasticsearch
from elasticsearch_dsl import Q, Search
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import User


def search_books(es: Elasticsearch, term: str) -> list[dict]:
    s = Search(using=es, index="books").query(Q("match", title=term))
    return [hit.to_dict() for hit in s.execute()]


def expensive(frame: pd.DataFrame, limit: float) -> pd.DataFrame:
    return frame.query(f"price > {limit}")


async def graphql(http_session: aiohttp.ClientSession, query: dict) -> dict:
    return await http_session.query(query)


def raw_count(session) -> int:
    # Some database drivers take SQL text in .query(); Session.query never does.
    return session.query("SELECT count(*) FROM users")


def modern(session: Session) -> list[User]:
    stmt = select(User).where(User.active.is_(True))
    return list(session.scalars(stmt))


def client_query(api_client, payload):
    return api_client.query(payload)


COUNT_SQL = "SELECT count(*) FROM users WHERE active"


class ReportStore:
    """A thin wrapper over a DB-API driver: its .query() takes SQL text."""

    def __init__(self, db) -> None:
        self.db = db

    def active_count(self) -> int:
        return self.db.query(COUNT_SQL)

    def by_country(self, country: str) -> list[tuple]:
        sql = "SELECT id, email FROM users WHERE country = %s"
        return self.db.query(sql, country)

    def table_size(self, table: str) -> int:
        return self.db.query("SELECT count(*) FROM " + table)
