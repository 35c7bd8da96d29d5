from sqlalchemy.orm import DeclarativeBase, Mapped, relationship


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"
    books: Mapped[list["Book"]] = relationship(back_populates="author")


class Book(Base):
    __tablename__ = "books"
    author: Mapped["Author"] = relationship(back_populates="books")


def relationship_between(a, b):
    relationship = a.friends(b)  # a local name, not SQLAlchemy
    return relationship
