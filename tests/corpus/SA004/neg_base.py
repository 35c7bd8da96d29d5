from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


def declarative_base():
    return "not sqlalchemy"


Local = declarative_base()
