"""tool names follow their built-in ids

Revision ID: e3
Revises: e2
"""
import sqlalchemy as sa
from alembic import op

revision = "e3"
down_revision = "e2"

EXPECTED_TOOL_NAMES = {"SearchTool": "internal_search", "ImageTool": "generate_image"}


def upgrade():
    conn = op.get_bind()
    mapping = EXPECTED_TOOL_NAMES
    for tool_id, name in mapping.items():
        conn.execute(
            sa.text("UPDATE tool SET name = :name WHERE in_code_tool_id = :id"),
            {"name": name, "id": tool_id},
        )
    for tool_id in EXPECTED_TOOL_NAMES:
        conn.execute(sa.text("UPDATE tool SET builtin = true WHERE in_code_tool_id = :id"), {"id": tool_id})


def downgrade():
    pass
