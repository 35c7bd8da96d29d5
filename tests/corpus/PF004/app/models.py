import sqlalchemy as sa
from sqlalchemy import Column, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))  # HIT
    coupon_id: Mapped[int | None] = mapped_column(  # HIT
        ForeignKey("coupons.id", ondelete="SET NULL"), nullable=True
    )
    # indexed, but only as the second column of a composite index
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))  # HIT
    status: Mapped[str] = mapped_column(String(20), index=True)

    __table_args__ = (Index("ix_orders_status_shop", "status", "shop_id"),)


class LegacyLine(Base):
    __tablename__ = "legacy_lines"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id", ondelete="CASCADE"))  # HIT
    product_id = sa.Column(sa.ForeignKey("products.id", ondelete="RESTRICT"))  # HIT
