from sqlalchemy import select, text


def load(session, conn, User, user_id, cache, http_client):
    user = session.get(User, user_id)
    conn.execute(text("SELECT 1"))
    value = cache.get("key")
    ids = select(User.id)
    http_client.execute("GET /")
    return user, value, ids, select(*[User.id])
