#!/bin/sh
set -e
alembic upgrade head
# gosu is not used here; the server keeps the user the container started with
exec uvicorn src.main:app --host 0.0.0.0
