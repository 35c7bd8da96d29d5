from sqlalchemy import create_engine, text


def grant(dsn, user):
    engine = create_engine(dsn)
    with engine.connect() as conn:
        conn.execute(text("GRANT USAGE ON SCHEMA public TO reader"))
