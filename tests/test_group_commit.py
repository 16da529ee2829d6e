"""`bot.db.group_commit.GroupCommit`: callers arriving while a batch commits are committed together
in the next batch, each gets its own result, and a failed batch fails every caller of it (only)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from bot.db import group_commit
from bot.db.group_commit import GroupCommit
from tests.scale_harness import wait_until


class Committer:
    """Records each batch; the first batch waits inside `commit` until `release` is set."""

    def __init__(self, fail: Callable[[Sequence[int]], bool] = lambda _: False) -> None:
        self.batches: list[list[int]] = []
        self.held, self.release = threading.Event(), threading.Event()
        self._fail = fail

    def __call__(self, items: Sequence[int]) -> list[int]:
        self.batches.append(list(items))
        if len(self.batches) == 1:
            self.held.set()
            assert self.release.wait(10)
        if self._fail(items):
            raise RuntimeError(f"batch {items} failed")
        return [item * 10 for item in items]


def waiting(group: GroupCommit[int, int]) -> int:
    """How many callers wait for the next batch."""
    return len(group._pending)


def burst(group: GroupCommit[int, int], committer: Committer, pool: ThreadPoolExecutor) -> list[Future[int]]:
    """Item 1 leads and is held inside its commit; items 2–4 arrive meanwhile; then all go on."""
    first = pool.submit(group.submit, 1)
    assert committer.held.wait(10)
    rest = [pool.submit(group.submit, item) for item in (2, 3, 4)]
    wait_until(lambda: waiting(group) == 3, 10, "three callers to wait")
    committer.release.set()
    return [first, *rest]


def test_a_lone_caller_commits_at_once() -> None:
    committer = Committer()
    committer.release.set()
    group = GroupCommit(committer)
    assert group.submit(7) == 70
    assert group.submit(8) == 80
    assert committer.batches == [[7], [8]]


def test_callers_arriving_during_a_commit_share_the_next_batch() -> None:
    committer = Committer()
    group = GroupCommit(committer)
    with ThreadPoolExecutor(4) as pool:
        results = [future.result(10) for future in burst(group, committer, pool)]
    assert results == [10, 20, 30, 40]  # each caller gets its own item's result
    assert committer.batches == [[1], [2, 3, 4]]
    assert waiting(group) == 0 and group.submit(5) == 50  # the lead was given back


def test_a_failed_batch_fails_each_of_its_callers_and_no_other() -> None:
    committer = Committer(fail=lambda items: 3 in items)
    group = GroupCommit(committer)
    with ThreadPoolExecutor(4) as pool:
        first, *rest = burst(group, committer, pool)
        assert first.result(10) == 10
        for future in rest:
            with pytest.raises(RuntimeError, match="failed"):
                future.result(10)
    assert group.submit(6) == 60  # the next caller leads a batch of its own


def test_a_follower_waits_no_longer_than_its_patience_for_a_hung_batch() -> None:
    """The database hangs under the leader (a dead connection answers nothing): a follower under
    `bounded_waits` must still answer within the ack's bound, not when the leader's socket gives up."""
    committer = Committer()
    group = GroupCommit(committer)
    leader = threading.Thread(target=group.submit, args=(1,), daemon=True)
    leader.start()
    assert committer.held.wait(10)
    with pytest.raises(TimeoutError):
        group.submit(2, patience=0.01)  # the leader is held until `release`: this cannot be served
    assert waiting(group) == 0  # it left the queue: no batch commits it behind its back
    committer.release.set()
    leader.join(10)
    assert group.submit(3) == 30 and committer.batches == [[1], [3]]


def test_a_follower_interrupted_while_waiting_does_not_stall_the_next_callers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A caller that stops waiting (KeyboardInterrupt, SystemExit) must not be handed the lead it
    will never take: every later caller would wait for it forever."""

    class Interrupted(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            raise KeyboardInterrupt

    class Entry(group_commit._Entry[int, int]):
        def __init__(self, item: int) -> None:
            super().__init__(item)
            if item == 2:
                self.ready = Interrupted()

    monkeypatch.setattr(group_commit, "_Entry", Entry)
    committer = Committer()
    group = GroupCommit(committer)
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(group.submit, 1)
        assert committer.held.wait(10)
        with pytest.raises(KeyboardInterrupt):
            group.submit(2)
        committer.release.set()
        assert first.result(10) == 10
    after: Future[int] = Future()
    threading.Thread(target=lambda: after.set_result(group.submit(3)), daemon=True).start()
    assert after.result(10) == 30


def test_a_follower_whose_batch_is_being_committed_waits_for_its_outcome(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Out of patience once its batch is already being committed, a caller must learn how that
    ended: giving up then would answer "failed" for a claim that commits a moment later (a click
    or an event then claimed, its work never done, and a second click dropped as a double click)."""
    expired = threading.Event()  # the test decides when item 3's patience runs out
    waits_on = threading.Event()  # item 3 waits for its batch past its patience

    class Expiring(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            if timeout is None:
                waits_on.set()
                return super().wait()
            assert expired.wait(10)
            return self.is_set()

    class Entry(group_commit._Entry[int, int]):
        def __init__(self, item: int) -> None:
            super().__init__(item)
            if item == 3:
                self.ready = Expiring()

    monkeypatch.setattr(group_commit, "_Entry", Entry)
    held = {1: threading.Event(), 2: threading.Event()}
    release = {1: threading.Event(), 2: threading.Event()}
    batches: list[list[int]] = []

    def commit(items: Sequence[int]) -> list[int]:
        batches.append(list(items))
        held[items[0]].set()
        assert release[items[0]].wait(10)
        return [item * 10 for item in items]

    group = GroupCommit(commit)
    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(group.submit, 1)
        assert held[1].wait(10)
        second = pool.submit(group.submit, 2)
        wait_until(lambda: waiting(group) == 1, 10, "item 2 to wait")
        third = pool.submit(group.submit, 3, patience=1.0)
        wait_until(lambda: waiting(group) == 2, 10, "item 3 to wait")
        release[1].set()
        assert held[2].wait(10)  # item 2 leads the batch [2, 3], held in its commit
        expired.set()
        wait_until(lambda: third.done() or waits_on.is_set(), 10, "item 3 to decide")
        release[2].set()
        assert (first.result(10), second.result(10), third.result(10)) == (10, 20, 30)
    assert batches == [[1], [2, 3]]
