"""Shortlist speed: add one creator, then recompute the summary, on a shortlist growing to 200.

Run from the repository root: `.venv/bin/python -m bench.bench_shortlist [--pg URL]`. Prints figures
only. PostgreSQL runs when `--pg` or `KOLBOT_TEST_DATABASE_URL` names a server: a throwaway
database is created there and dropped afterwards. Goal: database round trips per action stay
constant as the shortlist grows (the time grows only with the rows read for the summary).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine, create_engine, event, text

from bot.db.engine import make_engine, normalize_url, session_factory
from bot.db.migrate import migrate
from bot.models import Creator, Price
from bot.shortlists.service import ShortlistService
from bot.store.snapshots import CreatorSnapshots

SIZE = 200


def synthetic_creators(n: int) -> list[Creator]:
    return [
        Creator(
            star_id=f"bench{i:04d}",
            nickname=f"达人{i}",
            followers=10_000 + 997 * i,
            expected_plays=5_000 + 113 * i,
            interact_rate=0.01 + (i % 7) / 100,
            prices={v: Price(video_type=v, yuan=1_000 + 50 * i) for v in (1, 2, 71)},
            tags={"美妆": ["护肤", "彩妆"]},
        )
        for i in range(n)
    ]


class RoundTrips:
    """Counts statements sent to the database (`before_cursor_execute`; an executemany is one)."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: object) -> None:
        self.count += 1


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def run(url: str, label: str) -> None:
    migrate(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    snapshots = CreatorSnapshots(sessions)
    creators = synthetic_creators(SIZE)
    snapshots.save_many(creators, live=True, fetched_at=datetime.now(UTC))
    service = ShortlistService(sessions, snapshots)
    shortlist = service.create("TBENCH", "CBENCH", "UBENCH", "bench", budget_yuan="50万")
    trips = RoundTrips(engine)
    add_ms, summary_ms, add_trips, summary_trips = [], [], [], []
    for creator in creators:
        trips.count, start = 0, time.perf_counter()
        service.add("TBENCH", shortlist.short_id, "UBENCH", [creator.star_id])
        add_ms.append((time.perf_counter() - start) * 1000)
        add_trips.append(trips.count)
        trips.count, start = 0, time.perf_counter()
        summary = service.summary("TBENCH", shortlist.short_id)
        summary_ms.append((time.perf_counter() - start) * 1000)
        summary_trips.append(trips.count)
    assert summary.creator_count == SIZE
    engine.dispose()
    print(f"\n{label}: {SIZE} actions, shortlist growing 1 → {SIZE} creators")
    for name, ms, rt in (("add creator", add_ms, add_trips), ("summary", summary_ms, summary_trips)):
        both = f"p50 {_pct(ms, 50):7.2f} ms   p99 {_pct(ms, 99):7.2f} ms"
        first, last = statistics.median(ms[:10]), statistics.median(ms[-10:])
        growth = f"first 10 p50 {first:6.2f} ms, last 10 p50 {last:6.2f} ms"
        print(f"  {name:<12} {both}   ({growth})")
        print(
            f"  {'':<12} round trips per action: min {min(rt)}, max {max(rt)}"
            f" (at size 1: {rt[0]}, at {SIZE}: {rt[-1]})"
        )
    total = [a + s for a, s in zip(add_ms, summary_ms, strict=True)]
    print(f"  add + summary p50 {_pct(total, 50):.2f} ms, p99 {_pct(total, 99):.2f} ms")


@contextmanager
def throwaway_pg(server_url: str) -> Iterator[str]:
    server = normalize_url(server_url)
    name = f"kolbot_bench_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pg", default=os.environ.get("KOLBOT_TEST_DATABASE_URL"), help="PostgreSQL server URL"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/bench.db", "SQLite (file, WAL)")
    if args.pg:
        with throwaway_pg(args.pg) as url:
            run(url, "PostgreSQL")
    else:
        print("\nPostgreSQL skipped: pass --pg URL or set KOLBOT_TEST_DATABASE_URL")


if __name__ == "__main__":
    main()
