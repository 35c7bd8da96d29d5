"""store each author's book count

Revision ID: d1e2
Revises: c0d1

A one-off data migration: per-row work here is AL005's finding, not an N+1 of the product.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import orm

from app.models import Author

revision = "d1e2"
down_revision = "c0d1"


def upgrade() -> None:
    op.add_column("authors", sa.Column("book_count", sa.Integer(), nullable=True))
    session = orm.Session(bind=op.get_bind())
    for author in session.query(Author).all():
        if author.books:
            author.book_count = len(author.books)
    session.commit()


def downgrade() -> None:
    op.drop_column("authors", "book_count")
