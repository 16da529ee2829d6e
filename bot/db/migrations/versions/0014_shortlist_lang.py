"""shortlists.lang: the language a shortlist was made in, which its channel messages keep

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 03:30:00.000000

A shortlist's parent message and cards took their language from its name, so a Chinese team's
`618` or `Q4-Skincare` got English cards. Shortlists made before this keep that rule (NULL).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shortlists", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lang", sa.String(length=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shortlists", schema=None) as batch_op:
        batch_op.drop_column("lang")
