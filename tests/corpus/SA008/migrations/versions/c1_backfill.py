"""backfill with the ORM"""

from alembic import op
from sqlalchemy.orm import Session

revision = "c1"
down_revision = None


def upgrade():
    bind = op.get_bind()
    session = Session(bind=bind)
    session.execute(op.inline_literal("SELECT 1"))
    session.commit()


def downgrade():
    pass
