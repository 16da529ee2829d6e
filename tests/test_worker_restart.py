"""`kolbot worker` outlives a database outage: procrastinate's worker is started again."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import procrastinate
import pytest
from procrastinate.exceptions import ConnectorException
from procrastinate.testing import InMemoryConnector
from psycopg_pool import PoolTimeout

from bot.observability.logs import StderrHandler, configure_logging
from bot.observability.outages import DatabaseOutages
from bot.queue import TAKEOVER_LIMIT_S, JobInfo, TaskRegistry, takeover_s
from bot.redact import install_log_redaction, remove_log_redaction
from bot.settings import Settings
from handlers.worker import LoopProbe, _run, keep_working


def test_the_worker_starts_again_after_each_database_fault(caplog: pytest.LogCaptureFixture) -> None:
    starts: list[int] = []

    async def run_worker(started: Callable[[], None]) -> None:
        starts.append(len(starts))
        if len(starts) < 3:
            raise ConnectorException() from OSError("connection refused")
        started()

    with caplog.at_level(logging.WARNING):
        asyncio.run(keep_working(run_worker, waits=(0.0,)))
    assert starts == [0, 1, 2]
    assert caplog.text.count("the database is unreachable (connection refused)") == 2


def test_a_fault_that_is_not_the_database_still_stops_the_worker() -> None:
    async def run_worker(started: Callable[[], None]) -> None:
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError, match="a bug"):
        asyncio.run(keep_working(run_worker, waits=(0.0,)))


def test_the_waits_between_starts_grow_to_the_last(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async def run_worker(started: Callable[[], None]) -> None:
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


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def outage_log(capsys: pytest.CaptureFixture[str]) -> Iterator[FakeClock]:
    """kolbot's own log handler (with its outage limiter and redaction), on a fake clock."""
    handler = configure_logging(Settings(_env_file=None))  # type: ignore[call-arg]
    assert isinstance(handler, StderrHandler)
    clock = FakeClock()
    handler.outages = DatabaseOutages(60, clock=clock)
    install_log_redaction([])
    yield clock
    remove_log_redaction()
    logging.getLogger().removeHandler(handler)


def pool_timeout() -> ConnectorException:
    try:
        raise ConnectorException() from PoolTimeout("couldn't get a connection after 30.00 sec")
    except ConnectorException as error:
        return error


def test_the_worker_stopped_warning_and_its_recovery_are_logged_whatever_the_limiter_counted(
    outage_log: FakeClock, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The operator's sequence: the stalled-job check met the pool timeout first, so the 60 s
    limiter held back every later PoolTimeout line, the worker's 'stopped' warning among them."""

    async def sleep(seconds: float) -> None:
        outage_log.now += seconds

    async def run_worker(started: Callable[[], None]) -> None:
        outage_log.now += 30  # procrastinate's own retries, then the pool timeout
        if outage_log.now < 1100:
            raise pool_timeout()
        started()

    try:
        raise pool_timeout()
    except ConnectorException:
        logging.getLogger("handlers.worker").exception(
            "could not check for stalled jobs; trying again in 5 s"
        )
    monkeypatch.setattr(asyncio, "sleep", sleep)
    asyncio.run(keep_working(run_worker, waits=(1.0, 2.0, 5.0), clock=outage_log))
    lines = capsys.readouterr().err.splitlines()
    assert sum("could not check for stalled jobs" in line for line in lines) == 1
    stopped = [line for line in lines if "the worker stopped" in line]
    assert [line.split("starting again in ")[1] for line in stopped] == ["1 s", "2 s", "5 s"]
    assert "the database is unreachable (psycopg_pool.PoolTimeout: couldn't get a connection" in stopped[0]
    assert all("not logged since" not in line and "Traceback" not in line for line in lines)
    [running] = [line for line in lines if "running again" in line]
    assert " INFO " in running
    assert "the worker is running again after 98 s of database outage (it stopped 3 times)" in running
    assert lines[-1] == running


def test_the_waits_start_again_from_the_first_once_a_worker_ran(monkeypatch: pytest.MonkeyPatch) -> None:
    """A second outage later is met with 1 s, not with the 30 s the first one had reached."""
    slept: list[float] = []
    runs = iter(["fault", "fault", "ran, then fault", "fault", "ran"])

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async def run_worker(started: Callable[[], None]) -> None:
        run = next(runs)
        if run.startswith("ran"):
            started()
        if run.endswith("fault"):
            raise ConnectorException()

    monkeypatch.setattr(asyncio, "sleep", sleep)
    asyncio.run(keep_working(run_worker, waits=(1.0, 5.0, 30.0)))
    assert slept == [1.0, 5.0, 1.0, 5.0]


def test_a_worker_stopping_between_starts_is_not_started_again() -> None:
    starts: list[str] = []

    async def main() -> None:
        stopping = asyncio.Event()

        async def run_worker(started: Callable[[], None]) -> None:
            starts.append("start")
            stopping.set()  # SIGTERM while the worker meets the outage
            raise ConnectorException()

        await keep_working(run_worker, waits=(3600.0,), stopping=stopping)

    asyncio.run(main())  # returns without waiting out the hour
    assert starts == ["start"]


class InMemoryQueue:
    """What `_run` uses of a `JobQueue`, on procrastinate's in-memory connector, running no job."""

    def __init__(self) -> None:
        self.app = procrastinate.App(connector=InMemoryConnector())

    def running(self) -> int:
        return 0

    def when_idle(self, callback: Callable[[], object]) -> None:
        callback()

    async def retry_stalled(self) -> int:
        return 0


class SigtermOnceRunning(logging.Handler):
    """Sends this process SIGTERM when procrastinate's worker says it started; keeps every line."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())
        if record.getMessage().startswith("Starting worker on"):
            os.kill(os.getpid(), signal.SIGTERM)  # handled by the worker's event loop


def test_on_sigterm_procrastinate_is_told_to_stop_fetching_before_the_stopping_line() -> None:
    """Jobs started 1–33 ms after "stopping: finishing N running jobs" came from procrastinate's
    fetch loop, which was told to stop only after that line (the worker task was cancelled)."""
    handler = SigtermOnceRunning()
    loggers = [logging.getLogger("procrastinate"), logging.getLogger("handlers.worker")]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        settings = Settings(_env_file=None, kolbot_shutdown_grace_s=30)  # type: ignore[call-arg]
        asyncio.run(_run(InMemoryQueue(), settings, LoopProbe()))  # type: ignore[arg-type]
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
            logger.setLevel(logging.NOTSET)
    told = handler.lines.index("Stop requested")
    stopping = next(i for i, line in enumerate(handler.lines) if line.startswith("stopping: finishing 0"))
    assert told < stopping
    assert any(line.startswith("Stopped worker on") for line in handler.lines[stopping:])


def test_when_idle_is_called_once_the_last_running_job_ends() -> None:
    registry = TaskRegistry()
    entered, release = threading.Event(), threading.Event()
    registry.register("slow", lambda job: (entered.set(), release.wait()))
    calls: list[str] = []
    job = threading.Thread(target=registry.run, args=("slow", JobInfo("slow", "k", 0, True), {}))
    job.start()
    entered.wait()
    registry.when_idle(lambda: calls.append("idle"))
    assert calls == []  # a job runs
    release.set()
    job.join()
    assert calls == ["idle"]
    registry.when_idle(lambda: calls.append("now"))
    assert calls == ["idle", "now"]  # none runs: at once
