"""`kolbot worker` outlives a database outage: procrastinate's worker is started again."""

from __future__ import annotations

import asyncio
import logging

import pytest
from procrastinate.exceptions import ConnectorException

from handlers.worker import keep_working


def test_the_worker_starts_again_after_each_database_fault(caplog: pytest.LogCaptureFixture) -> None:
    starts: list[int] = []

    async def run_worker() -> None:
        starts.append(len(starts))
        if len(starts) < 3:
            raise ConnectorException() from OSError("connection refused")

    with caplog.at_level(logging.WARNING):
        asyncio.run(keep_working(run_worker, waits=(0.0,)))
    assert starts == [0, 1, 2]
    assert caplog.text.count("the database is unreachable (connection refused)") == 2


def test_a_fault_that_is_not_the_database_still_stops_the_worker() -> None:
    async def run_worker() -> None:
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError, match="a bug"):
        asyncio.run(keep_working(run_worker, waits=(0.0,)))


def test_the_waits_between_starts_grow_to_the_last(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async def run_worker() -> None:
        if len(slept) < 4:
            raise ConnectorException()

    monkeypatch.setattr(asyncio, "sleep", sleep)
    asyncio.run(keep_working(run_worker, waits=(1.0, 5.0, 30.0)))
    assert slept == [1.0, 5.0, 30.0, 30.0]
