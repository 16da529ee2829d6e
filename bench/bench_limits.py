"""What the cross-process TikHub limits add to each paid call, against the one-process limits.

Run from the repository root: `.venv/bin/python -m bench.bench_limits`. Prints figures only.
Needs PostgreSQL (`KOLBOT_TEST_DATABASE_URL`, default the local server); works in a throwaway
database. A paid call takes the fetch lock and a rate slot: timed here without waiting for the
rate (the rate is set far above the calls made) and without the call itself, which takes
hundreds of milliseconds at TikHub.
"""

from __future__ import annotations

import os
import statistics
import time

from bot.db.migrate import migrate
from bot.sources.cache import LocalLimits, UpstreamLimits
from bot.sources.pg_limits import PostgresLimits
from tests.db_fixtures import PG_ENV, throwaway_pg_database, url_text

CALLS = 500
QPS = 100_000  # never waits: the figures are the bookkeeping alone


def per_call_ms(limits: UpstreamLimits) -> tuple[float, float]:
    """Median and p99 of `hold(key)` + `acquire()`, in ms, over `CALLS` distinct keys."""
    times = []
    for n in range(CALLS):
        start = time.perf_counter()
        with limits.hold(f"search_kol_v1?keyword=bench&page={n}"):
            limits.acquire()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99)]


def main() -> None:
    os.environ.setdefault(PG_ENV, "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    local = per_call_ms(LocalLimits(QPS))
    with throwaway_pg_database() as url:
        migrate(url)
        shared_limits = PostgresLimits(url_text(url), QPS)
        per_call_ms(shared_limits)  # warm the pools
        shared = per_call_ms(shared_limits)
        shared_limits.close()
    print(f"{CALLS} paid calls' limits (lock + rate slot), median / p99:")
    print(f"  one process (SQLite):        {local[0]:.3f} / {local[1]:.3f} ms")
    print(f"  all processes (PostgreSQL):  {shared[0]:.2f} / {shared[1]:.2f} ms")


if __name__ == "__main__":
    main()
