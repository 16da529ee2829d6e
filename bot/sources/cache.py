"""What keeps paid upstream calls down: a response cache, in-flight coalescing and a rate limit.

All are thread-safe: the app is synchronous and Bolt runs listeners in threads. Limits that hold
across processes on PostgreSQL are in `pg_limits`; `LocalLimits` is the one-process counterpart.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import urlencode

Body = dict[str, Any]
T = TypeVar("T")

# An answer past its TTL stays this long for `reusing_expired_pages`; then housekeeping deletes it.
EXPIRED_KEPT = timedelta(days=1)
_REUSABLE_PAGES: ContextVar[int] = ContextVar("reusable_pages", default=0)


@contextmanager
def reusing_expired_pages(through: int) -> Iterator[None]:
    """Within it, search pages 1..`through` may be answered by a cached answer past its TTL (up to
    `EXPIRED_KEPT` past it). *More results* numbers the list the earlier cards numbered: the answers
    those cards were ranked on give the same ranks for free, where fresh pages would cost again and
    could rank a creator already shown below the cut, or one not shown above it. Threads started
    through `TracingExecutor` inherit it (they run in a copy of the caller's context)."""
    token = _REUSABLE_PAGES.set(through)
    try:
        yield
    finally:
        _REUSABLE_PAGES.reset(token)


def may_reuse_expired(page: int) -> bool:
    """Whether search page `page` may be answered past its TTL here (`reusing_expired_pages`)."""
    return page <= _REUSABLE_PAGES.get()


def expiring_after(now: datetime, *, expired_ok: bool) -> datetime:
    """A cached answer may answer a `get` at `now` when it expires after this."""
    return now - EXPIRED_KEPT if expired_ok else now


def cache_key(route: str, params: Mapping[str, str]) -> str:
    """Stable key for one upstream request: the route plus its params in sorted order."""
    return f"{route}?{urlencode(sorted(params.items()))}"


class CacheBackend(Protocol):
    """Storage for successful response bodies. Bodies are shared: callers must not mutate them.

    `get` returns `(body, fetched_at)` or None when the key is absent or older than the `ttl_s`
    given to `set` (with `expired_ok`, older than that by `EXPIRED_KEPT`). Implementations:
    `MemoryCache` here; a SQL-backed one in `bot/store/http_cache.py`.
    """

    def get(self, key: str, *, expired_ok: bool = False) -> tuple[Body, datetime] | None: ...

    def set(self, key: str, body: Body, fetched_at: datetime, ttl_s: float) -> None: ...


@dataclass
class _Entry:
    body: Body
    fetched_at: datetime
    expires_at: datetime


class MemoryCache:
    """In-process `CacheBackend`, least-recently-used entries evicted beyond `max_entries`."""

    def __init__(self, max_entries: int = 200) -> None:  # a search page body is ~0.5 MB in memory
        self._max_entries = max_entries
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, *, expired_ok: bool = False) -> tuple[Body, datetime] | None:
        now = datetime.now(UTC)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires_at <= expiring_after(now, expired_ok=True):
                del self._entries[key]
                return None
            if entry.expires_at <= expiring_after(now, expired_ok=expired_ok):
                return None
            self._entries.move_to_end(key)
            return entry.body, entry.fetched_at

    def set(self, key: str, body: Body, fetched_at: datetime, ttl_s: float) -> None:
        with self._lock:
            self._entries[key] = _Entry(body, fetched_at, fetched_at + timedelta(seconds=ttl_s))
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)


@dataclass
class _Call(Generic[T]):
    done: threading.Event = field(default_factory=threading.Event)
    value: T | None = None
    error: BaseException | None = None


class SingleFlight(Generic[T]):
    """Coalesces concurrent calls with the same key into one execution of `fn`.

    The first caller (the leader) runs `fn`; callers arriving while it runs wait and receive
    the same value, or the same exception. A call arriving after the leader finished starts a
    new flight, so pair this with a cache that the leader fills before returning.
    """

    def __init__(self) -> None:
        self._calls: dict[str, _Call[T]] = {}
        self._lock = threading.Lock()

    def do(self, key: str, fn: Callable[[], T]) -> tuple[T, bool]:
        """Return `(value, leader)`; `leader` is False for callers that shared another's result."""
        with self._lock:
            call = self._calls.get(key)
            leader = call is None
            if call is None:
                call = self._calls[key] = _Call()
        if leader:
            try:
                call.value = fn()
            except BaseException as exc:
                call.error = exc
                raise
            finally:
                with self._lock:
                    del self._calls[key]
                call.done.set()
        else:
            call.done.wait()
            if call.error is not None:
                raise call.error
        return call.value, leader  # type: ignore[return-value]


class RateLimiter:
    """Token bucket: `rate_per_s` sustained, bursts of up to `burst` requests.

    `acquire` reserves a token under the lock and sleeps outside it, so concurrent callers are
    spaced `1 / rate_per_s` apart without holding each other up while waiting.
    """

    def __init__(
        self,
        rate_per_s: float,
        *,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._rate = rate_per_s
        self._capacity = burst if burst is not None else max(1.0, rate_per_s)
        self._tokens = self._capacity
        self._clock, self._sleep = clock, sleep
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping until it is available; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self._capacity, self._tokens + (now - self._last) * self._rate)
            self._last = now
            self._tokens -= 1
            wait = -self._tokens / self._rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait


class UpstreamLimits(Protocol):
    """What a paid call goes through: `hold(key)` around "check the cache → fetch → store" (one
    caller per key at a time, wherever it runs) and `acquire()` (a rate slot) before each attempt."""

    def acquire(self) -> float: ...

    def hold(self, key: str) -> AbstractContextManager[object]: ...

    def close(self) -> None: ...


class LocalLimits:
    """`UpstreamLimits` of one process (SQLite): the token bucket; `SingleFlight` is the only lock."""

    def __init__(self, rate_per_s: float, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self._limiter = RateLimiter(rate_per_s, sleep=sleep)

    def acquire(self) -> float:
        return self._limiter.acquire()

    def hold(self, key: str) -> AbstractContextManager[object]:
        return nullcontext()

    def close(self) -> None:
        return None
