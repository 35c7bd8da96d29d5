from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column


class Order:
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # HIT
    shop_id = Column(Integer, ForeignKey("shops.id"))  # HIT
    coupon_id: Mapped[int | None] = mapped_column(
        ForeignKey("coupons.id", name="fk_coupon"),  # HIT
    )
