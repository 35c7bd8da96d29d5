"""schema-only and data-only revisions, DDL text, seeding a new table

Revision ID: f3
Revises: f2
"""
import sqlalchemy as sa
from alembic import op

revision = "f3"
down_revision = "f2"

countries = sa.table("countries", sa.column("code"), sa.column("name"))


def upgrade():
    op.create_table(
        "countries",
        sa.Column("code", sa.String(2), primary_key=True),
        sa.Column("name", sa.String(100)),
    )
    op.bulk_insert(countries, [{"code": "FR", "name": "France"}])
    op.execute("INSERT INTO countries (code, name) VALUES ('DE', 'Germany')")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(sa.text("ALTER TABLE users ALTER COLUMN email TYPE citext"))
    op.create_index("ix_countries_name", "countries", ["name"])


def downgrade():
    # data only: no schema operation in this function
    op.execute("DELETE FROM countries WHERE code = 'DE'")
    op.execute(countries.delete().where(countries.c.code == "FR"))
