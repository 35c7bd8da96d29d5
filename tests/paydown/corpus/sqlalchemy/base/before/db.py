from sqlalchemy import MetaData
from sqlalchemy.ext.declarative import declarative_base

metadata = MetaData(naming_convention={"pk": "pk_%(table_name)s"})


class CustomBase:
    __repr_attrs__: list[str] = []

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


Base = declarative_base(metadata=metadata)
Model = declarative_base(cls=CustomBase)
