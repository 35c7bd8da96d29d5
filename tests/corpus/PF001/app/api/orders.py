from fastapi import APIRouter, Depends, Query
from fastapi_pagination import Page
from fastapi_pagination.ext.sqlalchemy import paginate
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import get_session
from app.models import Order
from app.schemas import OrderOut

router = APIRouter(prefix="/orders", tags=["orders"])


@router.get("", response_model=list[OrderOut])
def list_orders(session: Session = Depends(get_session), limit: int = Query(50, le=200)):
    return session.scalars(select(Order).order_by(Order.id).limit(limit)).all()


@router.get("/page", response_model=Page[OrderOut])
def paged_orders(session: Session = Depends(get_session)) -> Page[OrderOut]:
    return paginate(session, select(Order))


@router.get("/recent")
def recent_orders(session: Session = Depends(get_session)):
    stmt = select(Order).order_by(Order.created_at.desc())
    stmt = stmt.limit(20)
    return session.scalars(stmt).all()


@router.get("/{order_id}", response_model=OrderOut)
def get_order(order_id: int, session: Session = Depends(get_session)):
    return session.scalars(select(Order).where(Order.id == order_id)).one()


@router.get("/stats/count")
def count_orders(session: Session = Depends(get_session)):
    lines = session.scalars(select(Order.id)).all()
    return {"count": session.scalar(select(func.count()).select_from(Order)), "seen": bool(lines)}


@router.post("/bulk", response_model=list[OrderOut])
def bulk_create(session: Session = Depends(get_session)):
    return session.scalars(select(Order).where(Order.id.in_([1, 2]))).all()


def export_all_orders(session: Session) -> list[Order]:
    # a background export, not an endpoint
    return session.scalars(select(Order)).all()


@router.get("/tags")
def order_tags(skip: int = 0, session: Session = Depends(get_session)):
    return session.scalars(select(Order.tag).offset(skip)).all()


@router.get("/latest")
def latest_orders(session: Session = Depends(get_session)):
    return session.scalars(select(Order).order_by(Order.id.desc()).limit(10)).all()
