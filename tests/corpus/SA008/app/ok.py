import contextlib
import logging
from collections.abc import Iterator

import requests
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from app.db import SessionLocal, engine
from app.models import User

log = logging.getLogger(__name__)
Registry = scoped_session(sessionmaker(bind=engine))


def get_db() -> Iterator[Session]:
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


def make_unit_of_work() -> Session:
    session = SessionLocal()
    return session


class Repository:
    def __init__(self) -> None:
        session = SessionLocal()
        self.session = session


def with_block() -> int:
    session = SessionLocal()
    with session:
        return session.query(User).count()


def closing_helper() -> None:
    session = SessionLocal()
    with contextlib.closing(session):
        session.query(User).all()


def scoped() -> None:
    session = Registry()
    session.query(User).all()


def http_session() -> None:
    session = requests.Session()
    session.get("https://example.org")


def closed_later(rows) -> None:
    session = SessionLocal()
    for row in rows:
        session.add(User(**row))
    session.commit()
    session.close()


def create(session: Session, row: dict) -> User | None:
    try:
        user = User(**row)
        session.add(user)
        session.commit()
    except IntegrityError:
        session.rollback()
        log.warning("duplicate")
        return None
    return user


def create_or_fail(session: Session, row: dict) -> None:
    try:
        session.add(User(**row))
        session.commit()
    except IntegrityError as exc:
        raise ValueError("duplicate user") from exc
    session.refresh(row)


def last_step(row: dict) -> None:
    with SessionLocal() as session:
        try:
            session.add(User(**row))
            session.commit()
        except IntegrityError:
            log.warning("duplicate, nothing else to do")


def other_errors(session: Session, rows) -> None:
    for row in rows:
        try:
            session.add(User(**row))
            session.commit()
        except KeyError:
            log.warning("bad row")


def build_factory(engine):
    factory = sessionmaker(bind=engine)
    return factory


async def per_org(organizations, sessionmaker) -> None:
    for org in organizations:
        try:
            async with sessionmaker() as session:
                session.add(org)
                await session.commit()
        except Exception:
            log.exception("failed for %s", org)


def per_row_session(rows) -> None:
    for row in rows:
        session = SessionLocal()
        try:
            session.add(User(**row))
            session.commit()
        except IntegrityError:
            log.warning("duplicate")
        finally:
            session.close()
