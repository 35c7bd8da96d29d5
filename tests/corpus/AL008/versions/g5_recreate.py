"""drop the colour type, re-created on the way back

Revision ID: g5
Revises: g4
"""
import sqlalchemy as sa
from alembic import op

revision = "g5"
down_revision = "g4"


def upgrade():
    op.drop_column("cars", "colour")
    sa.Enum(name="colour").drop(op.get_bind())


def downgrade():
    op.add_column("cars", sa.Column("colour", sa.Enum("red", "blue", name="colour")))
