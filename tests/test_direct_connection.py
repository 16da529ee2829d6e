"""`bot.db.direct.DirectConnection`, the connection `kolbot serve` claims its bursts on: its wait
bounds, and how it recovers from a connection the database dropped (on the throwaway PostgreSQL
database; skipped without it)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy.exc import OperationalError

from bot.db.direct import DirectConnection
from tests.queue_fixtures import needs_pg, raw
from tests.test_server_process import closed_port

pytestmark = needs_pg


@pytest.fixture
def direct(pg_url: str) -> Iterator[DirectConnection]:
    connection = DirectConnection(pg_url)
    yield connection
    connection.close()


def test_each_statement_runs_under_its_own_wait_bound(direct: DirectConnection) -> None:
    assert direct.fetch_one("SHOW lock_timeout", None, wait_s=0.25) == ("250ms",)
    assert direct.fetch_one("SHOW statement_timeout", None, wait_s=0.25) == ("250ms",)
    assert direct.fetch_one("SHOW lock_timeout", None, wait_s=None) == ("0",)  # unbounded again


def test_a_statement_waiting_past_its_bound_fails_as_the_database_being_busy(
    direct: DirectConnection, pg_url: str
) -> None:
    with raw(pg_url) as blocker, blocker.transaction():
        blocker.execute("LOCK TABLE request_claims IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        with pytest.raises(OperationalError, match="timeout"):
            direct.fetch_one("SELECT count(*) FROM request_claims", None, wait_s=0.2)
        assert time.monotonic() - started < 2
    assert direct.fetch_one("SELECT count(*) FROM request_claims", None, wait_s=0.2)[0] >= 0  # usable


def test_a_connection_the_database_dropped_is_replaced_and_the_statement_sent_again(
    direct: DirectConnection, pg_url: str
) -> None:
    """After a restart of the database, or a backend it killed, the first burst is served (as a
    pool's pre-ping would), not refused as "storage unavailable"."""
    (pid,) = direct.fetch_one("SELECT pg_backend_pid()", None, wait_s=1)
    with raw(pg_url) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    (again,) = direct.fetch_one("SELECT pg_backend_pid()", None, wait_s=1)
    assert again != pid
    assert direct.fetch_one("SHOW lock_timeout", None, wait_s=1) == ("1s",)  # bounded like the first


def test_a_failure_names_the_statement_but_not_its_parameters(direct: DirectConnection) -> None:
    with pytest.raises(OperationalError) as failure:  # a statement timeout
        direct.fetch_one("SELECT pg_sleep(1), %s::text", ("token=xoxb-secret-in-a-slack-body",), wait_s=0.05)
    assert "pg_sleep" in str(failure.value) and "xoxb-secret" not in str(failure.value)


def test_a_closed_connection_is_not_opened_again(pg_url: str) -> None:
    direct = DirectConnection(pg_url)
    assert direct.fetch_one("SELECT 1", None, wait_s=1) == (1,)
    direct.close()
    with pytest.raises(OperationalError, match="closed"):
        direct.fetch_one("SELECT 1", None, wait_s=1)


def test_a_database_that_cannot_be_reached_is_an_operational_error() -> None:
    direct = DirectConnection(f"postgresql://postgres@127.0.0.1:{closed_port()}/postgres")
    with pytest.raises(OperationalError):
        direct.fetch_one("SELECT 1", None, wait_s=1)
