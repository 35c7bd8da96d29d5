import sqlalchemy as sa
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class TimestampMixin:
    created_at = Column(DateTime(timezone=True), server_default=func.now())  # HIT


class Customer(TimestampMixin, Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email = Column(String(320), nullable=False, unique=True)  # HIT
    name: str = Column(String(120))  # HIT


class Invoice(Base):
    __tablename__ = "invoices"

    id = sa.Column(sa.Integer, primary_key=True)  # HIT
    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"))  # HIT
