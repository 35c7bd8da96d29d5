from sqlalchemy.orm import DeclarativeBase, relationship


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"
    books = relationship("Book", back_populates="author")  # HIT


class Book(Base):
    __tablename__ = "books"
    author = relationship("Author", back_populates="books")  # HIT
    tags = relationship("Tag", secondary="book_tags")  # HIT
