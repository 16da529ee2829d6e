"""Declarative tables. Every row a workspace owns carries its Slack `team_id`.

Creator snapshots and the HTTP response cache hold public upstream data, shared by workspaces.
Migrations live in `bot/db/migrations`; `tests/test_db_migrations.py` keeps them equal to this file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.installations import oauth_tables

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every backend (SQLite has no timezone type and returns naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def is_ours(name: str | None, type_: str, _parents: object = None) -> bool:
    """Alembic's `include_name`: procrastinate's tables (migration 0008) and pyrate-limiter's
    (0011) are theirs, not models."""
    return not (type_ == "table" and (name or "").startswith(("procrastinate_", "ratelimit___")))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {datetime: UtcDateTime()}  # noqa: RUF012


class RequestClaim(Base):
    """Idempotency keys of Slack requests already handled (retries and double clicks)."""

    __tablename__ = "request_claims"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(index=True)


class JobPostRow(Base):
    """What a queued job posted to Slack, by post key: a job run again after a crash replays these
    answers instead of posting twice (`bot.post_once`). A row is written before its post is sent
    (`response` NULL: an intent) with the `markers` (JSON list) that find the post in Slack when
    the worker died before Slack's answer was recorded; `posted_at` is when it was first intended."""

    __tablename__ = "job_posts"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    response: Mapped[str | None] = mapped_column(Text)
    markers: Mapped[str | None] = mapped_column(Text)
    posted_at: Mapped[datetime] = mapped_column(index=True)


class SavedSearchRow(Base):
    """A search a card refers to: button values carry only `ref`."""

    __tablename__ = "saved_searches"
    __table_args__ = (Index("ix_saved_searches_team_user", "team_id", "user_id", "created_at"),)

    ref: Mapped[str] = mapped_column(String(16), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    raw_query: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(index=True)


class CreatorSnapshotRow(Base):
    """Latest JSON (`Creator.model_dump_json()`) of each creator, per source."""

    __tablename__ = "creator_snapshots"

    star_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    live: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    creator_json: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime]
    name_key: Mapped[str | None] = mapped_column(String(200), index=True)  # `identifiers.name_key`


class HttpCacheRow(Base):
    """Cached TikHub response bodies (zlib-compressed JSON), keyed by route and sorted params."""

    __tablename__ = "http_cache"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)  # `bot.store.http_cache` packs and unpacks it
    fetched_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class ShortlistRow(Base):
    __tablename__ = "shortlists"
    __table_args__ = (Index("ix_shortlists_team_channel", "team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    short_id: Mapped[str] = mapped_column(String(16), unique=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    budget_yuan: Mapped[float | None] = mapped_column(Float)
    duration: Mapped[str] = mapped_column(String(8))
    parent_channel_id: Mapped[str | None] = mapped_column(String(32))
    parent_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    lang: Mapped[str | None] = mapped_column(String(2))  # its messages' language: its creator's


class ShortlistItemRow(Base):
    __tablename__ = "shortlist_items"
    __table_args__ = (UniqueConstraint("shortlist_id", "star_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shortlist_id: Mapped[int] = mapped_column(ForeignKey("shortlists.id", ondelete="CASCADE"))
    team_id: Mapped[str] = mapped_column(String(32))
    star_id: Mapped[str] = mapped_column(String(64), index=True)
    live: Mapped[bool] = mapped_column(Boolean)
    snapshot_json: Mapped[str] = mapped_column(Text)
    snapshot_fetched_at: Mapped[datetime]
    latest_json: Mapped[str | None] = mapped_column(Text)
    latest_fetched_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    quoted_price_yuan: Mapped[float | None] = mapped_column(Float)
    rebate_pct: Mapped[float | None] = mapped_column(Float)
    card_ts: Mapped[str | None] = mapped_column(String(32))
    added_by: Mapped[str] = mapped_column(String(32))
    added_at: Mapped[datetime]


class ShortlistVoteRow(Base):
    __tablename__ = "shortlist_votes"
    __table_args__ = (
        ForeignKeyConstraint(
            ["shortlist_id", "star_id"],
            ["shortlist_items.shortlist_id", "shortlist_items.star_id"],
            ondelete="CASCADE",
        ),
    )

    shortlist_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    star_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    value: Mapped[int] = mapped_column(SmallInteger)
    voted_at: Mapped[datetime]


class ShortlistEventRow(Base):
    """Audit trail: who changed what, when, with the values before and after."""

    __tablename__ = "shortlist_events"
    __table_args__ = (Index("ix_shortlist_events_shortlist_at", "shortlist_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shortlist_id: Mapped[int] = mapped_column(ForeignKey("shortlists.id", ondelete="CASCADE"))
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    star_id: Mapped[str | None] = mapped_column(String(64))
    actor_id: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[datetime]


class DigestRow(Base):
    """A scheduled digest: a saved search posted to a channel on a schedule, as a diff since last time."""

    __tablename__ = "digests"
    __table_args__ = (Index("ix_digests_team_channel", "team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    short_id: Mapped[str] = mapped_column(String(16), unique=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(32))
    raw_query: Mapped[str] = mapped_column(Text)
    schedule: Mapped[str] = mapped_column(String(100))  # `Schedule.spec`, zone included
    top_n: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int] = mapped_column(Integer)  # the page cap of every run
    quiet: Mapped[bool] = mapped_column(Boolean)  # skip the post when nothing changed
    lang: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), index=True)
    pause_reason: Mapped[str | None] = mapped_column(String(200))
    paused_at: Mapped[datetime | None]
    # Periods up to this key are done (or deliberately skipped: creation, resume).
    last_period_key: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]


class DigestRunRow(Base):
    """One run of a digest. Inserting the unique (digest, period) row claims the run before posting."""

    __tablename__ = "digest_runs"
    __table_args__ = (
        UniqueConstraint("digest_id", "period_key"),
        Index("ix_digest_runs_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"))
    team_id: Mapped[str] = mapped_column(String(32))
    period_key: Mapped[str] = mapped_column(String(64))
    scheduled_for: Mapped[datetime]
    late: Mapped[bool] = mapped_column(Boolean)
    manual: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]  # a clock is working on it until then
    last_error: Mapped[str | None] = mapped_column(String(300))
    notice_posted: Mapped[bool] = mapped_column(Boolean)  # the "data unavailable" note, once per period
    snapshot_json: Mapped[str | None] = mapped_column(Text)  # `DigestSnapshot`, for the next diff
    watch_json: Mapped[str | None] = mapped_column(Text)  # shortlist values this run reported against
    channel_id: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))  # the (first) posted message
    parts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class DigestSettingsRow(Base):
    """Per-workspace digest settings (`/kol digest tz`)."""

    __tablename__ = "digest_settings"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tz: Mapped[str] = mapped_column(String(64))
    updated_by: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime]


class UninstalledWorkspaceRow(Base):
    """When a workspace removed kolbot: its data is deleted `KOLBOT_RETENTION_DAYS` later
    (`bot.store.workspaces`); reinstalling before then deletes this row and keeps the data."""

    __tablename__ = "uninstalled_workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    uninstalled_at: Mapped[datetime] = mapped_column(index=True)


# slack_sdk's OAuth installation, bot and state tables (OAuth mode; `bot.installations`).
SLACK_OAUTH_TABLES = oauth_tables(Base.metadata)


class PlanRow(Base):
    """A saved campaign plan (`bot.planner`), numbered per channel: `/kol plan show <number>`."""

    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    number: Mapped[int] = mapped_column(Integer)
    shortlist_id: Mapped[str | None] = mapped_column(
        String(16)
    )  # the shortlist's short id, if planned on one
    search_text: Mapped[str | None] = mapped_column(Text)  # the search, if planned on one
    created_by: Mapped[str] = mapped_column(String(32))
    lang: Mapped[str] = mapped_column(String(8))
    budget_yuan: Mapped[float] = mapped_column(Float)
    plan_json: Mapped[str] = mapped_column(Text)  # `Plan.model_dump_json()`, candidates included
    created_at: Mapped[datetime]


class SpendRow(Base):
    """One paid TikHub call (or a request's retries), charged to a workspace, user and feature."""

    __tablename__ = "spend"
    __table_args__ = (Index("ix_spend_team_at", "team_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    feature: Mapped[str] = mapped_column(String(16))
    calls: Mapped[int] = mapped_column(Integer)
    cost_usd: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime]


class WorkspaceBudgetRow(Base):
    """A workspace's monthly TikHub budget set with `/kol budget`; NULL = no budget (`off`)."""

    __tablename__ = "workspace_budgets"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    monthly_usd: Mapped[float | None] = mapped_column(Float)
    set_by: Mapped[str] = mapped_column(String(32))
    set_at: Mapped[datetime]
