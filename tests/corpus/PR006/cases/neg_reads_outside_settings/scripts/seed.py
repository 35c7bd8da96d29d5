import os

import psycopg

with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
    conn.execute("INSERT INTO plans (name) VALUES ('free')")
