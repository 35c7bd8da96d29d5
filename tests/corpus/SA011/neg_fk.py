from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column


class Order:
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="RESTRICT"))


def ForeignKeyLike(name):
    return name
