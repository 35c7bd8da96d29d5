import logging

from sqlalchemy import create_engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.db import AsyncSessionLocal
from app.models import User

log = logging.getLogger(__name__)
engine = create_engine("postgresql+psycopg://app@db.internal/app", pool_pre_ping=True)
make_session = sessionmaker(bind=engine)


def nightly_cleanup() -> int:
    session = make_session()  # HIT
    removed = session.query(User).filter(User.deleted).delete()
    session.commit()
    return removed


def report(engine) -> list[User]:
    db = Session(engine)  # HIT
    users = db.query(User).all()
    return [u.email for u in users]


async def touch_all() -> None:
    session = AsyncSessionLocal()  # HIT
    await session.execute(User.__table__.update().values(seen=True))
    await session.commit()


def import_users(rows: list[dict]) -> None:
    with make_session() as session:
        for row in rows:
            try:
                session.add(User(**row))
                session.commit()
            except IntegrityError:  # HIT
                log.warning("duplicate user %s", row["email"])


def rename(session: Session, user: User, name: str) -> None:
    try:
        user.name = name
        session.commit()
    except SQLAlchemyError:  # HIT
        log.exception("rename failed")
    session.refresh(user)
