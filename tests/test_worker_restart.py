"""`kolbot worker` outlives a database outage: procrastinate's worker is started again."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from procrastinate.exceptions import ConnectorException

from bot.queue import TAKEOVER_LIMIT_S, takeover_s
from bot.settings import Settings
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


def test_a_killed_workers_job_is_taken_over_well_within_a_minute_with_the_documented_defaults() -> None:
    """The production bound (the scale tests use 0.5 s beats and 3 s, `tests/scale_harness.py`):
    with the defaults README documents, a killed worker's job is started again by another within
    40 s, leaving 20 s of the minute for the job itself."""
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (defaults.kolbot_worker_heartbeat_s, defaults.kolbot_worker_stalled_s) == (5, 30)
    assert takeover_s(defaults) == 40 <= TAKEOVER_LIMIT_S - 20
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert "| `KOLBOT_WORKER_HEARTBEAT_S` |" in readme and "| `KOLBOT_WORKER_STALLED_S` |" in readme
    for row in readme.splitlines():
        if row.startswith("| `KOLBOT_WORKER_HEARTBEAT_S` |"):
            assert row.rstrip().endswith("| `5` |")
        if row.startswith("| `KOLBOT_WORKER_STALLED_S` |"):
            assert row.rstrip().endswith("| `30` |")
    assert "within 40 s" in readme
