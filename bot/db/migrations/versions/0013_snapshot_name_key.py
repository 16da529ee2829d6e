"""creator_snapshots.name_key: find a creator by the nickname a user types

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 20:30:00.000000

`/kol shortlist add <list> 是橙子酱` and `must=是橙子酱` name creators as marketers know them; the
cards never show a 19-digit id. The key is `bot.identifiers.name_key` of the stored nickname
(letters and digits, Simplified, case-folded), filled here for the rows already stored.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.identifiers import name_key

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("creator_snapshots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(length=200), nullable=True))
        batch_op.create_index("ix_creator_snapshots_name_key", ["name_key"], unique=False)
    bind = op.get_bind()
    table = sa.table(
        "creator_snapshots",
        sa.column("star_id", sa.String),
        sa.column("live", sa.Boolean),
        sa.column("creator_json", sa.Text),
        sa.column("name_key", sa.String),
    )
    rows = bind.execute(sa.select(table.c.star_id, table.c.live, table.c.creator_json)).all()
    update = (
        table.update()
        .where(table.c.star_id == sa.bindparam("sid"), table.c.live == sa.bindparam("is_live"))
        .values(name_key=sa.bindparam("key"))
    )
    keyed = [
        {
            "sid": star_id,
            "is_live": live,
            "key": name_key(json.loads(data).get("nickname") or "")[:200] or None,
        }
        for star_id, live, data in rows
    ]
    for start in range(0, len(keyed), _BATCH):
        if chunk := keyed[start : start + _BATCH]:
            bind.execute(update, chunk)


def downgrade() -> None:
    with op.batch_alter_table("creator_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_creator_snapshots_name_key")
        batch_op.drop_column("name_key")
