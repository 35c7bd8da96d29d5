from sqlalchemy import text


def find(session, name, table, limit):
    session.execute(text(f"SELECT * FROM users WHERE name = '{name}'"))  # HIT
    session.execute("SELECT * FROM %s" % table)  # HIT
    q = text("SELECT * FROM users LIMIT {}".format(limit))  # HIT
    return session.execute(text("SELECT * FROM " + table)), q  # HIT
