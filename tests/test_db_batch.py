"""`bot.db.batch`: a block's writes commit together at its end; an optional write that fails is
logged and skipped, a required one fails the block; writes of a block that raised are still kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.batch import batched_writes, deferred
from bot.db.tables import RequestClaim
from bot.store.requests import RequestLedger


def claim(key: str):
    def work(session: Session) -> None:
        session.add(RequestClaim(key=key, claimed_at=datetime.now(UTC)))
        session.flush()

    return work


def keys(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return sorted(session.scalars(select(RequestClaim.key)))


def test_writes_wait_for_the_end_of_the_block_and_outside_one_nothing_is_deferred(sessions) -> None:
    assert not deferred(sessions, claim("now"), what="a claim")
    with batched_writes():
        assert deferred(sessions, claim("a"), what="a claim")
        with batched_writes():  # joins the outer block
            assert deferred(sessions, claim("b"), what="a claim")
        assert keys(sessions) == []
    assert keys(sessions) == ["a", "b"]


def test_a_failing_optional_write_is_skipped_and_a_failing_required_one_raises(
    sessions, caplog: pytest.LogCaptureFixture
) -> None:
    with batched_writes():
        deferred(sessions, claim("kept"), what="a claim")
        deferred(sessions, claim("kept"), what="a duplicate claim")  # primary key clash: skipped
        deferred(sessions, claim("also kept"), what="a claim")
    assert keys(sessions) == ["also kept", "kept"]
    assert "could not store a duplicate claim" in caplog.text
    with pytest.raises(IntegrityError), batched_writes():
        deferred(sessions, claim("kept"), what="a required claim", optional=False)


def test_the_writes_of_a_block_that_raised_are_still_stored(sessions) -> None:
    done: list[str] = []
    with pytest.raises(ValueError), batched_writes():
        deferred(
            sessions, claim("paid"), what="a claim", after=lambda stored: done.append(f"stored={stored}")
        )
        raise ValueError("the search failed after paying")
    assert keys(sessions) == ["paid"] and done == ["stored=True"]


def test_an_unreachable_database_is_logged_for_optional_writes(
    sessions, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def down(*_args, **_kwargs):
        raise OperationalError("BEGIN", {}, Exception("connection refused"))

    monkeypatch.setattr("bot.db.batch.in_transaction", down)
    with batched_writes():
        deferred(sessions, claim("lost"), what="creator snapshots")
    assert "could not store creator snapshots" in caplog.text
    assert RequestLedger(sessions).claim("still works")  # (the real database was never down)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(RequestClaim)) == 1
