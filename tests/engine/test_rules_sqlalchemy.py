"""SA001 (legacy session.query) and SA002 (bare Column on a model)."""

from __future__ import annotations

import pytest

from tests.engine.conftest import CheckRule, expected_lines, src

SA001_FIRES = {
    "param_annotated_session": src(
        """
        from sqlalchemy.orm import Session

        def list_users(session: Session):
            return session.query(User).all()  # HIT
        """
    ),
    "fastapi_db_dependency_unannotated": src(
        """
        @router.get("/items/{item_id}")
        def read_item(item_id: int, db=Depends(get_db)):
            return db.query(Item).filter(Item.id == item_id).first()  # HIT
        """
    ),
    "self_session_in_multiline_chain": src(
        """
        class UserRepository:
            def __init__(self, session):
                self.session = session

            def active(self):
                return (
                    self.session.query(User)  # HIT
                    .filter(User.active)
                    .all()
                )
        """
    ),
    "session_from_sessionlocal_context": src(
        """
        def count_users():
            with SessionLocal() as db:
                return db.query(func.count(User.id)).scalar()  # HIT
        """
    ),
    "session_constructed_inline": src(
        """
        from sqlalchemy.orm import Session

        def first_user(engine):
            return Session(engine).query(User).first()  # HIT
        """
    ),
    "short_name_annotated_with_session_alias": src(
        """
        SessionDep = Annotated[Session, Depends(get_session)]

        def names(s: SessionDep):
            return [u.name for u in s.query(User.name)]  # HIT
        """
    ),
}

SA001_QUIET = {
    "request_and_params_query_attributes": src(
        """
        async def search(request, params):
            term = request.query.get("q")
            page = params.query["page"]
            return request.query_params, term, page
        """
    ),
    "elasticsearch_dsl_search_query": src(
        """
        from elasticsearch_dsl import Search

        def find(client):
            s = Search(using=client).query("match", title="python")
            s = s.query("range", year={"gte": 2020})
            return s.execute()
        """
    ),
    "sql_string_passed_to_other_db_library": src(
        """
        import dataset

        db = dataset.connect("sqlite:///app.db")
        rows = db.query("SELECT * FROM users WHERE active")
        other = db.query(f"SELECT * FROM {table}")
        """
    ),
    "http_and_graphql_clients": src(
        """
        import aiohttp

        async def fetch(session: aiohttp.ClientSession, http_session, client):
            await session.query(QUERY)
            await http_session.query(QUERY)
            return client.query(QUERY)
        """
    ),
    "select_style_and_own_query_method": src(
        """
        from sqlalchemy import select

        class Repo:
            def query(self, model):
                return self.session.scalars(select(model)).all()

            def users(self):
                return self.query(User)

        TEXT = "session.query(User) is the old API"  # session.query(User)
        """
    ),
    "sql_text_built_or_named": src(
        """
        COUNT_SQL = "SELECT count(*) FROM users"

        class Store:
            def count(self):
                return self.db.query(COUNT_SQL)

            def by_name(self, name):
                sql = "SELECT * FROM users WHERE name = %s"
                return self.db.query(sql, name)

            def table(self, table):
                self.db.query("SELECT * FROM {}".format(table))
                return self.db.query("SELECT * FROM " + table)
        """
    ),
}


@pytest.mark.parametrize("source", SA001_FIRES.values(), ids=SA001_FIRES.keys())
def test_sa001_fires_on_session_query(check_rule: CheckRule, source: str) -> None:
    assert check_rule("SA001", source) == expected_lines(source) != []


@pytest.mark.parametrize("source", SA001_QUIET.values(), ids=SA001_QUIET.keys())
def test_sa001_ignores_query_calls_that_are_not_an_orm_session(
    check_rule: CheckRule, source: str
) -> None:
    assert check_rule("SA001", source) == []


SA002_FIRES = {
    "declarative_base_model": src(
        """
        from sqlalchemy import Column, Integer, String
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()

        class Book(Base):
            __tablename__ = "books"

            id = Column(Integer, primary_key=True)  # HIT
            title = Column(String(300), nullable=False)  # HIT
        """
    ),
    "module_alias_and_imported_base_without_tablename": src(
        """
        import sqlalchemy as sa

        from app.db import Base

        class Tag(Base):
            id = sa.Column(sa.Integer, primary_key=True)  # HIT
        """
    ),
    "mixin_and_non_mapped_annotation": src(
        """
        from sqlalchemy import Column, DateTime, String

        class TimestampMixin:
            created_at = Column(DateTime)  # HIT

        class Author(TimestampMixin, Model):
            __tablename__ = "authors"
            name: str = Column(String)  # HIT
        """
    ),
    "flask_sqlalchemy_model": src(
        """
        from app.extensions import db

        class User(db.Model):
            email = db.Column(db.String(200), unique=True)  # HIT
        """
    ),
}

SA002_QUIET = {
    "mapped_column_style": src(
        """
        from sqlalchemy import Column, String
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

        class Base(DeclarativeBase):
            pass

        class Book(Base):
            __tablename__ = "books"
            id: Mapped[int] = mapped_column(primary_key=True)
            title: Mapped[str] = mapped_column(String(300))
            legacy: Mapped[str] = Column(String)
        """
    ),
    "alembic_create_table_columns": src(
        """
        import sqlalchemy as sa
        from alembic import op

        def upgrade():
            op.create_table("books", sa.Column("id", sa.Integer, primary_key=True))
        """
    ),
    "core_table_definition": src(
        """
        from sqlalchemy import Column, Integer, MetaData, Table

        metadata = MetaData()
        users = Table("users", metadata, Column("id", Integer, primary_key=True))

        class Legacy(Base):
            __table__ = Table("legacy", metadata, Column("id", Integer, primary_key=True))
        """
    ),
    "column_from_another_library_in_plain_class": src(
        """
        import django_tables2 as tables
        from sqlalchemy import Column, Integer

        class UserTable(tables.Table):
            name = tables.Column()
            email = tables.Column(verbose_name="E-mail")

        class Columns:
            id = Column(Integer)
        """
    ),
    "column_built_inside_a_method": src(
        """
        from sqlalchemy import Column, Integer

        class Book(Base):
            __tablename__ = "books"

            @classmethod
            def extra_column(cls):
                col = Column(Integer)
                return col
        """
    ),
}


@pytest.mark.parametrize("source", SA002_FIRES.values(), ids=SA002_FIRES.keys())
def test_sa002_fires_on_bare_column_in_model(check_rule: CheckRule, source: str) -> None:
    assert check_rule("SA002", source) == expected_lines(source) != []


@pytest.mark.parametrize("source", SA002_QUIET.values(), ids=SA002_QUIET.keys())
def test_sa002_ignores_columns_outside_declarative_model_attributes(
    check_rule: CheckRule, source: str
) -> None:
    assert check_rule("SA002", source) == []


def test_sa002_message_suggests_the_mapped_type(tmp_path: object) -> None:
    from pathlib import Path

    from reviewer.engine import review

    root = Path(str(tmp_path))
    (root / "models.py").write_text(
        src(
            """
            from sqlalchemy import Column, Integer, String

            class Book(Base):
                __tablename__ = "books"
                id = Column(Integer, primary_key=True)
                subtitle = Column(String(300))
            """
        )
    )
    messages = [i.message for i in review(root, rule_ids=["SA002"]).issues]
    assert "id: Mapped[int] = mapped_column" in messages[0]
    assert "subtitle: Mapped[str | None] = mapped_column" in messages[1]
