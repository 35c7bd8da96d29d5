"""rev"""

import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = None


def upgrade():
    op.drop_column("users", "legacy_score")  # HIT
    op.drop_table("audit_old")  # HIT
    with op.batch_alter_table("orders") as batch_op:
        batch_op.drop_column("note")  # HIT


def downgrade():
    op.create_table("audit_old", sa.Column("id", sa.Integer()))
