"""Interpolated identifiers and constants: nothing a user controls reaches the SQL."""

from enum import Enum

import sqlalchemy as sa
from sqlalchemy import text

_LIFECYCLE_ENUM = "endpointlifecycle"
NULL_ID = "00000000-0000-0000-0000-000000000000"
_BACKFILLED = {"role": "'user'", "status": "'active'"}


class Unit:
    __tablename__ = "units"
    _threshold = 0.7

    @classmethod
    def tune(cls, session):
        session.execute(text(f"set pg_trgm.similarity_threshold = {cls._threshold};"))
        session.execute(text(f"SELECT * FROM units WHERE score > {cls._threshold}"))


def migrate(session, conn, unit, table, column, read_user, schema):
    session.execute(
        sa.text(f"UPDATE {Unit.__tablename__} SET name = :name WHERE id = :id").bindparams(
            name=unit.name, id=unit.id
        )
    )
    conn.execute(text(f"UPDATE {table} SET {column} = :value WHERE id = :id"), {"value": 1, "id": 2})
    conn.execute(text(f"DROP TYPE IF EXISTS {_LIFECYCLE_ENUM};"))
    conn.execute(text(f"UPDATE audit_logs SET entity_id = NULL WHERE entity_id = '{NULL_ID}'"))
    for name, default in _BACKFILLED.items():
        conn.execute(text(f"UPDATE keypairs SET {name} = {default} WHERE {name} IS NULL"))
    conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {read_user}"))
    conn.execute(text(f'CREATE SCHEMA "{schema}"'))


async def lock(lock_conn, lock_id: int, session, tenant_id: str):
    await lock_conn.exec_driver_sql(f"SELECT pg_advisory_lock({lock_id:d});")
    session.execute(text(f'SELECT * FROM "{tenant_id}".alembic_version LIMIT 1'))


class TimeInterval(str, Enum):
    week = "week"
    day = "day"

    def sql_interval(self):
        return text(f"'1 {self.value}'::interval")
