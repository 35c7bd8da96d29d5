from sqlalchemy import text


def find(session, name, table, limit):
    session.execute(text(f"SELECT * FROM users WHERE name = '{name}'"))  # HIT
    session.execute("SELECT * FROM %s" % table)  # HIT
    q = text("SELECT * FROM users LIMIT {}".format(limit))  # HIT
    return session.execute(text("SELECT * FROM " + table)), q  # HIT


def mixed(session, user_name, table):
    # a bound parameter does not make a quoted value next to it safe
    session.execute(text(f"SELECT * FROM {table} WHERE id = :id AND name = '{user_name}'"), {"id": 1})  # HIT


def by_tenant(session, tenant_id, name):
    session.execute(text(f'SELECT * FROM "{tenant_id}".users WHERE name = {name!r}'))  # HIT
