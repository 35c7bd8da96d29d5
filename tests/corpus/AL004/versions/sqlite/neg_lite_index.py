"""A chain of its own that only ever runs on SQLite (versions/sqlite/): CONCURRENTLY
does not exist there, so the plain index is right (issue 11)."""
from alembic import op

revision = "lite1"
down_revision = None


def upgrade():
    op.create_index("ix_events_created", "events", ["created_at"])


def downgrade():
    op.drop_index("ix_events_created", "events")
