"""Idempotency for Slack: a retried or double-clicked request is handled once.

`claim_all(keys, along=…)` claims a request's keys in one transaction, and runs `along(session)`
in that same transaction: on PostgreSQL `kolbot serve` commits a request's job there
(`handlers.jobs`), so the claim and the job commit together or not at all, in one write.

Concurrent claims are group-committed (`bot.db.group_commit`): the requests of a burst share one
transaction, one INSERT of their keys and one COMMIT, instead of one of each per request; every
caller still returns only once its claim (and what `along` wrote) is committed, and waits for the
batches before its own no longer than its `bounded_waits` allow. A batch commits or fails as a
whole: when it fails, no request of it is claimed, and each caller gets the error; but a request
whose own `along` raises fails alone, and the others are claimed again without it (unless the
error is the database's: then the batch fails).
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import transaction, wait_limit_s
from bot.db.group_commit import GroupCommit
from bot.db.results import rowcount
from bot.db.tables import RequestClaim
from bot.db.upsert import upsert_insert

Along = Callable[[Session], object]
_Claim = tuple[tuple[str, ...], Along | None]  # one request's keys, and what commits with them
_Outcome = bool | Exception  # claimed or not, or what the request's own `along` raised


class _AlongFailed(Exception):
    """The `along` of request number `index` of a batch raised `error`."""

    def __init__(self, index: int, error: Exception) -> None:
        super().__init__(index, error)
        self.index, self.error = index, error


class RequestLedger:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._batches: GroupCommit[_Claim, _Outcome] = GroupCommit(self._claim_batch)

    def claim(self, key: str) -> bool:
        """True for the first caller with this key, False for every later one."""
        return self.claim_all((key,))

    def claim_all(self, keys: Sequence[str], *, along: Along | None = None) -> bool:
        """Claims every key in one transaction: True when none was claimed before, and then
        `along(session)` runs in the same transaction, so what it writes commits with the claims;
        False, with nothing written and `along` not run, when any key was. Anything `along` raises
        rolls the claims back too (and propagates): the request is not claimed. `along` may run
        more than once (its batch tried again without another request's failed `along`): it must
        write only in `session`, which is rolled back before each new try."""
        if not keys:
            raise ValueError("nothing to claim")
        try:
            outcome = self._batches.submit((tuple(keys), along), patience=wait_limit_s())
        except TimeoutError as error:  # the batch before it hangs: as a database past the bound
            raise OperationalError("claim", None, error) from error
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def _claim_batch(self, claims: Sequence[_Claim]) -> list[_Outcome]:
        """Claims each request's keys, all in one transaction. A request whose `along` raises gets
        its error, and the others are claimed again without it, once (one bad request must not
        fail the acks of a burst), unless the error is the database's (down, or past the ack's
        bound: another try would meet it too, and double the wait); then the batch fails."""
        first = self._claim_together(claims)
        if not isinstance(first, _AlongFailed):
            return list(first)
        if _operational(first.error):
            raise first.error
        rest = self._claim_together([claim for i, claim in enumerate(claims) if i != first.index])
        if isinstance(rest, _AlongFailed):
            raise rest.error
        return [*rest[: first.index], first.error, *rest[first.index :]]

    def _claim_together(self, claims: Sequence[_Claim]) -> list[bool] | _AlongFailed:
        """Claims the requests' keys in one transaction, as if one by one in order: a key two
        requests ask for goes to the earlier one that claims it, and a request that finds any key
        taken claims none (what it would have taken stays free for the requests after it). The
        first `along` to raise rolls it all back, and is returned."""
        try:
            return self._claim_in(claims)
        except _AlongFailed as failed:
            return failed

    def _claim_in(self, claims: Sequence[_Claim]) -> list[bool]:
        with transaction(self._sessions) as session:
            free = _insert_new(session, {key for keys, _ in claims for key in keys})
            won: list[bool] = []
            taken: set[str] = set()
            for keys, _ in claims:
                won.append(free.issuperset(keys) and taken.isdisjoint(keys))
                taken.update(keys if won[-1] else ())
            if free - taken:  # inserted, but no request won them: given back
                session.execute(delete(RequestClaim).where(RequestClaim.key.in_(free - taken)))
            for index, (w, (_, along)) in enumerate(zip(won, claims, strict=True)):
                if w and along is not None:
                    try:
                        along(session)
                    except Exception as error:
                        raise _AlongFailed(index, error) from error
        return won

    def prune(self, before: datetime) -> int:
        """Forget claims made before `before`; returns how many were removed."""
        with transaction(self._sessions) as session:
            return rowcount(session.execute(delete(RequestClaim).where(RequestClaim.claimed_at < before)))


def _operational(error: BaseException | None) -> bool:
    """A fault of the database's operation (connection lost or closed, lock or statement timeout)
    raised, or caused, `error`: DB-API's OperationalError or InterfaceError, from SQLAlchemy,
    sqlite3 or psycopg (which procrastinate wraps). psycopg is looked for only once loaded:
    otherwise none of its errors."""
    kinds: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
    kinds += (sqlite3.OperationalError, sqlite3.InterfaceError)
    if (psycopg := sys.modules.get("psycopg")) is not None:
        kinds += (psycopg.OperationalError, psycopg.InterfaceError)
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kinds):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _insert_new(session: Session, keys: set[str]) -> set[str]:
    """Inserts the keys not claimed yet; returns those. One statement, compiled once (SQLAlchemy
    sends the rows as one multi-row INSERT): a Core insert, as the ORM's costs more CPU per row."""
    if not keys:
        return set()
    now = datetime.now(UTC)
    table = RequestClaim.__table__
    stmt = upsert_insert(session, table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.key)
    return set(session.scalars(stmt, [{"key": k, "claimed_at": now} for k in sorted(keys)]))
