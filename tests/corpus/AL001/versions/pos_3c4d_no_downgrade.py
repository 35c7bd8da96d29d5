"""add reviews

Revision ID: 3c4d
Revises: 2b3c
"""

import sqlalchemy as sa
from alembic import op

revision = "3c4d"
down_revision = "2b3c"


def upgrade() -> None:  # HIT
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("book_id", sa.Integer(), sa.ForeignKey("books.id", ondelete="CASCADE")),
        sa.Column("body", sa.Text(), nullable=False),
    )
