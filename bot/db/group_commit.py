"""Group commit: concurrent callers' writes committed in one transaction, each caller waiting for it.

Under a burst every Slack request commits a claim (and, with the queue, a job) before its ack. One
transaction each costs a pool checkout, BEGIN, the statements and COMMIT per request, mostly
Python CPU that the GIL serialises. `GroupCommit.submit(item)` instead hands `item` to a batch:
the first caller to arrive while no batch is being committed leads; it commits every item
submitted so far with one call of `commit(items)`, then hands the lead to the first item that
arrived meanwhile, whose caller commits the next batch. Nobody waits for a timer: a lone caller
commits at once, and a batch is whatever arrived during the previous commit (as PostgreSQL's own
WAL flush groups concurrent commits).

Each caller gets its own item's result once its batch committed, or the batch's exception: a
batch commits or fails as a whole. A caller waits for the batches before its own at most its
`patience` (a hung connection under the leader must not hold every later ack past Slack's 3 s),
and a caller that stops waiting leaves the queue, so no lead is ever handed to a caller that is
gone; once its own batch is being committed, it waits for how that ends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class _Entry(Generic[T, R]):
    def __init__(self, item: T) -> None:
        self.item = item
        self.ready = threading.Event()  # set when the result is in, or when this caller must lead
        self.leads = False
        self.result: R | None = None
        self.error: BaseException | None = None


class GroupCommit(Generic[T, R]):
    """`commit(items)` returns one result per item, in order, after committing them together."""

    def __init__(self, commit: Callable[[Sequence[T]], Sequence[R]]) -> None:
        self._commit = commit
        self._lock = threading.Lock()
        self._pending: list[_Entry[T, R]] = []
        self._busy = False  # a batch is being committed

    def submit(self, item: T, *, patience: float | None = None) -> R:
        """Commit `item` with whatever else is submitted meanwhile; returns its result. `patience`:
        how long at most to wait for the batches before its own (a hung one): then `TimeoutError`,
        and `item` is not committed."""
        entry: _Entry[T, R] = _Entry(item)
        with self._lock:
            self._pending.append(entry)
            entry.leads = not self._busy
            self._busy = True
        if not entry.leads:
            self._follow(entry, patience)
        if entry.leads:
            self._lead()
        if entry.error is not None:
            raise entry.error
        return entry.result  # type: ignore[return-value]  # set with `ready`, as R

    def _follow(self, entry: _Entry[T, R], patience: float | None) -> None:
        """Waits until `entry`'s batch committed or `entry` leads. A caller that stops waiting
        (out of patience, interrupted) leaves the queue and hands on a lead it was given: nobody
        else would take it, and every later caller would wait for it forever. Once its batch is
        being committed it waits for the outcome (bounded by the leader's database waits):
        answering "failed" for a claim that then commits would lose the request's work."""
        try:
            if entry.ready.wait(patience):
                return
        except BaseException:
            self._withdraw(entry)
            raise
        with self._lock:
            if entry.ready.is_set():  # served, or given the lead, just now
                return
            if entry in self._pending:  # no batch took it: nothing of it is committed
                self._withdraw_locked(entry)
                raise TimeoutError(f"no commit within {patience} s")
        entry.ready.wait()

    def _withdraw(self, entry: _Entry[T, R]) -> None:
        with self._lock:
            self._withdraw_locked(entry)

    def _withdraw_locked(self, entry: _Entry[T, R]) -> None:
        if entry in self._pending:
            self._pending.remove(entry)
            if entry.leads:
                entry.leads = False
                self._hand_on_locked()

    def _lead(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
        try:
            results = self._commit([entry.item for entry in batch])
            for entry, result in zip(batch, results, strict=True):
                entry.result = result
        except BaseException as error:  # every caller of the batch learns why it failed
            for entry in batch:
                entry.error = error
        finally:
            self._pass_lead()
            for entry in batch:
                entry.leads = False
                entry.ready.set()

    def _pass_lead(self) -> None:
        with self._lock:
            self._hand_on_locked()

    def _hand_on_locked(self) -> None:
        if self._pending:
            following = self._pending[0]
            following.leads = True
            following.ready.set()
        else:
            self._busy = False
