"""Response cache, in-flight coalescing and the token-bucket rate limiter, in isolation."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
import time_machine

from bot.sources.cache import MemoryCache, RateLimiter, SingleFlight, cache_key


def test_cache_key_ignores_param_order_but_not_route_or_values() -> None:
    key = cache_key("search_kol_v1", {"keyword": "美妆", "page": "1"})
    assert key == cache_key("search_kol_v1", {"page": "1", "keyword": "美妆"})
    assert key != cache_key("search_kol_v2", {"keyword": "美妆", "page": "1"})
    assert key != cache_key("search_kol_v1", {"keyword": "美妆", "page": "2"})


def test_memory_cache_returns_body_and_fetch_time_until_ttl() -> None:
    cache, body = MemoryCache(), {"data": {"authors": []}}
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC), tick=False) as traveller:
        fetched_at = datetime.now(UTC)
        cache.set("k", body, fetched_at, ttl_s=60)
        traveller.shift(59)
        assert cache.get("k") == (body, fetched_at)
        traveller.shift(1)
        assert cache.get("k") is None
    assert cache.get("missing") is None


def test_memory_cache_evicts_least_recently_used() -> None:
    cache, now = MemoryCache(max_entries=2), datetime.now(UTC)
    cache.set("a", {"n": 1}, now, 60)
    cache.set("b", {"n": 2}, now, 60)
    assert cache.get("a") is not None  # "b" is now the least recently used
    cache.set("c", {"n": 3}, now, 60)
    assert (cache.get("a") is not None, cache.get("b"), cache.get("c") is not None) == (True, None, True)


class Flight:
    """A leader blocked inside `fn` plus `n` callers that arrive while it is in flight."""

    def __init__(self, n: int, fn) -> None:
        self.flight: SingleFlight[object] = SingleFlight()
        self.calls, self.started, self.release = 0, threading.Event(), threading.Event()
        self.results: list[object] = [None] * (n + 1)
        self._fn, self._n = fn, n

    def _fn_blocking(self) -> object:
        self.calls += 1
        self.started.set()
        self.release.wait(5)
        return self._fn()

    def _call(self, i: int) -> None:
        try:
            self.results[i] = self.flight.do("k", self._fn_blocking)
        except Exception as exc:
            self.results[i] = exc

    def run(self) -> list[object]:
        leader = threading.Thread(target=self._call, args=(0,))
        leader.start()
        self.started.wait(5)
        others = [threading.Thread(target=self._call, args=(i,)) for i in range(1, self._n + 1)]
        for t in others:
            t.start()
        threading.Event().wait(0.2)  # let them reach `do` (ordering only; nothing is timed)
        self.release.set()
        for t in [leader, *others]:
            t.join()
        return self.results


def test_single_flight_runs_once_and_shares_the_value() -> None:
    body = {"data": 1}
    flight = Flight(15, lambda: body)
    results = flight.run()
    assert flight.calls == 1
    assert all(value is body for value, _ in results)
    assert sorted(leader for _, leader in results) == [False] * 15 + [True]


def test_single_flight_shares_the_error() -> None:
    error = RuntimeError("upstream down")

    def fail() -> object:
        raise error

    flight = Flight(5, fail)
    assert all(r is error for r in flight.run()) and flight.calls == 1


def test_single_flight_runs_again_once_a_flight_landed() -> None:
    flight: SingleFlight[int] = SingleFlight()
    counter = iter(range(10))
    assert flight.do("k", lambda: next(counter)) == (0, True)
    assert flight.do("k", lambda: next(counter)) == (1, True)


class FakeClock:
    def __init__(self) -> None:
        self.now, self.sleeps = 100.0, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_rate_limiter_allows_a_burst_then_paces() -> None:
    clock = FakeClock()
    limiter = RateLimiter(5, clock=clock, sleep=clock.sleep)
    waits = [limiter.acquire() for _ in range(20)]
    assert waits[:5] == [0.0] * 5
    assert waits[5:] == pytest.approx([0.2] * 15)
    assert clock.now == pytest.approx(103.0)  # 15 paced requests at 5/s


def test_rate_limiter_refills_up_to_the_burst_only() -> None:
    clock = FakeClock()
    limiter = RateLimiter(5, burst=2, clock=clock, sleep=clock.sleep)
    limiter.acquire(), limiter.acquire()
    clock.now += 60  # idle for a minute: still only 2 tokens
    assert [limiter.acquire() for _ in range(3)] == pytest.approx([0.0, 0.0, 0.2])


def test_rate_limiter_reserves_distinct_slots_across_threads() -> None:
    clock = FakeClock()
    waits: list[float] = []
    limiter = RateLimiter(2, burst=1, clock=clock, sleep=lambda s: None)  # time stands still

    def take() -> None:
        waits.append(limiter.acquire())

    threads = [threading.Thread(target=take) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(waits) == pytest.approx([0.5 * i for i in range(10)])
