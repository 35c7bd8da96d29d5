from app.db import SessionLocal


def make():
    session = SessionLocal()
    session.execute("SELECT 1")
