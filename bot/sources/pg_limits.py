"""TikHub limits that hold across every kolbot process sharing one PostgreSQL database.

- The rate limit, `KOLBOT_TIKHUB_QPS` for all processes together: pyrate-limiter's PostgreSQL bucket,
  a sliding-window log in the table `ratelimit___kolbot_tikhub`. Migration 0011 creates that table
  (with everything else, by `kolbot migrate`); the bucket here never creates or alters a table.
  Without the table (a database not migrated) every acquire fails over to the in-process limit.
- One paid call per request at a time: a transaction-scoped advisory lock on a hash of the cache key,
  held around "check the cache → fetch → store" (`TikHubClient` keeps its in-process single-flight
  in front, so a process waits on the lock with one connection, not one per thread).

Each side has its own small connection pool: a lock holder asks the rate limit for a slot, so the
two never wait on each other's connections. When the database fails either, kolbot logs it and
goes on with the in-process limit (`RateLimiter`) or without the lock: a paid answer is never
lost to bookkeeping. On SQLite kolbot is one process and `LocalLimits` is all there is.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager

import psycopg
from psycopg_pool import ConnectionPool
from pyrate_limiter import Limiter, PostgresBucket, Rate, RateItem
from sqlalchemy.engine import URL

from bot.db.engine import PG_CONNECT_ARGS, normalize_url
from bot.sources.cache import RateLimiter

log = logging.getLogger(__name__)

BUCKET = "kolbot_tikhub"
# TikHub counts calls as they arrive; a call admitted here reaches it a little later, by an amount
# that varies (threads, network). The window is this much longer than a second so that no second
# at TikHub's end holds more than the limit.
ARRIVAL_MARGIN_MS = 500  # measured jitter under a loaded 2-core machine reached 100+ ms, then 350+
# Namespace of the two-key advisory locks (ASCII "kolb"): apart from single-key users such as
# migrations (and pyrate-limiter's own table creation, which this module no longer runs).
LOCK_CLASS = 0x6B6F6C62
LOCK_CONNECTIONS = 8  # paid calls in flight per process at once; others wait for a connection
LOCK_WAIT_S = 180  # longer than a fetch with every retry; then the waiter fetches by itself


def tikhub_rate(qps: float) -> Rate:
    """`qps` calls in each window of a second (plus the margin); below 1, one call per 1/qps s."""
    limit = max(1, math.floor(qps))
    return Rate(limit, round(limit / qps * 1000) + ARRIVAL_MARGIN_MS)


def lock_key(cache_key: str) -> int:
    """A 32-bit signed key for `pg_advisory_xact_lock(LOCK_CLASS, key)`; the same in every process."""
    return int.from_bytes(hashlib.blake2b(cache_key.encode(), digest_size=4).digest(), "big", signed=True)


def libpq_url(url: str | URL) -> str:
    """The SQLAlchemy URL as a libpq connection string, for psycopg's own pools."""
    return normalize_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresLimits:
    """`UpstreamLimits` shared through PostgreSQL; `close()` closes both pools."""

    def __init__(self, url: str | URL, qps: float) -> None:
        conninfo = libpq_url(url)
        options: dict[str, int | str] = dict(PG_CONNECT_ARGS)
        rate_pool = ConnectionPool(
            conninfo, min_size=1, max_size=2, kwargs=options, num_workers=1, name="kolbot-rate", open=True
        )
        self._limiter = Limiter(_NowStampedBucket(rate_pool, BUCKET, [tikhub_rate(qps)]))
        self._fallback = RateLimiter(qps)
        self._locks = ConnectionPool(
            conninfo,
            min_size=0,
            max_size=LOCK_CONNECTIONS,
            kwargs={**options, "options": f"-c lock_timeout={LOCK_WAIT_S * 1000}"},
            timeout=LOCK_WAIT_S,
            num_workers=1,
            name="kolbot-fetch-locks",
            open=True,
        )

    def acquire(self) -> float:
        """Wait for a slot under the shared rate; returns the seconds waited."""
        started = time.monotonic()
        try:
            self._limiter.try_acquire(BUCKET)
        except psycopg.Error as exc:
            log.warning("shared TikHub rate limit unavailable (%s); pacing this process only", exc)
            self._fallback.acquire()
        return time.monotonic() - started

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        """Exclusive for `key` across processes while the block runs (if the database allows)."""
        conn = self._lock(key)
        try:
            yield
        finally:
            if conn is not None:
                self._unlock(conn)

    def close(self) -> None:
        self._limiter.close()  # with its bucket and pool
        self._locks.close()

    def _lock(self, key: str) -> psycopg.Connection | None:
        conn = None
        try:
            conn = self._locks.getconn()
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_CLASS, lock_key(key)))
            return conn
        except psycopg.Error as exc:  # PoolTimeout and lock_timeout included
            log.warning("no cross-process lock for a TikHub call (%s); fetching without it", exc)
            if conn is not None:
                self._locks.putconn(conn)
            return None

    def _unlock(self, conn: psycopg.Connection) -> None:
        try:
            conn.rollback()  # ends the transaction, and with it the lock
        except psycopg.Error as exc:  # a broken connection: its session, and the lock, are gone
            log.warning("releasing a TikHub fetch lock failed: %s", exc)
        self._locks.putconn(conn)


class _NowStampedBucket(PostgresBucket):
    """pyrate-limiter's PostgreSQL bucket on the table of migration 0011, which it does not create.

    Stamps each put with the database clock, on the connection the put then locks the table with.
    pyrate-limiter 4 puts a waiting caller's item again with its stamp advanced by the time it
    slept, which lags the clock by each retry's own duration; and a stamp read before the put waits
    for one of the pool's connections (a worker's fetches share two) is older than the entry it
    makes. An entry stamped in the past leaves the window early and lets a later call in too soon:
    under load, TikHub saw one call more than the limit in a second."""

    def __init__(self, pool: ConnectionPool, table: str, rates: list[Rate]) -> None:
        self._held = threading.local()  # the connection a put in this thread holds
        super().__init__(pool, table, rates)

    def _create_table(self) -> None:
        """The table comes from the migrations (0011), not from a process at start-up."""

    def put(self, item: RateItem) -> bool | Awaitable[bool]:
        with self.pool.connection() as conn:
            self._held.conn = conn
            try:
                row = conn.execute(_NOW_MS).fetchone()
                assert row is not None  # a SELECT of one value returns one row
                item.timestamp = int(row[0])
                return super().put(item)  # locks, counts and inserts through `_get_conn`: `conn`
            finally:
                self._held.conn = None

    @contextmanager
    def _get_conn(self) -> Iterator[psycopg.Connection]:
        held = getattr(self._held, "conn", None)
        if held is not None:
            yield held
            return
        with self.pool.connection() as conn:
            yield conn


_NOW_MS = "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint"  # as pyrate-limiter's clock
