"""hierarchy roots per source; placeholder user ids cleared

Revision ID: e4
Revises: e3
"""
import enum

import sqlalchemy as sa
from alembic import op

revision = "e4"
down_revision = "e3"


class DocumentSource(enum.Enum):
    WEB = "web"
    SLACK = "slack"


def upgrade():
    connection = op.get_bind()
    for source in DocumentSource:
        op.execute(
            sa.text("INSERT INTO hierarchy_node (raw_node_id, source) VALUES (:r, :s)").bindparams(
                r=source.value, s=source.name
            )
        )
    tables_to_update = ["chat_session", "credential", "document_set"]
    for table in tables_to_update:
        connection.execute(sa.text("UPDATE " + table + " SET user_id = NULL WHERE user_id = :u"), {"u": 1})
    queries = """
    UPDATE agents SET slots = '{}';
    UPDATE kernels SET slots = '{}';
    """
    for query in queries.split(";"):
        if query.strip():
            connection.execute(sa.text(query))


def downgrade():
    pass
