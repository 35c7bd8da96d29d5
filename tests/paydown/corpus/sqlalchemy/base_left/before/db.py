from sqlalchemy.orm import declarative_base


class WithInit:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


Named = declarative_base(name="Named")
Constructed = declarative_base(cls=WithInit)
Commented = declarative_base()  # shared by every model


def make_base():
    return declarative_base()
