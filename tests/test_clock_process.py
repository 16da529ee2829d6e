"""`kolbot clock` as a real process: SIGTERM is logged and acted on at once, even while a tick
waits on a database that does not answer."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from bot.db.migrate import migrate
from tests.db_fixtures import PG_ENV, throwaway_pg_database, url_text
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_app import BOT_TOKEN
from tests.test_server_process import run  # noqa: F401  (the fixture)

pytestmark = pytest.mark.skipif(
    not os.environ.get(PG_ENV), reason=f"a database that holds a lock needs PostgreSQL: {PG_ENV} not set"
)


@pytest.fixture
def database() -> Iterator[URL]:
    with throwaway_pg_database() as url:
        migrate(url)
        yield url


def wait_for_lock_waiter(url: URL) -> None:
    """Until a session of the database waits for a lock (the clock's tick, behind the test's lock)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    query = text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name AND wait_event_type = 'Lock'")
    try:
        for _ in range(3000):
            with engine.connect() as conn:
                if conn.execute(query, {"name": url.database}).scalar_one():
                    return
            time.sleep(0.01)  # polling for the state, not a timing assumption
        raise AssertionError("the clock never waited for the lock")
    finally:
        engine.dispose()


def test_sigterm_is_logged_and_the_clock_exits_while_its_tick_waits_on_the_database(
    run,  # noqa: F811
    database: URL,
    slack: FakeSlackApi,
) -> None:
    clock = run(
        ["clock"],
        DATABASE_URL=url_text(database),
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_URL=slack.api_url,
        KOLBOT_DIGEST_TICK_S="0.05",
        KOLBOT_SHUTDOWN_GRACE_S="1",
    )
    clock.line("kolbot clock: checking for due digests")
    holder = create_engine(database)
    try:
        with holder.connect() as conn:
            conn.execute(text("LOCK TABLE digests IN ACCESS EXCLUSIVE MODE"))  # held until the rollback
            wait_for_lock_waiter(database)  # the next tick is stuck on the database
            clock.proc.send_signal(signal.SIGTERM)
            clock.log_line("kolbot clock stopping (SIGTERM)")
            code, err = clock.finish(timeout=30)  # the lock is still held: nothing lets the tick finish
            conn.rollback()
    finally:
        holder.dispose()
    assert code == 0 and "Traceback" not in err
    assert "kolbot clock stopped with a tick still running" in err
