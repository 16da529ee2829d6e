"""TikHub limits shared through PostgreSQL, with real `kolbot search` processes on the fake TikHub:
identical searches pay once per page, and together they never exceed `KOLBOT_TIKHUB_QPS`."""

from __future__ import annotations

import bisect
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg_pool import ConnectionPool
from pyrate_limiter import RateItem
from sqlalchemy import text

from bot.db.engine import make_engine
from bot.db.migrate import migrate
from bot.sources.pg_limits import (
    BUCKET,
    LOCK_CLASS,
    PostgresLimits,
    _NowStampedBucket,
    libpq_url,
    lock_key,
    tikhub_rate,
)
from tests.db_fixtures import PG_ENV, throwaway_pg_database, url_text
from tests.fakes.tikhub_server import FakeTikHub
from tests.test_server_process import Kolbot, base_env

pytestmark = pytest.mark.skipif(
    not os.environ.get(PG_ENV), reason=f"{PG_ENV} not set: limits across processes need PostgreSQL"
)

QPS = 5
KEYWORDS = ("护肤", "美妆", "母婴", "美食", "穿搭", "数码")  # synthetic pools of at least 4 pages


@pytest.fixture
def pg_url() -> Iterator[str]:
    with throwaway_pg_database() as url:
        migrate(url)
        yield url_text(url)


@pytest.fixture
def tikhub() -> Iterator[FakeTikHub]:
    with FakeTikHub() as fake:
        yield fake


@pytest.fixture
def search(pg_url: str, tikhub: FakeTikHub, tmp_path: Path) -> Iterator[Callable[[str], Kolbot]]:
    """Start `kolbot search <query>` as a process on the shared database and the fake TikHub."""
    env = base_env(
        tmp_path,
        DATABASE_URL=pg_url,
        TIKHUB_API_KEY=tikhub.token,
        TIKHUB_BASE_URL=tikhub.url,
        TIKHUB_MAX_RETRIES="0",
        KOLBOT_TIKHUB_QPS=str(QPS),
    )
    started: list[Kolbot] = []

    def start(query: str) -> Kolbot:
        started.append(Kolbot(["search", query], env, tmp_path))
        return started[-1]

    yield start
    for process in started:
        process.kill()


def wait_until(condition: Callable[[], bool], what: Callable[[], str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting: {what()}")
        time.sleep(0.05)


def lock_waiters(url: str) -> int:
    """Sessions waiting for a TikHub fetch lock in this database."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(
                text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
                    " WHERE l.locktype = 'advisory' AND NOT l.granted AND l.classid = :cls"
                    " AND d.datname = current_database()"
                ),
                {"cls": LOCK_CLASS},
            )
    finally:
        engine.dispose()


def finish_all(processes: list[Kolbot]) -> None:
    for process in processes:
        code, err = process.finish(timeout=120)
        assert code == 0, err
        assert any("护肤" in line or "│" in line for line in process.stdout), process.stdout


def busiest_second(times: list[float]) -> int:
    """The most calls that arrived within any one second."""
    times = sorted(times)
    return max(bisect.bisect_left(times, start + 1.0) - i for i, start in enumerate(times))


def test_identical_searches_in_four_processes_make_one_call_per_page(
    search: Callable[[str], Kolbot], tikhub: FakeTikHub, pg_url: str
) -> None:
    tikhub.hold()  # the first call stays in flight until the other three wait behind it
    processes = [search("护肤 pages=3") for _ in range(4)]
    tikhub.wait_for_calls(1, timeout=90)
    wait_until(
        lambda: lock_waiters(pg_url) == 3 or tikhub.calls > 1,
        lambda: f"{lock_waiters(pg_url)} processes wait for the lock, TikHub got {tikhub.calls} calls",
    )
    assert tikhub.calls == 1, "a second process called TikHub while the first call was in flight"
    tikhub.release()
    finish_all(processes)
    pages = Counter(request.params["page"] for request in tikhub.requests)
    assert pages == {"1": 1, "2": 1, "3": 1}


def test_searches_in_six_processes_stay_within_the_shared_rate(
    search: Callable[[str], Kolbot], tikhub: FakeTikHub
) -> None:
    tikhub.hold()  # first pages wait, so that the other 18 pages are all asked for at once
    processes = [search(f"{keyword} pages=4") for keyword in KEYWORDS]
    tikhub.wait_for_calls(len(KEYWORDS), timeout=90)
    tikhub.release()
    finish_all(processes)
    arrivals = [request.at for request in tikhub.requests]
    assert len(arrivals) == 4 * len(KEYWORDS)
    assert busiest_second(arrivals) == QPS  # reached, never exceeded


def test_limits_key_and_rate() -> None:
    assert lock_key("search_kol_v1?keyword=a&page=1") == lock_key("search_kol_v1?keyword=a&page=1")
    assert lock_key("search_kol_v1?keyword=a&page=1") != lock_key("search_kol_v1?keyword=a&page=2")
    assert (tikhub_rate(5).limit, tikhub_rate(5).interval) == (5, 1500)
    assert (tikhub_rate(0.5).limit, tikhub_rate(0.5).interval) == (1, 2500)


def test_when_the_database_fails_them_a_call_is_paced_locally_and_made_unlocked(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    limits = PostgresLimits(pg_url, QPS)

    def fail(*args: object, **kwargs: object) -> None:
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(limits._locks, "getconn", fail)
    monkeypatch.setattr(limits._limiter, "try_acquire", fail)
    try:
        with limits.hold("search_kol_v1?keyword=a&page=1"):
            assert limits.acquire() < 1  # the local bucket's first token is free
    finally:
        limits.close()
    assert "no cross-process lock" in caplog.text and "pacing this process only" in caplog.text


def test_a_slot_is_stamped_on_the_connection_that_records_it(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stamp read on a connection of its own is older than its entry by the wait for a second
    one, and leaves the window that much early: one connection, one moment."""
    pool = ConnectionPool(libpq_url(pg_url), min_size=1, max_size=2, open=True)
    bucket = _NowStampedBucket(pool, BUCKET, [tikhub_rate(QPS)])
    checkouts: list[int] = []
    take = pool.connection

    def counted(*args: object, **kwargs: object) -> object:
        checkouts.append(1)
        return take(*args, **kwargs)  # type: ignore[arg-type]

    try:
        before = bucket.now()
        monkeypatch.setattr(pool, "connection", counted)
        assert bucket.put(RateItem(BUCKET, 0))
        monkeypatch.undo()
        entry = bucket.peek(0)
        assert isinstance(entry, RateItem) and before <= entry.timestamp <= bucket.now()
        assert len(checkouts) == 1
    finally:
        pool.close()
