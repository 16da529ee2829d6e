"""`bot.db.direct.DirectConnection`, the connection `kolbot serve` claims its bursts on: its wait
bounds, and how it recovers from a connection the database dropped (on the throwaway PostgreSQL
database; skipped without it)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError, OperationalError, ProgrammingError

from bot.db.direct import DirectConnection
from bot.db.engine import PG_CONNECT_ARGS, make_engine
from tests.queue_fixtures import needs_pg, raw
from tests.severable_path import severable_path
from tests.test_server_process import closed_port

pytestmark = needs_pg


@pytest.fixture
def direct(pg_url: str) -> Iterator[DirectConnection]:
    connection = DirectConnection(pg_url)
    yield connection
    connection.close()


def test_each_statement_runs_under_its_own_wait_bound(direct: DirectConnection) -> None:
    assert direct.fetch_one("SHOW lock_timeout", [], wait_s=0.25) == ("250ms",)
    assert direct.fetch_one("SHOW statement_timeout", [], wait_s=0.25) == ("250ms",)
    assert direct.fetch_one("SHOW lock_timeout", [], wait_s=None) == ("0",)  # unbounded again


def test_parameters_and_values_are_text_and_null_is_none(direct: DirectConnection) -> None:
    row = direct.fetch_one("SELECT $1::text, NULL::text, 2 + $2::int", ["护肤 ✓", "3"], wait_s=1)
    assert row == ("护肤 ✓", None, "5")


def test_a_statement_is_prepared_once_per_connection(direct: DirectConnection) -> None:
    for n in range(3):
        assert direct.fetch_one("SELECT $1::int /* probe */", [str(n)], wait_s=1) == (str(n),)
    (count,) = direct.fetch_one(
        "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%/* probe */%'", [], wait_s=1
    )
    assert count == "2"  # the probe, and this statement's own text (it names the probe too)


def test_a_statement_the_database_refuses_raises_as_from_sqlalchemy_and_the_connection_goes_on(
    direct: DirectConnection,
) -> None:
    with pytest.raises(ProgrammingError, match="no_such_table"):
        direct.fetch_one("SELECT * FROM no_such_table", [], wait_s=1)
    with pytest.raises(DataError):
        direct.fetch_one("SELECT $1::int", ["not a number"], wait_s=1)
    assert direct.fetch_one("SELECT 1", [], wait_s=1) == ("1",)


def test_a_statement_waiting_past_its_bound_fails_as_the_database_being_busy(
    direct: DirectConnection, pg_url: str
) -> None:
    with raw(pg_url) as blocker, blocker.transaction():
        blocker.execute("LOCK TABLE request_claims IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        with pytest.raises(OperationalError, match="timeout"):
            direct.fetch_one("SELECT count(*) FROM request_claims", [], wait_s=0.2)
        assert time.monotonic() - started < 2
    assert direct.fetch_one("SELECT count(*) FROM request_claims", [], wait_s=0.2)[0] is not None  # usable


def test_a_connection_the_database_dropped_is_replaced_and_the_statement_sent_again(
    direct: DirectConnection, pg_url: str
) -> None:
    """After a restart of the database, or a backend it killed, the first burst is served (as a
    pool's pre-ping would), not refused as "storage unavailable"."""
    (pid,) = direct.fetch_one("SELECT pg_backend_pid()", [], wait_s=1)
    with raw(pg_url) as admin:
        admin.execute("SELECT pg_terminate_backend(%s::int)", (pid,))
    (again,) = direct.fetch_one("SELECT pg_backend_pid()", [], wait_s=1)
    assert again != pid  # and the statement was prepared again on the new connection
    assert direct.fetch_one("SHOW lock_timeout", [], wait_s=1) == ("1s",)  # bounded like the first


def test_a_failure_names_the_statement_but_not_its_parameters(direct: DirectConnection) -> None:
    with pytest.raises(OperationalError) as failure:  # a statement timeout
        direct.fetch_one("SELECT pg_sleep(1), $1::text", ["token=xoxb-secret-in-a-slack-body"], wait_s=0.05)
    assert "pg_sleep" in str(failure.value) and "xoxb-secret" not in str(failure.value)


def test_no_failure_quotes_a_parameter_even_where_the_server_would(direct: DirectConnection) -> None:
    """The server's detail and context can quote parameters: the JSON around a syntax error, and
    every parameter of a failed statement with `log_parameter_max_length_on_error` set."""
    secret = "token=xoxb-secret-in-a-slack-body"
    direct.fetch_one("SELECT set_config('log_parameter_max_length_on_error', '-1', false)", [], wait_s=1)
    with pytest.raises(OperationalError) as timeout:
        direct.fetch_one("SELECT pg_sleep(1), $1::text", [secret], wait_s=0.05)
    with pytest.raises(DataError) as syntax:
        direct.fetch_one("SELECT $1::jsonb", [f'[{{"body": "{secret}", "n": NaN}}]'], wait_s=1)
    for failure in (timeout, syntax):
        assert "xoxb-secret" not in str(failure.value) and "xoxb-secret" not in repr(failure.value.orig)
    assert "invalid input syntax for type json" in str(syntax.value)  # what failed is still said


def test_a_statement_the_server_forgot_is_prepared_again(direct: DirectConnection) -> None:
    """`DISCARD ALL`, or a pooler that moved the session, drops the prepared statements."""
    assert direct.fetch_one("SELECT $1::int + 1", ["1"], wait_s=1) == ("2",)
    assert direct._connection is not None
    direct._connection.execute("DEALLOCATE ALL")
    assert direct.fetch_one("SELECT $1::int + 1", ["2"], wait_s=1) == ("3",)


SHIPPED = {
    "connect_timeout": "5",
    "keepalives": "1",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
    "tcp_user_timeout": "10000",
}


def test_every_connection_is_kept_alive_and_gives_up_on_a_dropped_packet(
    direct: DirectConnection, pg_url: str
) -> None:
    """The claim connection and the engine's connections carry `PG_CONNECT_ARGS`: keepalives, and a
    TCP user timeout, as libpq reports what it was given."""
    direct.fetch_one("SELECT 1", [], wait_s=1)
    assert direct._connection is not None
    engine = make_engine(pg_url)
    try:
        with engine.connect() as connection:
            pooled = connection.connection.driver_connection
            assert pooled is not None
            for parameters in (direct._connection.info.get_parameters(), pooled.info.get_parameters()):
                assert {name: parameters.get(name) for name in SHIPPED} == SHIPPED
    finally:
        engine.dispose()


def test_a_statement_the_network_drops_fails_as_a_lost_connection_and_the_next_is_served(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A NAT or firewall that drops the claim connection's packets: the statement fails after the
    TCP user timeout (1 s here, 10 s as shipped), as a lost connection, and not after the kernel's
    retransmissions (about 15 minutes, every ack waiting behind it); once the network is back the
    next statement is served on a new connection."""
    monkeypatch.setitem(PG_CONNECT_ARGS, "tcp_user_timeout", 1000)
    monkeypatch.setitem(PG_CONNECT_ARGS, "connect_timeout", 2)
    url = make_url(pg_url)
    with severable_path((url.host or "127.0.0.1", url.port or 5432)) as path:
        direct = DirectConnection(url.set(host=path.host, port=path.port))
        assert direct.fetch_one("SELECT 1", [], wait_s=None) == ("1",)
        path.sever()
        outcome = answered(lambda: direct.fetch_one("SELECT 2", [], wait_s=None), within=60)
        path.mend()
        assert isinstance(outcome, OperationalError), outcome
        assert direct.fetch_one("SELECT 3", [], wait_s=None) == ("3",)
        direct.close()  # not on a failure: a statement that hangs holds the connection's lock


def answered(call: Callable[[], object], within: float) -> object:
    """What `call` returned or raised; a call still waiting after `within` s fails the test (its
    daemon thread is left behind, as a hung statement would be)."""
    outcome: list[object] = []
    thread = threading.Thread(target=lambda: outcome.append(_outcome(call)), daemon=True)
    thread.start()
    thread.join(within)
    assert outcome, f"no answer within {within} s: the statement hangs"
    return outcome[0]


def _outcome(call: Callable[[], object]) -> object:
    try:
        return call()
    except Exception as error:
        return error


def test_a_closed_connection_is_not_opened_again(pg_url: str) -> None:
    direct = DirectConnection(pg_url)
    assert direct.fetch_one("SELECT 1", [], wait_s=1) == ("1",)
    direct.close()
    with pytest.raises(OperationalError, match="closed"):
        direct.fetch_one("SELECT 1", [], wait_s=1)


def test_a_database_that_cannot_be_reached_is_an_operational_error() -> None:
    direct = DirectConnection(f"postgresql://postgres@127.0.0.1:{closed_port()}/postgres")
    with pytest.raises(OperationalError):
        direct.fetch_one("SELECT 1", [], wait_s=1)
