from sqlalchemy import create_engine, select
from sqlalchemy.orm import sessionmaker

engine = create_engine("postgresql://db/app", pool_pre_ping=True)
engine.execute("DELETE FROM tokens")  # HIT
Session = sessionmaker(bind=engine, autocommit=True)  # HIT


def load(session, User, user_id):
    user = session.query(User).get(user_id)  # legacy in 2.0, not removed: SA001's
    ids = select([User.id])  # HIT
    session.execute("SELECT 1")  # HIT
    return user, ids
