"""merge heads

Revision ID: 5e6f
Revises: 4d5e, 9a9a
"""

revision = "5e6f"
down_revision = ("4d5e", "9a9a")


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
