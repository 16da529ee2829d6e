"""Idempotency for Slack: a retried or double-clicked request is handled once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import transaction
from bot.db.results import rowcount
from bot.db.tables import RequestClaim
from bot.db.upsert import upsert_insert


class RequestLedger:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def claim(self, key: str) -> bool:
        """True for the first caller with this key, False for every later one."""
        with transaction(self._sessions) as session:
            stmt = upsert_insert(session, RequestClaim).values(key=key, claimed_at=datetime.now(UTC))
            stmt = stmt.on_conflict_do_nothing(index_elements=["key"]).returning(RequestClaim.key)
            return session.execute(stmt).first() is not None

    def prune(self, before: datetime) -> int:
        """Forget claims made before `before`; returns how many were removed."""
        with transaction(self._sessions) as session:
            return rowcount(session.execute(delete(RequestClaim).where(RequestClaim.claimed_at < before)))
