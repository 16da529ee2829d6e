"""job_posts: a post's intent, committed before it is sent, and what finds it again in Slack

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 12:00:00.000000

A job's post is now written down before it goes to Slack (`response` NULL until Slack answers),
with the markers that find it in the channel's history when a crash came between Slack's answer
and its record (`bot.post_once`). Existing rows are answered posts and stay as they are.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("job_posts", schema=None) as batch_op:
        batch_op.alter_column("response", existing_type=sa.Text(), nullable=True)
        batch_op.add_column(sa.Column("markers", sa.Text(), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM job_posts WHERE response IS NULL")  # intents only: nothing was recorded
    with op.batch_alter_table("job_posts", schema=None) as batch_op:
        batch_op.drop_column("markers")
        batch_op.alter_column("response", existing_type=sa.Text(), nullable=False)
