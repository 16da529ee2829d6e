"""http_cache bodies as zlib-compressed JSON (about a sixth of the size)

The table is a cache: its rows are dropped rather than converted, and the next search refills it.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-04 17:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _recreate(body_type: sa.types.TypeEngine) -> None:
    op.drop_table("http_cache")
    op.create_table(
        "http_cache",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("body", body_type, nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_http_cache")),
    )
    with op.batch_alter_table("http_cache", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_http_cache_expires_at"), ["expires_at"], unique=False)


def upgrade() -> None:
    _recreate(sa.LargeBinary())


def downgrade() -> None:
    _recreate(sa.JSON())
