"""*More results* on a card whose answers are past the cache TTL: the earlier pages come back from
the answers the card was ranked on (free, same ranks), kept a day past their TTL; new pages and
ordinary searches still pay for fresh answers. Against the fake TikHub over HTTP, with the SQL
cache the processes share and with the in-memory one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy.orm import Session, sessionmaker

from bot.grammar import parse_query
from bot.search import SearchService
from bot.settings import PriceUnit
from bot.sources.cache import (
    EXPIRED_KEPT,
    CacheBackend,
    MemoryCache,
    may_reuse_expired,
    reusing_expired_pages,
)
from bot.sources.tikhub import TikHubClient, TikHubSource
from bot.store.http_cache import SqlResponseCache
from tests.fakes.tikhub_server import FakeTikHub

TTL = timedelta(hours=6)
_T = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
def tikhub() -> Iterator[FakeTikHub]:
    with FakeTikHub() as fake:
        yield fake


@pytest.fixture(params=["sql", "memory"])
def make_cache(request: pytest.FixtureRequest, sessions: sessionmaker[Session]) -> Callable[[], CacheBackend]:
    return (lambda: SqlResponseCache(sessions)) if request.param == "sql" else MemoryCache


@pytest.fixture
def service(tikhub: FakeTikHub, make_cache: Callable[[], CacheBackend]) -> Iterator[SearchService]:
    settings = tikhub.settings(kolbot_cache_ttl_s=int(TTL.total_seconds()), tikhub_max_retries=0)
    client = TikHubClient(settings, cache=make_cache(), sleep=lambda _s: None)
    yield SearchService(TikHubSource(client, PriceUnit.YUAN))
    client.close()


def pages_asked(tikhub: FakeTikHub) -> list[int]:
    return [int(r.params["page"]) for r in tikhub.requests]


def test_more_results_after_the_ttl_reuses_the_ranked_pages_and_pays_only_for_new_ones(
    tikhub: FakeTikHub, service: SearchService
) -> None:
    query = parse_query("护肤 pages=1")
    with time_machine.travel(_T, tick=False) as traveller:
        first = service.search(query)
        traveller.shift(TTL + timedelta(hours=1))
        same = service.more(query, pages_seen=1, shown=10)
        assert pages_asked(tikhub) == [1]  # the card's page, seven hours on: not paid again
        assert (same.stats.upstream_calls, same.stats.data_time) == (0, first.stats.data_time)
        assert [(s.creator.star_id, s.score) for s in same.creators] == [
            (s.creator.star_id, s.score) for s in first.creators
        ]
        listed = len(first.creators)
        further = service.more(query, pages_seen=1, shown=listed)
        assert pages_asked(tikhub) == [1, 2]  # only the new page is paid for
        assert further.stats.upstream_calls == 1 and further.new_pages == [2]
        assert [s.creator.star_id for s in further.creators[:listed]] == [
            s.creator.star_id for s in first.creators
        ]
        service.search(query)  # a search of its own wants fresh data
        assert pages_asked(tikhub) == [1, 2, 1]


def test_answers_expired_longer_than_a_day_are_paid_for_again(
    tikhub: FakeTikHub, service: SearchService
) -> None:
    query = parse_query("护肤 pages=1")
    with time_machine.travel(_T, tick=False) as traveller:
        service.search(query)
        traveller.shift(TTL + EXPIRED_KEPT + timedelta(seconds=1))
        again = service.more(query, pages_seen=1, shown=10)
    assert pages_asked(tikhub) == [1, 1] and again.stats.upstream_calls == 1


def test_housekeeping_keeps_expired_answers_for_a_day(sessions: sessionmaker[Session]) -> None:
    cache = SqlResponseCache(sessions)
    cache.set("search_kol_v1?page=1", {"data": {}}, _T, ttl_s=TTL.total_seconds())
    expired = _T + TTL
    assert cache.prune(expired + EXPIRED_KEPT - timedelta(seconds=1)) == 0
    with time_machine.travel(expired + EXPIRED_KEPT - timedelta(seconds=1), tick=False):
        assert cache.get("search_kol_v1?page=1") is None  # expired: an ordinary read misses it
        assert cache.get("search_kol_v1?page=1", expired_ok=True) is not None
    assert cache.prune(expired + EXPIRED_KEPT) == 1


def test_reuse_covers_only_the_pages_asked_for_and_only_within() -> None:
    assert not may_reuse_expired(1)
    with reusing_expired_pages(2):
        assert may_reuse_expired(1) and may_reuse_expired(2) and not may_reuse_expired(3)
    assert not may_reuse_expired(1)
