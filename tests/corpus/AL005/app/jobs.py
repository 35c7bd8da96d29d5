from sqlalchemy import text


def recompute(conn, users):
    # application code, not a revision: PF002 / SA009 territory
    for user in users:
        conn.execute(text("UPDATE users SET score = 0 WHERE id = :id"), {"id": user.id})
