"""One PostgreSQL connection of its own, for a statement that is a whole transaction on a hot path.

`kolbot serve` claims each burst of Slack requests, and commits their jobs, before it acks them
(`bot.store.requests`). Through a SQLAlchemy session that costs a pool checkout and its pre-ping,
BEGIN, `SET LOCAL` of the wait bounds, the statements and COMMIT: five round trips, each of which
gives up the GIL and waits to get it back among a burst's threads, and about 2 ms of Python per
batch. Here it is one statement in autocommit mode (its own transaction), on a connection that
keeps its wait bounds between statements. Nothing in SQLAlchemy or psycopg's pool does this: a
pool hands out connections, and its checkout is the cost.

The statement goes through psycopg's libpq layer (`psycopg.pq`), prepared once per connection and
run with `exec_prepared`, its parameters and its row as text: one libpq call, which gives up the
GIL once for the whole round trip. psycopg's `execute`, even of a prepared statement, sends,
waits and fetches in steps that each give up the GIL and wait to get it back among the burst's
threads, and adapts every parameter in Python; under a burst that cost the claim's leader about
three times the CPU of the same statement alone (`docs/benchmarks.md`, "The claim through libpq").

Callers must not run statements at once (the claim batches of `bot.db.group_commit` run one at a
time); a lock makes sure of it. A connection the database dropped is replaced, and the statement
sent once more on the new one (`fetch_one`), so the web process recovers by itself when the
database comes back. psycopg's errors come out as SQLAlchemy's (`OperationalError` for a timeout or
a lost connection), as from any other statement kolbot runs.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import URL

from bot.db.engine import PG_CONNECT_ARGS, normalize_url, primary_message_only

if TYPE_CHECKING:
    import psycopg
    from psycopg.pq.abc import PGconn, PGresult

Row = tuple[str | None, ...]

_UNKNOWN_STATEMENT = "26000"  # invalid_sql_statement_name: no statement prepared under that name
# Sets both wait bounds of the connection (milliseconds, as text; "0": none).
_BOUND = "SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', $1, false)"


class DirectConnection:
    def __init__(self, url: str | URL) -> None:
        self._conninfo = normalize_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._lock = threading.Lock()
        self._connection: psycopg.Connection[Any] | None = None
        self._prepared: dict[str, bytes] = {}  # query → its prepared statement's name on the connection
        self._wait_ms: int | None = None  # the wait bound set on the connection
        self._closed = False

    def fetch_one(self, query: str, params: Sequence[str], *, wait_s: float | None) -> Row:
        """The one row `query` returns, its values as text (None for NULL), run as its own
        transaction; its waits for locks, and the statement itself, bounded by `wait_s` (None: no
        bound). `query` names its parameters `$1`, `$2`, …, and `params` gives them as text.

        A connection kept from an earlier statement that turns out dead (the database restarted,
        or killed the backend) is replaced and the statement sent once more: a pool would have
        noticed on checkout. If the lost attempt had committed, the new one finds its rows there
        (a claim then reads as taken), so nothing is written twice. The error raised names the
        statement but not its parameters: they hold Slack requests."""
        import psycopg
        from sqlalchemy.exc import DBAPIError

        wait_ms = None if wait_s is None else round(wait_s * 1000)
        values = [param.encode() for param in params]
        with self._lock:
            try:
                kept = self._connection is not None
                try:
                    return self._run(self._ready(wait_ms), query, values)
                except psycopg.OperationalError:
                    if not (kept and self._lost()):
                        raise
                    return self._run(self._ready(wait_ms), query, values)
            except psycopg.Error as error:
                self._lost()
                raise DBAPIError.instance(query, None, error, psycopg.Error, hide_parameters=True) from error

    def _ready(self, wait_ms: int | None) -> PGconn:
        import psycopg
        from psycopg.conninfo import make_conninfo

        if self._closed:
            raise psycopg.OperationalError("the claim connection was closed (the process is stopping)")
        if self._connection is None:
            conninfo = make_conninfo(self._conninfo, client_encoding="utf8", **PG_CONNECT_ARGS)
            self._connection = psycopg.connect(conninfo, autocommit=True)
        if (wait_ms or 0) != self._wait_ms:
            self._run(self._connection.pgconn, _BOUND, [str(wait_ms or 0).encode()])
            self._wait_ms = wait_ms or 0
        return self._connection.pgconn

    def _run(self, pgconn: PGconn, query: str, values: Sequence[bytes]) -> Row:
        """`query` prepared on the connection (on its first run there), then run: one libpq call.
        A statement the server no longer knows (`DISCARD ALL`, or a pooler that moved the session)
        is prepared again, once."""
        from psycopg import pq

        result = pgconn.exec_prepared(self._prepare(pgconn, query), values)
        if _sqlstate(result) == _UNKNOWN_STATEMENT:
            del self._prepared[query]
            result = pgconn.exec_prepared(self._prepare(pgconn, query), values)
        result = _checked(pgconn, result, pq.ExecStatus.TUPLES_OK)
        assert result.ntuples == 1  # the statements run here return one row
        return tuple(_text(result.get_value(0, column)) for column in range(result.nfields))

    def _prepare(self, pgconn: PGconn, query: str) -> bytes:
        """The name `query` is prepared under on the connection, prepared now if it is not yet."""
        from psycopg import pq

        name = self._prepared.get(query)
        if name is None:
            name = f"kolbot_direct_{len(self._prepared)}".encode()
            _checked(pgconn, pgconn.prepare(name, query.encode()), pq.ExecStatus.COMMAND_OK)
            self._prepared[query] = name
        return name

    def _lost(self) -> bool:
        """Drops the connection if it is dead; True if it was."""
        connection = self._connection
        if connection is None or not connection.closed:
            return False
        connection.close()
        self._forget()
        return True

    def _forget(self) -> None:
        self._connection, self._wait_ms = None, None
        self._prepared = {}  # prepared statements live and die with their connection

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._connection is not None:
                self._connection.close()
            self._forget()


def _checked(pgconn: PGconn, result: PGresult, expected: int) -> PGresult:
    """`result` if its status is `expected`, else its error as psycopg raises it from `execute`
    (by SQLSTATE: a timeout is an `OperationalError`), or a lost connection; with the server's
    primary message only (`primary_message_only`)."""
    import psycopg
    from psycopg import errors, pq

    if result.status == expected:
        return result
    if pgconn.status == pq.ConnStatus.BAD:
        message = pgconn.error_message.decode("utf-8", "replace").strip()
        raise psycopg.OperationalError(f"the connection to the database was lost: {message}")
    raise primary_message_only(errors.error_from_result(result, encoding="utf-8"))


def _sqlstate(result: PGresult) -> str:
    from psycopg import pq

    return (result.error_field(pq.DiagnosticField.SQLSTATE) or b"").decode()


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode()
