"""roles table, seeded, and users moved onto it

Revision ID: f2
Revises: f1
"""
import sqlalchemy as sa
from alembic import op

revision = "f2"
down_revision = "f1"


def upgrade():
    roles = op.create_table(
        "roles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(50)),
    )
    op.bulk_insert(roles, [{"id": 1, "name": "admin"}, {"id": 2, "name": "member"}])
    op.add_column("users", sa.Column("role_id", sa.Integer(), server_default="2"))
    op.execute("UPDATE users SET role_id = 1 WHERE is_admin")  # HIT


def downgrade():
    op.drop_column("users", "role_id")
    op.drop_table("roles")
