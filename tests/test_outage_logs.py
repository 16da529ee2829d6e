"""A database outage in the log: one short warning per kind of failure per interval, without the
traceback, the SQL or its parameters; other errors keep their traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.db.engine import make_engine
from bot.observability.logs import StderrHandler, configure_logging
from bot.observability.outages import DatabaseOutages
from bot.redact import install_log_redaction, remove_log_redaction
from bot.settings import Settings

STATEMENT = "SELECT id FROM request_claims WHERE key = %(key)s"
USER_TEXT = "command:private user text"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Iterator[Clock]:
    """kolbot's log handler, as every process configures it (redaction included), on a fake clock."""
    handler = configure_logging(Settings())
    assert isinstance(handler, StderrHandler)
    fake = Clock()
    handler.outages = DatabaseOutages(60, clock=fake)
    install_log_redaction([])
    yield fake
    remove_log_redaction()
    logging.getLogger().removeHandler(handler)


def outage() -> OperationalError:
    """What SQLAlchemy raises when PostgreSQL refuses the connection, with the statement and its
    parameters in its text."""
    refused = psycopg.OperationalError(
        'connection failed: connection to server at "127.0.0.1", port 5432 failed'
    )
    return OperationalError(STATEMENT, {"key": USER_TEXT}, refused)


def log_failures(n: int) -> None:
    for _ in range(n):
        try:
            raise outage()
        except OperationalError:
            logging.getLogger("bot.housekeeping").exception("housekeeping: request claims failed")
        logging.getLogger("bot.sources.pg_limits").warning(
            "shared TikHub rate limit unavailable (%s); pacing this process only",
            psycopg.OperationalError("connection failed: Connection refused"),
        )
        logging.getLogger("pyrate_limiter").warning(
            "Leak error for bucket %s: %s: %s",
            1,
            "OperationalError",
            psycopg.OperationalError("server closed"),
        )


def test_an_outage_is_one_short_warning_per_kind_per_interval(
    clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    log_failures(20)
    [line] = capsys.readouterr().err.strip().splitlines()
    assert " WARNING bot.housekeeping " in line
    assert "housekeeping: request claims failed: database unavailable (psycopg.OperationalError: " in line
    assert "connection failed" in line and "counted, not logged, for 60 s" in line
    clock.now += 59
    log_failures(1)
    assert capsys.readouterr().err == ""

    clock.now += 1  # the interval is over: one line again, saying how many were left out
    log_failures(1)
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "62 not logged since the last such line" in line  # 20 × 3 − 1, then 3


def test_an_outage_line_has_no_traceback_sql_or_parameters(
    clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    log_failures(1)
    err = capsys.readouterr().err
    assert "Traceback" not in err and "SELECT" not in err and "request_claims" not in err
    assert USER_TEXT not in err and "[SQL" not in err


def test_other_errors_keep_their_traceback(clock: Clock, capsys: pytest.CaptureFixture[str]) -> None:
    log_failures(1)
    for _ in range(2):
        try:
            raise ValueError("a bug")
        except ValueError:
            logging.getLogger("bot.digests.clock").exception("digest tick failed")
    err = capsys.readouterr().err
    assert err.count("Traceback") == 2 and err.count("ValueError: a bug") == 2


def test_errors_carry_no_query_parameters(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'kolbot.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (k TEXT PRIMARY KEY)"))
        conn.execute(text("INSERT INTO t VALUES (:k)"), {"k": USER_TEXT})
    with pytest.raises(IntegrityError) as raised, engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (:k)"), {"k": USER_TEXT})
    engine.dispose()
    assert USER_TEXT not in str(raised.value)
