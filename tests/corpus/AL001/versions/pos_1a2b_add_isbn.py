"""add isbn to books

Revision ID: 1a2b
Revises: 0f0f
"""

import sqlalchemy as sa
from alembic import op

revision = "1a2b"
down_revision = "0f0f"


def upgrade() -> None:
    op.add_column("books", sa.Column("isbn", sa.String(13), nullable=True))
    op.create_index("ix_books_isbn", "books", ["isbn"])


def downgrade() -> None:  # HIT
    pass
