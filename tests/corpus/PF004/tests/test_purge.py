"""A throw-away table declared by a test: no product schema, no index worth adding."""

from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Parent(Base):
    __tablename__ = "purge_parent"
    id: Mapped[int] = mapped_column(primary_key=True)


class Child(Base):
    __tablename__ = "purge_child"
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("purge_parent.id", ondelete="CASCADE"))


def test_children_go_with_their_parent() -> None:
    assert Child.__table__.c.parent_id.foreign_keys
