"""spend accounting, workspace budgets, and an index for each user's last searches (App Home)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 16:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "spend",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("feature", sa.String(length=16), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spend")),
    )
    with op.batch_alter_table("spend", schema=None) as batch_op:
        batch_op.create_index("ix_spend_team_at", ["team_id", "at"], unique=False)
    op.create_table(
        "workspace_budgets",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("monthly_usd", sa.Float(), nullable=True),
        sa.Column("set_by", sa.String(length=32), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_workspace_budgets")),
    )
    with op.batch_alter_table("saved_searches", schema=None) as batch_op:
        batch_op.create_index(
            "ix_saved_searches_team_user", ["team_id", "user_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("saved_searches", schema=None) as batch_op:
        batch_op.drop_index("ix_saved_searches_team_user")
    op.drop_table("workspace_budgets")
    with op.batch_alter_table("spend", schema=None) as batch_op:
        batch_op.drop_index("ix_spend_team_at")
    op.drop_table("spend")
