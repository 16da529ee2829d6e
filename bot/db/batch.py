"""One write transaction for what one search writes, instead of one per store call.

SQLite has one writer at a time (`BEGIN IMMEDIATE`), so every transaction a search opened (cache,
spend, extents, snapshots, shortlist refresh, saved search) also made Slack acks wait for the
lock. Inside `batched_writes()` the stores hand their writes to the batch through `deferred`;
when the block ends the batch runs them in order in one transaction, each optional write in a
savepoint (a failure is logged and skipped, as those stores did before). Outside a batch
`deferred` returns False and the store writes at once. A search's page threads
(`TracingExecutor`) run in a copy of its context, so their writes join its batch.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.retry import in_transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Write:
    sessions: sessionmaker[Session]
    work: Callable[[Session], object]
    what: str  # for the log, e.g. "creator snapshots"
    optional: bool  # a failure is logged and skipped; else it fails the batch
    after: Callable[[bool], None] | None  # called once the batch ended, with whether it committed


class WriteBatch:
    def __init__(self) -> None:
        self._writes: list[_Write] = []
        self._lock = threading.Lock()

    def add(self, write: _Write) -> None:
        with self._lock:
            self._writes.append(write)

    def flush(self) -> None:
        """Run every write in one transaction per session factory (in practice one).

        When the transaction itself fails (the database unreachable or locked for too long), the
        error is raised if a required write was in it, else logged: optional writes never fail the
        work they serve."""
        with self._lock:
            writes, self._writes = self._writes, []
        committed: set[int] = set()
        try:
            for sessions in dict.fromkeys(w.sessions for w in writes):
                mine = [w for w in writes if w.sessions is sessions]
                try:
                    skipped: set[int] = set()  # optional writes that failed in their savepoint
                    in_transaction(sessions, partial(_run, writes=mine, skipped=skipped))
                    committed.update(id(w) for w in mine if id(w) not in skipped)
                except Exception:
                    if any(not w.optional for w in mine):
                        raise
                    what = ", ".join(dict.fromkeys(w.what for w in mine))
                    log.error("could not store %s; the search is unaffected", what, exc_info=True)
        finally:
            for write in writes:
                if write.after is not None:
                    write.after(id(write) in committed)


def _run(session: Session, writes: list[_Write], skipped: set[int]) -> None:
    """Each write in turn; an optional one that fails is rolled back to its savepoint and noted in
    `skipped` (its `after` hears it was not stored, though the transaction commits)."""
    skipped.clear()  # a retried transaction starts over
    for write in writes:
        if not write.optional:
            write.work(session)
            continue
        try:
            with session.begin_nested():
                write.work(session)
        except SQLAlchemyError:
            skipped.add(id(write))
            log.warning("could not store %s; the search is unaffected", write.what, exc_info=True)


_CURRENT: ContextVar[WriteBatch | None] = ContextVar("kolbot_write_batch", default=None)


def deferred(
    sessions: sessionmaker[Session],
    work: Callable[[Session], object],
    *,
    what: str,
    optional: bool = True,
    after: Callable[[bool], None] | None = None,
) -> bool:
    """Add `work` to the current batch and return True; outside a batch return False (nothing done).
    `after(committed)` runs once the batch ended."""
    batch = _CURRENT.get()
    if batch is None:
        return False
    batch.add(_Write(sessions, work, what, optional, after))
    return True


@contextmanager
def batched_writes() -> Iterator[None]:
    """Collect the block's writes and commit them together at its end (inside a batch: join it).

    When the block raises, what was collected (paid answers, spend) is still stored, and a
    failure to store it is logged rather than hiding the block's own error.
    """
    if _CURRENT.get() is not None:
        yield
        return
    batch = WriteBatch()
    token = _CURRENT.set(batch)
    try:
        yield
    except BaseException:
        _CURRENT.reset(token)
        try:
            batch.flush()
        except Exception:
            log.error("could not store the writes of a failed search", exc_info=True)
        raise
    _CURRENT.reset(token)
    batch.flush()
