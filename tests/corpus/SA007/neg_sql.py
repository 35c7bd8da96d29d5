from sqlalchemy import text

TABLE = "users"


def find(session, name, cursor):
    session.execute(text("SELECT * FROM users WHERE name = :name"), {"name": name})
    session.execute(text(f"SELECT * FROM users"))
    session.execute(text("SELECT 1 " "FROM users"))
    cursor.execute(f"PRAGMA table_info({TABLE})")
    label = f"user {name}"
    return label
