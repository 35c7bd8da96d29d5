"""links move to an association table

Revision ID: a4
Revises: a3
"""

import sqlalchemy as sa
from alembic import op

revision = "a4"
down_revision = "a3"


def upgrade():
    op.create_table(
        "assoc_signal_filters",
        sa.Column("signal_id", sa.Integer(), nullable=False),
        sa.Column("signal_filter_id", sa.Integer(), nullable=False),
    )
    op.execute("UPDATE signal SET enabled = true")
    op.drop_column("signal_filter", "signal_id")  # HIT


def downgrade():
    op.add_column("signal_filter", sa.Column("signal_id", sa.Integer()))
