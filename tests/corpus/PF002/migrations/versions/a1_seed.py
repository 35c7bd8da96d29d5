"""seed (AL005 territory)"""
import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = None


def upgrade():
    conn = op.get_bind()
    for row in conn.execute(sa.text("SELECT id FROM users")):
        conn.execute(sa.text("INSERT INTO profiles (user_id) VALUES (:id)"), {"id": row.id})


def downgrade():
    op.execute("DELETE FROM profiles")
