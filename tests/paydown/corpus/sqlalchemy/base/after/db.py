from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

metadata = MetaData(naming_convention={"pk": "pk_%(table_name)s"})


class CustomBase:
    __repr_attrs__: list[str] = []

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class Base(DeclarativeBase):
    metadata = metadata


class Model(CustomBase, DeclarativeBase):
    pass
