"""rev"""
import sqlalchemy as sa
from alembic import op

revision = "b2"
down_revision = None


def upgrade():
    op.add_column("users", sa.Column("plan", sa.String(), nullable=False, server_default="free"))
    op.add_column("users", sa.Column("note", sa.String(), nullable=True))
    op.create_table("t", sa.Column("id", sa.Integer(), nullable=False))


def downgrade():
    op.add_column("users", sa.Column("legacy", sa.String(), nullable=False))
