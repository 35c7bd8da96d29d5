"""enum value and a column

Revision ID: c5d6
Revises: b4c5
"""

from alembic import op

revision = "c5d6"
down_revision = "b4c5"


def upgrade() -> None:
    op.execute("ALTER TYPE authmethod ADD VALUE 'SAML'")
    op.execute("ALTER TABLE users ADD COLUMN saml_subject text")


def downgrade() -> None:  # HIT
    pass
