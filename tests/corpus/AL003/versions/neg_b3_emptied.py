"""approvals take a list of actions

Revision ID: b3
Revises: b2
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "b3"
down_revision = "b2"


def upgrade():
    op.execute("DELETE FROM action_approval")
    op.add_column("action_approval", sa.Column("actions", postgresql.JSONB(), nullable=False))
    op.add_column(
        "jobs",
        sa.Column("kind", sa.String(), sa.Computed("payload ->> 'kind'"), nullable=False),
    )


def downgrade():
    op.drop_column("jobs", "kind")
    op.drop_column("action_approval", "actions")
