from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import create_async_engine

engine = create_engine(DATABASE_URL)  # HIT
async_engine = create_async_engine(settings.db_url, echo=True)  # HIT
other = create_engine("postgresql://db/app", future=True)  # HIT
