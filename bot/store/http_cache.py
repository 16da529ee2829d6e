"""SQL backend for the TikHub response cache (`bot.sources.cache.CacheBackend`), shared by processes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import read_session, transaction
from bot.db.tables import HttpCacheRow
from bot.db.upsert import upsert_insert
from bot.sources.cache import Body


class SqlResponseCache:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def get(self, key: str) -> tuple[Body, datetime] | None:
        with read_session(self._sessions) as session:
            row = session.execute(
                select(HttpCacheRow.body, HttpCacheRow.fetched_at).where(
                    HttpCacheRow.key == key, HttpCacheRow.expires_at > datetime.now(UTC)
                )
            ).first()
        return (row.body, row.fetched_at) if row else None

    def set(self, key: str, body: Body, fetched_at: datetime, ttl_s: float) -> None:
        """Store (or replace) the body; expired entries are deleted by `prune` (housekeeping)."""
        expires_at = fetched_at + timedelta(seconds=ttl_s)
        with transaction(self._sessions) as session:
            stmt = upsert_insert(session, HttpCacheRow).values(
                key=key, body=body, fetched_at=fetched_at, expires_at=expires_at
            )
            session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["key"],
                    set_={
                        "body": stmt.excluded.body,
                        "fetched_at": stmt.excluded.fetched_at,
                        "expires_at": stmt.excluded.expires_at,
                    },
                )
            )

    def prune(self, now: datetime) -> int:
        """Delete the entries expired at `now`; returns how many."""
        with transaction(self._sessions) as session:
            return session.execute(delete(HttpCacheRow).where(HttpCacheRow.expires_at <= now)).rowcount
