"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 20:49:35.058917
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "creator_snapshots",
        sa.Column("star_id", sa.String(length=64), nullable=False),
        sa.Column("live", sa.Boolean(), nullable=False),
        sa.Column("creator_json", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("star_id", "live", name=op.f("pk_creator_snapshots")),
    )
    op.create_table(
        "http_cache",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_http_cache")),
    )
    with op.batch_alter_table("http_cache", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_http_cache_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "request_claims",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_request_claims")),
    )
    with op.batch_alter_table("request_claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_request_claims_claimed_at"), ["claimed_at"], unique=False)

    op.create_table(
        "saved_searches",
        sa.Column("ref", sa.String(length=16), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("raw_query", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("ref", name=op.f("pk_saved_searches")),
    )
    with op.batch_alter_table("saved_searches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_searches_created_at"), ["created_at"], unique=False)

    op.create_table(
        "shortlists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("short_id", sa.String(length=16), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("budget_yuan", sa.Float(), nullable=True),
        sa.Column("duration", sa.String(length=8), nullable=False),
        sa.Column("parent_channel_id", sa.String(length=32), nullable=True),
        sa.Column("parent_ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shortlists")),
        sa.UniqueConstraint("short_id", name=op.f("uq_shortlists_short_id")),
    )
    with op.batch_alter_table("shortlists", schema=None) as batch_op:
        batch_op.create_index("ix_shortlists_team_channel", ["team_id", "channel_id"], unique=False)

    op.create_table(
        "shortlist_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shortlist_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("star_id", sa.String(length=64), nullable=True),
        sa.Column("actor_id", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shortlist_id"],
            ["shortlists.id"],
            name=op.f("fk_shortlist_events_shortlist_id_shortlists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shortlist_events")),
    )
    with op.batch_alter_table("shortlist_events", schema=None) as batch_op:
        batch_op.create_index("ix_shortlist_events_shortlist_at", ["shortlist_id", "id"], unique=False)

    op.create_table(
        "shortlist_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shortlist_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("star_id", sa.String(length=64), nullable=False),
        sa.Column("live", sa.Boolean(), nullable=False),
        sa.Column("snapshot_json", sa.Text(), nullable=False),
        sa.Column("snapshot_fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("latest_json", sa.Text(), nullable=True),
        sa.Column("latest_fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("quoted_price_yuan", sa.Float(), nullable=True),
        sa.Column("rebate_pct", sa.Float(), nullable=True),
        sa.Column("card_ts", sa.String(length=32), nullable=True),
        sa.Column("added_by", sa.String(length=32), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shortlist_id"],
            ["shortlists.id"],
            name=op.f("fk_shortlist_items_shortlist_id_shortlists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shortlist_items")),
        sa.UniqueConstraint("shortlist_id", "star_id", name=op.f("uq_shortlist_items_shortlist_id_star_id")),
    )
    with op.batch_alter_table("shortlist_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shortlist_items_star_id"), ["star_id"], unique=False)

    op.create_table(
        "shortlist_votes",
        sa.Column("shortlist_id", sa.Integer(), nullable=False),
        sa.Column("star_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=False),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shortlist_id", "star_id"],
            ["shortlist_items.shortlist_id", "shortlist_items.star_id"],
            name=op.f("fk_shortlist_votes_shortlist_id_star_id_shortlist_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shortlist_id", "star_id", "user_id", name=op.f("pk_shortlist_votes")),
    )


def downgrade() -> None:
    op.drop_table("shortlist_votes")
    with op.batch_alter_table("shortlist_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shortlist_items_star_id"))

    op.drop_table("shortlist_items")
    with op.batch_alter_table("shortlist_events", schema=None) as batch_op:
        batch_op.drop_index("ix_shortlist_events_shortlist_at")

    op.drop_table("shortlist_events")
    with op.batch_alter_table("shortlists", schema=None) as batch_op:
        batch_op.drop_index("ix_shortlists_team_channel")

    op.drop_table("shortlists")
    with op.batch_alter_table("saved_searches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_searches_created_at"))

    op.drop_table("saved_searches")
    with op.batch_alter_table("request_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_claims_claimed_at"))

    op.drop_table("request_claims")
    with op.batch_alter_table("http_cache", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_http_cache_expires_at"))

    op.drop_table("http_cache")
    op.drop_table("creator_snapshots")
