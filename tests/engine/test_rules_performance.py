"""PF001, PF002, PF004: boundaries the corpus does not show on its own."""

from __future__ import annotations

from tests.engine.conftest import CheckRule, expected_lines, src

LIST_ROUTE = src(
    """
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/items")
    def items(session):
        rows = session.scalars(select(Item)).all()  # HIT
        return {"total": len(rows), "items": rows}

    async def refresh(session):
        return session.query(Item).all()
    """
)


def test_pf001_judges_get_routes_only(check_rule: CheckRule) -> None:
    assert check_rule("PF001", LIST_ROUTE) == expected_lines(LIST_ROUTE)
    assert check_rule("PF001", LIST_ROUTE.replace("router.get", "router.post")) == []
    counted = LIST_ROUTE.replace(', "items": rows}', "}")
    assert check_rule("PF001", counted) == []


PER_ROW = src(
    """
    def load(session, rows):
        for row in rows:
            session.add(Item(**row))  # HIT
            session.flush()
    """
)


def test_pf002_leaves_a_commit_in_the_loop_to_sa009(check_rule: CheckRule) -> None:
    assert check_rule("PF002", PER_ROW) == expected_lines(PER_ROW)
    with_commit = PER_ROW + "        session.commit()\n"
    assert check_rule("PF002", with_commit) == []
    assert check_rule("SA009", with_commit) == [5]


FK = src(
    """
    from sqlalchemy import ForeignKey
    from sqlalchemy.orm import Mapped, mapped_column

    class Line(Base):
        __tablename__ = "lines"
        order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))  # HIT
        shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id"), **INDEXED)
    """
)


def test_pf004_trusts_unknown_keyword_options(check_rule: CheckRule) -> None:
    assert check_rule("PF004", FK) == expected_lines(FK)
    assert check_rule("PF004", FK, "migrations/versions/x.py") == expected_lines(FK)
