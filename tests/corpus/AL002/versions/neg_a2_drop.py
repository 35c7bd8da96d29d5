"""rev"""

import sqlalchemy as sa
from alembic import op

revision = "a2"
down_revision = None


def upgrade():
    op.add_column("users", sa.Column("score", sa.Integer(), nullable=True))
    op.drop_index("ix_users_email")
    op.drop_constraint("uq_users_email", "users")


def downgrade():
    op.drop_column("users", "score")
    op.drop_table("audit")
