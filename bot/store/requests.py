"""Idempotency for Slack: a retried or double-clicked request is handled once.

`claim_all(keys, along=…)` claims a request's keys in one transaction, and runs `along(session)`
in that same transaction: on PostgreSQL `kolbot serve` commits a request's job there
(`handlers.jobs`), so the claim and the job commit together or not at all, in one write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import transaction
from bot.db.results import rowcount
from bot.db.tables import RequestClaim
from bot.db.upsert import upsert_insert


class _Taken(Exception):
    """A key was claimed before: roll the transaction back."""


class RequestLedger:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def claim(self, key: str) -> bool:
        """True for the first caller with this key, False for every later one."""
        return self.claim_all((key,))

    def claim_all(self, keys: Sequence[str], *, along: Callable[[Session], object] | None = None) -> bool:
        """Claims every key in one transaction: True when none was claimed before, and then
        `along(session)` runs in the same transaction, so what it writes commits with the claims;
        False, with nothing written and `along` not run, when any key was. Anything `along` raises
        rolls the claims back too (and propagates): the request is not claimed."""
        if not keys:
            raise ValueError("nothing to claim")
        now = datetime.now(UTC)
        try:
            with transaction(self._sessions) as session:
                stmt = upsert_insert(session, RequestClaim).values(
                    [{"key": k, "claimed_at": now} for k in keys]
                )
                stmt = stmt.on_conflict_do_nothing(index_elements=["key"]).returning(RequestClaim.key)
                if len(session.execute(stmt).all()) < len(set(keys)):
                    raise _Taken
                if along is not None:
                    along(session)
        except _Taken:
            return False
        return True

    def prune(self, before: datetime) -> int:
        """Forget claims made before `before`; returns how many were removed."""
        with transaction(self._sessions) as session:
            return rowcount(session.execute(delete(RequestClaim).where(RequestClaim.claimed_at < before)))
