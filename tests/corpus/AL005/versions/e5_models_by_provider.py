"""display model names per provider

Revision ID: e5
Revises: e4
"""
import sqlalchemy as sa
from alembic import op

revision = "e5"
down_revision = "e4"

default_models_by_provider = {
    "openai": ["gpt-4o", "gpt-4o-mini"],
    "anthropic": ["claude-3-5-sonnet"],
}


def upgrade():
    connection = op.get_bind()
    for provider, models in default_models_by_provider.items():
        connection.execute(
            sa.text("UPDATE llm_provider SET display_model_names = :m WHERE provider = :p"),
            {"m": models, "p": provider},
        )


def downgrade():
    pass
