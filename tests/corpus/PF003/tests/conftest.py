from sqlalchemy import create_engine

test_engine = create_engine(TEST_DATABASE_URL)
