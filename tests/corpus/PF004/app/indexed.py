from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), unique=True)
    body: Mapped[str] = mapped_column(String(2000))
    parent_ref: Mapped[int] = mapped_column("parent_id", ForeignKey("comments.id", ondelete="CASCADE"))

    __table_args__ = (
        Index("ix_comments_author_created", "author_id", "body"),
        UniqueConstraint("thread_id", "body"),
        {"comment": "user comments"},
    )


Index("ix_comments_parent", Comment.__table__.c.parent_id)


class Membership(Base):
    __tablename__ = "memberships"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    team_id = Column(Integer, ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)


tags = Table(
    "post_tags",
    Base.metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE")),
)


class Settings:
    # not a model: a plain settings holder
    owner_id = Column(Integer, ForeignKey("users.id"))
