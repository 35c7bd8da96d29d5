from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

engine = create_engine(DATABASE_URL, pool_size=20, max_overflow=5)
test_engine = create_engine("sqlite:///:memory:")
serverless = create_engine(DATABASE_URL, poolclass=NullPool)
configured = create_engine(DATABASE_URL, **settings.engine_options)
