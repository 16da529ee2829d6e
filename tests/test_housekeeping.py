"""Housekeeping keeps `request_claims`, `saved_searches` and `http_cache` bounded: the runner's
logic with an injected clock, the default jobs on a real database, and a 5,000-request soak."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from bot.db.engine import read_session, session_factory
from bot.db.tables import HttpCacheRow, RequestClaim, SavedSearchRow
from bot.housekeeping import Housekeeping, Job, default_jobs
from bot.services import Services, build_services
from bot.store.http_cache import SqlResponseCache
from tests.fakes.signing import CHANNEL_ID, USER_ID
from tests.fakes.slack_api import TEAM_ID, FakeSlackApi
from tests.fakes.slack_app import slack_settings

START = datetime(2030, 1, 1, tzinfo=UTC)
CACHE_TTL_S = 6 * 3600


@pytest.fixture
def services(slack: FakeSlackApi) -> Iterator[Services]:
    built = build_services(
        slack_settings(slack, kolbot_search_retention_days=1, kolbot_claim_retention_hours=24)
    )
    yield built
    built.close()


def rows(services: Services) -> dict[str, int]:
    with read_session(session_factory(services.engine)) as session:
        return {
            table.__tablename__: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (RequestClaim, SavedSearchRow, HttpCacheRow)
        }


def test_every_job_gets_the_injected_now_and_a_failing_job_does_not_stop_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[tuple[str, datetime]] = []

    def broken(now: datetime) -> int:
        raise RuntimeError("database went away")

    jobs = [
        Job("first", lambda now: seen.append(("first", now)) or 2),
        Job("broken", broken),
        Job("last", lambda now: seen.append(("last", now)) or 0),
    ]
    assert Housekeeping(jobs, now=lambda: START).run_once() == {"first": 2, "last": 0}
    assert seen == [("first", START), ("last", START)]
    assert "broken failed" in caplog.text


def test_run_until_runs_at_once_then_every_interval_until_stopped() -> None:
    class FakeStop(threading.Event):
        """`wait` returns at once: not set twice, then set."""

        def __init__(self) -> None:
            super().__init__()
            self.waits: list[float] = []

        def wait(self, timeout: float | None = None) -> bool:
            self.waits.append(timeout or 0)
            return len(self.waits) == 3

    runs: list[datetime] = []
    stop = FakeStop()
    Housekeeping([Job("count", lambda now: runs.append(now) or 0)], now=lambda: START).run_until(stop, 3600)
    assert len(runs) == 3 and stop.waits == [3600, 3600, 3600]


def test_the_thread_runs_the_jobs_and_stops_when_asked() -> None:
    ran = threading.Event()
    halt = Housekeeping([Job("signal", lambda now: ran.set() or 0)]).start(every_s=3600)
    assert ran.wait(timeout=10)
    halt()
    assert not any(t.name == "kolbot-housekeeping" for t in threading.enumerate())


def test_default_jobs_delete_only_what_is_past_its_retention(services: Services) -> None:
    cache = SqlResponseCache(session_factory(services.engine))
    with time_machine.travel(START, tick=False) as clock:
        services.ledger.claim("command:old")
        services.job_posts.record("job:old#0", "{}")
        services.searches.save(TEAM_ID, CHANNEL_ID, USER_ID, "护肤", "zh")
        cache.set("old", {"ok": 1}, START, CACHE_TTL_S)
        clock.shift(timedelta(hours=31))  # the old answer expired 25 h ago: past its day of reuse
        services.ledger.claim("command:new")
        services.job_posts.record("job:new#0", "{}")
        kept = services.searches.save(TEAM_ID, CHANNEL_ID, USER_ID, "美妆", "zh")
        cache.set("new", {"ok": 2}, datetime.now(UTC), CACHE_TTL_S)
        deleted = Housekeeping(default_jobs(services)).run_once()
    assert deleted == {
        "request claims": 1,
        "job posts": 1,
        "saved searches": 1,
        "expired cache entries": 1,
        "cache entries over the size cap": 0,
        "removed workspaces": 0,
    }
    assert rows(services) == {"request_claims": 1, "saved_searches": 1, "http_cache": 1}
    assert services.searches.get(kept, TEAM_ID) is not None and cache.get("new") is not None
    assert services.ledger.claim("command:old")  # forgotten, so claimable again
    assert services.job_posts.recall("job:old#0") is None
    assert (post := services.job_posts.recall("job:new#0")) is not None and post.response == "{}"


def test_soak_of_5000_requests_keeps_every_table_bounded(services: Services) -> None:
    """One request a minute for 5,000 minutes (3.5 days), housekeeping hourly: each table holds
    at most its retention's worth of rows (plus one interval), never all 5,000."""
    cache = SqlResponseCache(session_factory(services.engine))
    housekeeping = Housekeeping(default_jobs(services))
    peak = dict.fromkeys(("request_claims", "saved_searches", "http_cache"), 0)
    with time_machine.travel(START, tick=False) as clock:
        for minute in range(5000):
            services.ledger.claim(f"block_actions:trig{minute}")
            services.searches.save(TEAM_ID, CHANNEL_ID, USER_ID, f"护肤 {minute}", "zh")
            cache.set(f"search_kol_v1:{minute}", {"page": minute}, datetime.now(UTC), CACHE_TTL_S)
            clock.shift(timedelta(minutes=1))
            if minute % 60 == 59:
                peak = {name: max(peak[name], count) for name, count in rows(services).items()}
                housekeeping.run_once()
    hour = 60
    assert peak["request_claims"] <= 24 * hour + hour
    assert peak["saved_searches"] <= 24 * hour + hour
    assert peak["http_cache"] <= (6 + 24) * hour + hour  # the TTL, then a day kept for More results
    assert min(peak.values()) > 0  # (the counts were really taken)


def test_the_cache_is_cut_to_kolbot_cache_max_mb_oldest_first(slack: FakeSlackApi) -> None:
    """Unexpired answers too: within the 6 h TTL the table is bounded by size."""
    page = {"data": {"authors": [{"nick_name": f"达人{i}", "bio": "x" * i} for i in range(2000)]}}
    built = build_services(slack_settings(slack, kolbot_cache_max_mb=0.05))  # 52 KB
    try:
        cache = SqlResponseCache(session_factory(built.engine))
        now = datetime.now(UTC)
        for minute in range(6):  # about 13 KB each, compressed
            cache.set(f"page{minute}", page, now + timedelta(minutes=minute), CACHE_TTL_S)
        assert cache.size_bytes() > 0.05 * 1024 * 1024
        deleted = Housekeeping(default_jobs(built)).run_once()
        assert deleted["cache entries over the size cap"] >= 2 and cache.get("page5") is not None
        assert cache.get("page0") is None and cache.size_bytes() <= 0.05 * 1024 * 1024
    finally:
        built.close()
