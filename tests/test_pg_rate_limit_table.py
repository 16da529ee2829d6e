"""The shared TikHub rate limit's table comes from the migrations (0011), not from pyrate-limiter:
migrating a fresh PostgreSQL database creates it, the limiter creates nothing and keeps its limit
in that table, and SQLite (one process, no shared limit) gets no such table."""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Iterator

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL

from bot.db.engine import make_engine
from bot.db.migrate import migrate
from bot.db.tables import is_ours
from bot.sources.pg_limits import ARRIVAL_MARGIN_MS, BUCKET, PostgresLimits
from tests.db_fixtures import PG_ENV, throwaway_pg_database, url_text

needs_pg = pytest.mark.skipif(
    not os.environ.get(PG_ENV), reason=f"{PG_ENV} not set: the shared rate limit's table is PostgreSQL-only"
)
migration = importlib.import_module("bot.db.migrations.versions.0011_tikhub_rate_limit")


@pytest.fixture
def fresh_pg() -> Iterator[URL]:
    with throwaway_pg_database() as url:
        yield url


def tables(url: str | URL) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def admitted(url: str | URL) -> list[float]:
    """The limiter's log: when each admitted call was stamped (database clock, epoch seconds)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            sql = f"SELECT extract(epoch FROM item_timestamp) FROM {migration.TABLE} ORDER BY item_timestamp"
            return [float(at) for (at,) in conn.execute(text(sql))]
    finally:
        engine.dispose()


def test_the_migration_names_the_table_and_index_pyrate_limiter_uses() -> None:
    assert f"ratelimit___{BUCKET}" == migration.TABLE
    assert f"timestampindex_{BUCKET}" == migration.INDEX
    assert not is_ours(migration.TABLE, "table")  # pyrate-limiter's table, not a model


@needs_pg
def test_migrating_a_fresh_postgresql_database_creates_the_rate_limit_table(fresh_pg: URL) -> None:
    assert migration.TABLE not in tables(fresh_pg)
    migrate(url_text(fresh_pg))
    engine = make_engine(fresh_pg)
    try:
        inspector = inspect(engine)
        columns = {c["name"]: str(c["type"]) for c in inspector.get_columns(migration.TABLE)}
        indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes(migration.TABLE)}
    finally:
        engine.dispose()
    assert columns == {"name": "VARCHAR", "weight": "SMALLINT", "item_timestamp": "TIMESTAMP"}
    assert indexes == {migration.INDEX: ["item_timestamp"]}


@needs_pg
def test_the_limiter_creates_no_table_and_keeps_its_limit_in_the_migrated_one(
    fresh_pg: URL, caplog: pytest.LogCaptureFixture
) -> None:
    url = url_text(fresh_pg)
    limits = PostgresLimits(url, qps=2)  # before the migrations: it must not create its table
    try:
        assert migration.TABLE not in tables(url)
    finally:
        limits.close()
    migrate(url)
    limits = PostgresLimits(url, qps=2)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.sources.pg_limits"):
            for _ in range(3):
                limits.acquire()
    finally:
        limits.close()
    assert "unavailable" not in caplog.text  # the shared limit, not the in-process fallback
    stamps = admitted(url)
    assert len(stamps) == 3  # every call admitted is in the table
    window_s = (1000 + ARRIVAL_MARGIN_MS) / 1000
    assert stamps[2] - stamps[0] >= window_s - 0.001  # the third waited for the window: 2 per window


@needs_pg
def test_an_unmigrated_database_leaves_the_limit_to_the_process(
    fresh_pg: URL, caplog: pytest.LogCaptureFixture
) -> None:
    """Without the table the shared limit cannot work; kolbot says so and paces this process."""
    url = url_text(fresh_pg)
    limits = PostgresLimits(url, qps=1000)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.sources.pg_limits"):
            limits.acquire()
    finally:
        limits.close()
    assert "shared TikHub rate limit unavailable" in caplog.text
    assert migration.TABLE not in tables(url)


def test_sqlite_gets_no_rate_limit_table(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'kolbot.db'}"
    migrate(url)
    assert migration.TABLE not in tables(url)
