"""The shared TikHub rate limit's table, pyrate-limiter's PostgreSQL bucket (PostgreSQL only)

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-05 08:00:00.000000

`bot.sources.pg_limits` keeps `KOLBOT_TIKHUB_QPS` for every process on one PostgreSQL in
pyrate-limiter's `PostgresBucket`: a sliding-window log of admitted calls. The library would
create its table on first use, outside the migrations; it is created here instead (exactly the
table and index pyrate-limiter 4 defines for the bucket `kolbot_tikhub`), and the limiter no
longer creates anything. `IF NOT EXISTS`: a database where an earlier kolbot let the library create
it keeps its table. SQLite has no shared limit (one process): nothing to do there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# pyrate-limiter's names for the bucket "kolbot_tikhub" (`bot.sources.pg_limits.BUCKET`):
# `ratelimit___<bucket>` and `timestampindex_<bucket>`; tests/test_pg_rate_limit_table.py checks them.
TABLE = "ratelimit___kolbot_tikhub"
INDEX = "timestampindex_kolbot_tikhub"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} (name VARCHAR, weight SMALLINT, item_timestamp TIMESTAMP)"
    )
    op.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} (item_timestamp)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP TABLE IF EXISTS {TABLE}")  # and its index
