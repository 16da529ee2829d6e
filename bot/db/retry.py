"""Run a unit of work again when it lost a race (unique key, lock, serialization failure)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import transaction

T = TypeVar("T")

_PG_RETRY_STATES = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available
_PG_UNIQUE_VIOLATION = "23505"
_SQLITE_RETRY_WORDS = ("database is locked", "database is busy")


def is_retryable(exc: Exception) -> bool:
    """A duplicate key (someone else inserted first) or a lock/serialization conflict."""
    orig = getattr(exc, "orig", None)
    state, message = getattr(orig, "sqlstate", None), str(orig).lower()
    if isinstance(exc, IntegrityError):
        return state == _PG_UNIQUE_VIOLATION or "unique constraint failed" in message
    if isinstance(exc, OperationalError):
        return state in _PG_RETRY_STATES or any(word in message for word in _SQLITE_RETRY_WORDS)
    return False


def in_transaction(sessions: sessionmaker[Session], work: Callable[[Session], T], *, attempts: int = 6) -> T:
    """Run `work` in its own transaction, retrying with jittered backoff on a lost race.

    `work` must be safe to repeat: it re-reads what it needs, so a retry sees the winner's row
    (e.g. an idempotent insert turns into a no-op).
    """
    for attempt in range(1, attempts + 1):
        try:
            with transaction(sessions) as session:
                return work(session)
        except (IntegrityError, OperationalError) as exc:
            if attempt == attempts or not is_retryable(exc):
                raise
            time.sleep(random.uniform(0, 0.01 * 2**attempt))
    raise AssertionError("unreachable")
