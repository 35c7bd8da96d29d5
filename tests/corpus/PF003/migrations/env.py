from alembic import context
from sqlalchemy import create_engine

URL = "postgresql://app@db/app"


def run_migrations_online():
    connectable = create_engine(URL)
    with connectable.connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
