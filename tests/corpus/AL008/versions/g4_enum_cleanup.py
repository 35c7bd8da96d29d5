"""enums become strings

Revision ID: g4
Revises: g3
"""
import sqlalchemy as sa
from alembic import op

revision = "g4"
down_revision = "g3"


def upgrade():
    op.alter_column("persona", "search_type", type_=sa.String(50), existing_nullable=False)
    op.execute("DROP TYPE IF EXISTS searchtype")


def downgrade():
    op.alter_column(
        "persona",
        "search_type",
        type_=sa.Enum("keyword", "semantic", native_enum=False),
        existing_type=sa.String(50),
    )
