"""procrastinate's job queue (PostgreSQL only) and the ledger of what each job posted

Revision ID: 0008
Revises: 0010
Create Date: 2026-12-04 17:45:00.000000

procrastinate ships its schema as one SQL file (`procrastinate.schema.SchemaManager`); it is
applied here, on PostgreSQL only, so `kolbot migrate` sets up the queue with everything else.
SQLite runs slow work in-process (`handlers.background`) and gets only `job_posts`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_posts",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_job_posts")),
    )
    with op.batch_alter_table("job_posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_posts_posted_at"), ["posted_at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        # psycopg runs a multi-statement script in one execute when given no parameters at all
        # (SQLAlchemy would pass an empty tuple, and the script's `%` would read as placeholders).
        raw = op.get_bind().connection.dbapi_connection
        assert raw is not None  # a bound migration connection is open
        cursor = raw.cursor()
        try:
            cursor.execute(SchemaManager.get_schema())
        finally:
            cursor.close()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_DROP_PROCRASTINATE)
    with op.batch_alter_table("job_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_posts_posted_at"))
    op.drop_table("job_posts")


# Everything procrastinate's schema.sql creates is named procrastinate_*.
_DROP_PROCRASTINATE = """
DO $$
DECLARE item record;
BEGIN
  FOR item IN SELECT p.oid::regprocedure AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%' LOOP
    EXECUTE 'DROP FUNCTION IF EXISTS ' || item.sig || ' CASCADE';
  END LOOP;
  DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs,
    procrastinate_workers CASCADE;
  DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_event_type,
    procrastinate_job_status CASCADE;
END $$;
"""
