from sqlalchemy.ext.declarative import declarative_base
from sqlalchemy.orm import declarative_base as make_base
import sqlalchemy.orm as orm

Base = declarative_base()  # HIT
Other = make_base()  # HIT
Third = orm.declarative_base()  # HIT
