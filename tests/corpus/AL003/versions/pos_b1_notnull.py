"""rev"""
import sqlalchemy as sa
from alembic import op

revision = "b1"
down_revision = None


def upgrade():
    op.add_column("users", sa.Column("plan", sa.String(), nullable=False))  # HIT
    op.add_column(
        "orders",
        sa.Column("total", sa.Numeric(), nullable=False),  # HIT
    )
    with op.batch_alter_table("t") as batch_op:
        batch_op.add_column(sa.Column("flag", sa.Boolean(), nullable=False))  # HIT


def downgrade():
    op.drop_column("users", "plan")
