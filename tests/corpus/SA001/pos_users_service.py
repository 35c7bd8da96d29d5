from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from app.db import SessionLocal, get_db
from app.models import Order, User

router = APIRouter()


def active_users(session: Session) -> list[User]:
    return session.query(User).filter(User.active.is_(True)).all()  # HIT


@router.get("/users/{user_id}/orders")
def user_orders(user_id: int, db: Session = Depends(get_db)) -> list[dict]:
    orders = (
        db.query(Order)  # HIT
        .filter(Order.user_id == user_id)
        .order_by(Order.created_at.desc())
        .all()
    )
    return [{"id": o.id, "total": o.total} for o in orders]


class UserRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def by_email(self, email: str) -> User | None:
        return self._session.query(User).filter_by(email=email).one_or_none()  # HIT


def count_users() -> int:
    return SessionLocal().query(User).count()  # HIT
