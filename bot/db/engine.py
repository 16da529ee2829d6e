"""Engines and sessions for SQLite (default) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from bot.errors import KolbotError
from bot.i18n import Text

if TYPE_CHECKING:
    import psycopg

    from bot.settings import Settings

SQLITE_BUSY_TIMEOUT_MS = 10_000
# Execution option marking a transaction that only reads: on SQLite it starts with a deferred BEGIN.
READ_ONLY = "kolbot_read_only"
# Connection info key: the busy_timeout a SQLite connection has now.
_BUSY_TIMEOUT = "kolbot_busy_timeout_ms"
# Set by `bounded_waits`: how long this thread's transactions may wait for locks (PostgreSQL: run).
_WAIT_LIMIT_MS: ContextVar[int | None] = ContextVar("kolbot_wait_limit_ms", default=None)
# libpq's options for every PostgreSQL connection kolbot opens (its engine, the claim connection,
# procrastinate's and the TikHub limits' pools). `connect_timeout`: libpq waits forever by default
# for a host that does not answer. Keepalives: an idle connection is probed after 30 s and given up
# after three unanswered probes 10 s apart, and the probes keep a NAT or load balancer from
# forgetting it in the meantime. `tcp_user_timeout`: a statement whose packets the network drops
# fails after 10 s without an acknowledgement, as a lost connection (which the claim connection and
# the pool's pre-ping replace), instead of after the kernel's retransmissions, about 15 minutes,
# while every ack waits behind it. A busy server's kernel still acknowledges at once.
PG_CONNECT_ARGS: dict[str, int] = {
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
    "tcp_user_timeout": 10_000,
}
_WAL_ATTEMPTS = 100
_PG_SCHEMES = {"postgres", "postgresql", "postgresql+psycopg"}
_SQLITE_SCHEMES = {"sqlite", "sqlite+pysqlite"}
SUPPORTED_URLS = "sqlite:///path/to/kolbot.db, postgresql://user:password@host/database"


def normalize_url(url: str | URL) -> URL:
    """Accept Heroku-style `postgres://` and plain `postgresql://`; always use psycopg 3."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.drivername in _PG_SCHEMES:
        return parsed.set(drivername="postgresql+psycopg")
    return parsed


class DatabaseUrlError(KolbotError):
    """`DATABASE_URL` names no database kolbot can use: a setting to fix (exit 2), not an outage."""


def database_url(settings: Settings) -> URL:
    """The database of `settings`, checked before anything connects (`checked_url`). The folder of
    the default SQLite file (`KOLBOT_DATA_DIR`) is created; that of a file `DATABASE_URL` names
    must exist (a missing one is more likely a typo than a wish)."""
    return checked_url(settings.effective_database_url, create_folder=settings.database_url is None)


def checked_url(url: str | URL, *, create_folder: bool = False) -> URL:
    """`url` normalized (`normalize_url`), or `DatabaseUrlError`: not a URL, neither SQLite nor
    PostgreSQL (psycopg 3), or a SQLite file whose folder does not exist (`create_folder`: create it).
    The error never quotes the URL (it may hold a password)."""
    try:
        parsed = normalize_url(url)
    except ArgumentError:
        raise DatabaseUrlError(
            Text("DATABASE_URL is not a database URL; use one of %(supported)s", supported=SUPPORTED_URLS)
        ) from None
    if parsed.drivername == "postgresql+psycopg":
        return parsed
    if parsed.drivername not in _SQLITE_SCHEMES:
        raise DatabaseUrlError(
            Text(
                "DATABASE_URL names an unsupported database (%(scheme)s); kolbot supports SQLite and "
                "PostgreSQL: %(supported)s",
                scheme=parsed.drivername,
                supported=SUPPORTED_URLS,
            )
        )
    if parsed.database in (None, "", ":memory:"):
        return parsed
    folder = Path(parsed.database).expanduser().parent
    if not folder.is_dir():
        if not create_folder:
            raise DatabaseUrlError(
                Text(
                    "the folder of the SQLite file in DATABASE_URL does not exist (%(folder)s); "
                    "create it or correct the path",
                    folder=str(folder),
                )
            )
        folder.mkdir(parents=True, exist_ok=True)
    return parsed


def make_engine(url: str | URL, *, threads: int = 15, pool_size: int = 5) -> Engine:
    """An engine whose pool never makes a thread wait: `pool_size` connections stay open, and up to
    `threads` in all are opened while that many threads use the database at once."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    kept = min(pool_size, threads)
    engine = create_engine(
        parsed,
        hide_parameters=True,  # no user text or ids in error messages and logs
        pool_pre_ping=True,
        pool_size=kept,
        max_overflow=max(0, threads - kept),
        connect_args=dict(PG_CONNECT_ARGS),
    )
    event.listen(engine, "before_cursor_execute", _without_nul, retval=True)
    event.listen(engine, "begin", _pg_begin)
    return engine


def _pg_begin(connection: Any) -> None:
    """Under `bounded_waits`, give up on locks and slow statements after the bound."""
    wait_ms = _WAIT_LIMIT_MS.get()
    if wait_ms is not None:
        connection.exec_driver_sql(
            f"SET LOCAL lock_timeout = {wait_ms}; SET LOCAL statement_timeout = {wait_ms}"
        )


@contextmanager
def bounded_waits(seconds: float) -> Iterator[None]:
    """Within the block, this thread's transactions wait at most `seconds` for a lock (on
    PostgreSQL, for any statement) and then raise `OperationalError`, as if the database were
    down: for work Slack is waiting on."""
    token = _WAIT_LIMIT_MS.set(round(seconds * 1000))
    try:
        yield
    finally:
        _WAIT_LIMIT_MS.reset(token)


def wait_limit_s() -> float | None:
    """The bound `bounded_waits` set for this thread's database waits, if any."""
    wait_ms = _WAIT_LIMIT_MS.get()
    return None if wait_ms is None else wait_ms / 1000


def _without_nul(
    _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _executemany: bool
) -> tuple[str, Any]:
    """PostgreSQL rejects NUL in text ("text fields cannot contain NUL"); the Slack edge strips it
    from user input already, and this drops any that still reaches a query parameter."""
    return statement, strip_nul(parameters)


def primary_message_only(error: psycopg.Error) -> psycopg.Error:
    """`error`, of its class, with the server's primary message alone: its detail and context can
    quote a statement's parameters (the JSON around a syntax error, or every parameter where
    `log_parameter_max_length_on_error` is set), and the claim's and the jobs' hold Slack requests."""
    return type(error)(error.diag.message_primary or "the statement failed")


def strip_nul(value: Any) -> Any:
    """`value` with NUL deleted from every string in it (dicts, their keys, lists and tuples walked)."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {strip_nul(key): strip_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(strip_nul(item) for item in value)
    return value


def _sqlite_engine(url: URL) -> Engine:
    in_memory = url.database in (None, "", ":memory:")
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if in_memory:
        kwargs["poolclass"] = StaticPool
    else:
        Path(str(url.database)).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, hide_parameters=True, **kwargs)
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, record: Any) -> None:
    # Take over transaction control from pysqlite so that `_begin` decides how to BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    record.info[_BUSY_TIMEOUT] = SQLITE_BUSY_TIMEOUT_MS
    _enable_wal(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _enable_wal(cursor: Any) -> None:
    """WAL is stored in the file, so only its first opener switches; two processes creating the
    file at once can get SQLITE_BUSY here without the busy handler being consulted, so retry."""
    for attempt in range(_WAL_ATTEMPTS):
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if attempt == _WAL_ATTEMPTS - 1:
                raise
            time.sleep(0.05)


def _begin(connection: Any) -> None:
    """Writers take the write lock up front: a deferred read that later writes would fail with
    SQLITE_BUSY instead of waiting on `busy_timeout`, which is how concurrent updates get lost or
    rejected. Pure reads (`read_session`) start deferred, so in WAL mode they never wait for writers."""
    wait_ms = _WAIT_LIMIT_MS.get() or SQLITE_BUSY_TIMEOUT_MS
    if connection.info.get(_BUSY_TIMEOUT) != wait_ms:  # under `bounded_waits`, or the first time after
        connection.exec_driver_sql(f"PRAGMA busy_timeout={wait_ms}")
        connection.info[_BUSY_TIMEOUT] = wait_ms
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def read_session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session for reads only (it must not write): no write lock on SQLite."""
    with sessions() as session:
        session.connection(execution_options={READ_ONLY: True})
        yield session


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception."""
    with sessions.begin() as session:
        yield session
