"""default for processing mode

Revision ID: 92a3
Revises: 8192
"""

from alembic import op

revision = "92a3"
down_revision = "8192"


def upgrade() -> None:
    op.alter_column("jobs", "mode", server_default="REGULAR")


def downgrade() -> None:
    # The old default was broken; going back to it would break new rows again.
    pass
