"""False positives found by running the engine on public FastAPI/SQLAlchemy projects."""

from __future__ import annotations

from pathlib import Path

from reviewer.engine import review
from reviewer.engine.profile import EXTENDED_PROFILE


def test_newer_except_syntax_is_a_note_not_a_parse_finding(tmp_path: Path) -> None:
    (tmp_path / "deps.py").write_text(
        "def f():\n    try:\n        return 1\n    except KeyError, ValueError:\n        return 2\n"
    )
    result = review(tmp_path, jobs=1)
    assert result.issues == []
    assert [n.path for n in result.notes] == ["deps.py"]
    assert "newer" in result.notes[0].message


def test_a_jinja_template_named_py_is_a_note_but_broken_python_is_parse001(
    tmp_path: Path,
) -> None:
    # polarsource/polar keeps its SDK generator's Jinja templates as .py files.
    (tmp_path / "template").mkdir()
    (tmp_path / "template" / "errors.py").write_text(
        "{% if imports %}\nfrom {{ package }}.errors import *\n{% endif %}\n"
    )
    (tmp_path / "template" / "client.py").write_text(
        "from polar.{{ version }}.client import Polar\n"
    )
    (tmp_path / "broken.py").write_text("def f(:\n    return {'a': 1}\n")
    result = review(tmp_path, jobs=1)
    assert [(i.path, i.rule_id) for i in result.issues] == [("broken.py", "PARSE001")]
    assert sorted(n.path for n in result.notes if "template" in n.message) == [
        "template/client.py",
        "template/errors.py",
    ]


def test_print_and_annotations_are_not_asked_of_scripts_and_tests(tmp_path: Path) -> None:
    body = "def main(x):\n    print(x)\n"
    for rel in ("app/service.py", "scripts/seed.py", "tests/test_x.py", "app/conftest.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(body)
    result = review(tmp_path, jobs=1, ruff=True, profile=EXTENDED_PROFILE)
    flagged = {(i.path, i.rule_id) for i in result.issues}
    assert flagged == {("app/service.py", "ruff:T201")}
    # No finding per unannotated function: one typing-coverage figure for production code.
    typing = {k: v for k, v in result.stats.items() if k.startswith("typing_")}
    assert typing == {"typing_functions": 1, "typing_annotated": 0, "typing_coverage_percent": 0.0}


def test_a_hard_coded_token_type_is_not_a_secret(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text('class Token:\n    token_type: str = "bearer"\n')
    assert review(tmp_path, jobs=1, ruff=True).issues == []


def test_a_foreign_key_in_a_model_and_its_migration_is_one_finding(tmp_path: Path) -> None:
    # AL009 and SA011 both saw the same foreign key (issue 11): SA011 on the model wins.
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "models.py").write_text(
        "from sqlalchemy import ForeignKey\n"
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        "class Order(Base):\n"
        "    __tablename__ = 'orders'\n"
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        "    user_id: Mapped[int] = mapped_column(ForeignKey('users.id'))\n"
    )
    (tmp_path / "alembic" / "versions").mkdir(parents=True)
    (tmp_path / "alembic" / "versions" / "a1_orders.py").write_text(
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        "revision = 'a1'\ndown_revision = None\n\n\n"
        "def upgrade():\n"
        "    op.create_table(\n"
        "        'orders',\n"
        "        sa.Column('id', sa.Integer(), primary_key=True),\n"
        "        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id')),\n"
        "        sa.Column('shop_id', sa.Integer(), sa.ForeignKey('shops.id')),\n"
        "    )\n\n\n"
        "def downgrade():\n    op.drop_table('orders')\n"
    )
    issues = review(tmp_path, jobs=1, rule_ids=["AL009", "SA011"]).issues
    assert [(i.rule_id, i.path, i.line) for i in issues] == [
        # shop_id has no model here: the migration's finding is the only one.
        ("AL009", "alembic/versions/a1_orders.py", 13),
        ("SA011", "app/models.py", 12),
    ]
    alone = review(tmp_path, jobs=1, rule_ids=["AL009"]).issues
    assert [i.line for i in alone] == [12, 13]


def test_pr006_names_a_variable_read_several_times_once(tmp_path: Path) -> None:
    # letta-ai/letta: one variable read in four places was listed four times.
    (tmp_path / "config.py").write_text(
        "import os\n\n"
        "class Config:\n"
        '    region = os.getenv("APP_REGION") or "eu"\n'
        '    fallback = os.getenv("APP_REGION") or "us"\n'
        '    token = os.environ["APP_TOKEN"]\n'
    )
    found = list(review(tmp_path, rule_ids=["PR006"], jobs=1).issues)
    assert len(found) == 1
    assert found[0].message.count("APP_REGION") == 1
    assert "APP_TOKEN" in found[0].message


def test_a_task_kept_in_a_local_and_a_bound_raises_are_not_ruff_findings(tmp_path: Path) -> None:
    # letta kept a cancellation task in a local for the whole test; onyx read exc_info
    # after a broad pytest.raises.
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_jobs.py").write_text(
        "import asyncio\n\nimport pytest\n\n\n"
        "async def test_cancel(client):\n"
        "    _watch = asyncio.create_task(client.cancel_later())\n"
        "    asyncio.create_task(client.cancel_later())\n"
        "    await client.run()\n\n\n"
        "def test_message(parse):\n"
        "    with pytest.raises(ValueError) as caught:\n"
        "        parse('')\n"
        "    assert 'empty' in str(caught.value)\n"
        "    with pytest.raises(ValueError):\n"
        "        parse('x')\n"
    )
    result = review(tmp_path, jobs=1, ruff=True, profile=EXTENDED_PROFILE)
    found = sorted((i.rule_id, i.line) for i in result.issues if i.rule_id.startswith("ruff:"))
    assert ("ruff:RUF006", 8) in found and ("ruff:RUF006", 7) not in found
    assert ("ruff:PT011", 16) in found and ("ruff:PT011", 13) not in found
