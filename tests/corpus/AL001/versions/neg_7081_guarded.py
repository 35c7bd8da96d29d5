"""backfill slugs (downgrade checks before it raises)

Revision ID: 7081
Revises: 6f70
"""

import sqlalchemy as sa
from alembic import op

revision = "7081"
down_revision = "6f70"


def upgrade() -> None:
    op.add_column("books", sa.Column("slug", sa.String(200), nullable=True))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        raise RuntimeError("only PostgreSQL is supported")
    op.drop_column("books", "slug")
