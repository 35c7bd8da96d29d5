"""add the oidc auth method

Revision ID: b4c5
Revises: a3b4
"""

from alembic import op

revision = "b4c5"
down_revision = "a3b4"


def is_postgres() -> bool:
    return op.get_context().dialect.name == "postgresql"


def upgrade() -> None:
    if is_postgres():
        op.execute("ALTER TYPE authmethod ADD VALUE 'OIDC'")


def downgrade() -> None:
    pass
