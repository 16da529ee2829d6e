"""One PostgreSQL connection of its own, for a statement that is a whole transaction on a hot path.

`kolbot serve` claims each burst of Slack requests, and commits their jobs, before it acks them
(`bot.store.requests`). Through a SQLAlchemy session that costs a pool checkout and its pre-ping,
BEGIN, `SET LOCAL` of the wait bounds, the statements and COMMIT: five round trips, each of which
gives up the GIL and waits to get it back among a burst's threads, and about 2 ms of Python per
batch. Here it is one statement in autocommit mode (its own transaction), on a connection that
keeps its wait bounds between statements and is prepared by psycopg after a few runs. Nothing in
SQLAlchemy or psycopg's pool does this: a pool hands out connections, and its checkout is the cost.

Callers must not run statements at once (the claim batches of `bot.db.group_commit` run one at a
time); a lock makes sure of it. A connection the database dropped is replaced, and the statement
sent once more on the new one (`fetch_one`), so the web process recovers by itself when the
database comes back. psycopg's errors come out as SQLAlchemy's (`OperationalError` for a timeout or
a lost connection), as from any other statement kolbot runs.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import URL

from bot.db.engine import PG_CONNECT_TIMEOUT_S, normalize_url

if TYPE_CHECKING:
    import psycopg


class DirectConnection:
    def __init__(self, url: str | URL) -> None:
        self._conninfo = normalize_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._lock = threading.Lock()
        self._connection: psycopg.Connection[Any] | None = None
        self._wait_ms: int | None = None  # the wait bound set on the connection
        self._closed = False

    def fetch_one(self, query: str, params: Any, *, wait_s: float | None) -> tuple[Any, ...]:
        """The one row `query` returns, run as its own transaction; its waits for locks, and the
        statement itself, bounded by `wait_s` (None: no bound).

        A connection kept from an earlier statement that turns out dead (the database restarted,
        or killed the backend) is replaced and the statement sent once more: a pool would have
        noticed on checkout. If the lost attempt had committed, the new one finds its rows there
        (a claim then reads as taken), so nothing is written twice. The error raised names the
        statement but not its parameters: they hold Slack requests."""
        import psycopg
        from sqlalchemy.exc import DBAPIError

        wait_ms = None if wait_s is None else round(wait_s * 1000)
        with self._lock:
            try:
                kept = self._connection is not None
                try:
                    row = self._ready(wait_ms).execute(query, params).fetchone()
                except psycopg.OperationalError:
                    if not (kept and self._lost()):
                        raise
                    row = self._ready(wait_ms).execute(query, params).fetchone()
            except psycopg.Error as error:
                self._lost()
                raise DBAPIError.instance(query, None, error, psycopg.Error, hide_parameters=True) from error
        assert row is not None  # the statements run here return one row
        return tuple(row)

    def _ready(self, wait_ms: int | None) -> psycopg.Connection[Any]:
        import psycopg

        if self._closed:
            raise psycopg.OperationalError("the claim connection was closed (the process is stopping)")
        if self._connection is None:
            self._connection = psycopg.connect(
                self._conninfo, autocommit=True, connect_timeout=PG_CONNECT_TIMEOUT_S
            )
        if (wait_ms or 0) != self._wait_ms:
            self._bound(self._connection, wait_ms or 0)
        return self._connection

    def _bound(self, connection: psycopg.Connection[Any], wait_ms: int) -> None:
        connection.execute(
            "SELECT set_config('lock_timeout', %s, false), set_config('statement_timeout', %s, false)",
            (str(wait_ms), str(wait_ms)),
        )
        self._wait_ms = wait_ms

    def _lost(self) -> bool:
        """Drops the connection if it is dead; True if it was."""
        connection = self._connection
        if connection is None or not (connection.broken or connection.closed):
            return False
        connection.close()
        self._connection, self._wait_ms = None, None
        return True

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._connection is not None:
                self._connection.close()
            self._connection, self._wait_ms = None, None
