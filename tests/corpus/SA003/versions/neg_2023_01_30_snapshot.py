"""assign case owners (data migration with a model snapshot)

Revision ID: e4b4991dddcd
Revises: 3b0f5b81376f
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import Session, declarative_base, relationship

revision = "e4b4991dddcd"
down_revision = "3b0f5b81376f"

Base = declarative_base()


class DispatchUser(Base):
    __tablename__ = "dispatch_user"
    id = Column(Integer, primary_key=True)
    email = Column(String)


class Case(Base):
    __tablename__ = "case"
    id = Column(Integer, primary_key=True)
    assignee_id = Column(Integer, ForeignKey("dispatch_user.id"))
    assignee = relationship(DispatchUser)


def upgrade():
    db_session = Session(bind=op.get_bind())
    for case in db_session.query(Case):
        user = db_session.query(DispatchUser).filter(DispatchUser.id == case.assignee_id).first()
        if user is not None:
            case.assignee = user
    db_session.commit()


def downgrade():
    pass
