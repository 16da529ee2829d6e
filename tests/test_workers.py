"""`WorkerPool.drain`: finished work is not reported, unfinished work (running or queued) is."""

from __future__ import annotations

import threading

from bot.workers import WorkerPool


def test_drain_tells_only_the_jobs_that_did_not_finish_and_cancels_the_queued_ones() -> None:
    pool = WorkerPool(1)
    release, started = threading.Event(), threading.Event()
    told: list[str] = []
    ran: list[str] = []

    def blocked() -> None:
        started.set()
        release.wait(30)

    pool.submit(blocked, on_abandon=lambda: told.append("running"))
    pool.submit(ran.append, "queued", on_abandon=lambda: told.append("queued"))
    assert started.wait(10)
    assert pool.drain(0) == 2
    release.set()
    pool.shutdown(wait=True)
    assert sorted(told) == ["queued", "running"] and ran == []  # the queued job never ran


def test_drain_waits_for_work_that_finishes_in_the_grace_period() -> None:
    pool = WorkerPool(2)
    told: list[str] = []
    done = threading.Event()
    pool.submit(done.set, on_abandon=lambda: told.append("late"))
    assert pool.drain(30) == 0
    assert done.is_set() and told == []
