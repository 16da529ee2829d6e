"""A database outage in the log: one short warning per kind of failure per interval, not a traceback
(with its SQL) from every request, tick, housekeeping job and rate-limit call that met it.

`DatabaseOutages.rewrite(record)` is applied by kolbot's log handler (`bot.observability.logs`) to
each record it writes. A record whose exception, or an exception among its arguments, is the
database being unreachable, refusing connections, timing out or locked (`outage_kind`) becomes,
the first time in `interval_s` for its kind, one WARNING line: where it happened, the kind and the
driver's first line, no traceback, no SQL, no parameters. The others of that kind within the
interval are counted, and the next line of that kind says how many were not logged. Other records
pass unchanged.
"""

from __future__ import annotations

import copy
import logging
import re
import time
from collections.abc import Callable

OUTAGE_INTERVAL_S = 60.0
# Exception classes (by name, anywhere in the class's MRO, from these packages) that mean the
# database cannot be used right now, as opposed to a bug in a query. Matched by name so that
# logging imports no database driver.
_OUTAGE_CLASSES = {
    "OperationalError",  # DB-API: connection refused or lost, server gone, locked (SQLite), timeouts
    "InterfaceError",  # DB-API: the connection is closed
    "DisconnectionError",  # SQLAlchemy
    "PoolTimeout",  # psycopg_pool
    "TimeoutError",  # SQLAlchemy's pool timeout
}
_DRIVER_PACKAGES = ("sqlalchemy", "psycopg", "psycopg_pool", "sqlite3", "pyrate_limiter")
_SQL = re.compile(r"\s*\[SQL: .*", re.DOTALL)  # SQLAlchemy's "[SQL: …] [parameters: …]" and after
_MAX_REASON = 200


def outage_kind(error: BaseException | None) -> tuple[str, str] | None:
    """(kind, reason) when `error` (or an exception it was raised from) means the database is
    unavailable; kind names the driver's exception ("psycopg.OperationalError"), reason is the
    first line of its message. None for any other error."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if _is_outage(type(error)):
            cause = getattr(error, "orig", None)  # SQLAlchemy's wrapper: name the driver's error
            shown = cause if isinstance(cause, BaseException) else error
            kind = f"{type(shown).__module__.split('.')[0]}.{type(shown).__name__}"
            return kind, first_line(str(shown))
        error = error.__cause__ or error.__context__
    return None


def _is_outage(cls: type) -> bool:
    return any(
        base.__name__ in _OUTAGE_CLASSES and base.__module__.split(".")[0] in _DRIVER_PACKAGES
        for base in cls.__mro__
    )


def first_line(text: str) -> str:
    """The first line of `text`, without SQLAlchemy's SQL and parameters, at most 200 characters."""
    line = _SQL.sub("", text).strip().split("\n", 1)[0].strip()
    return line if len(line) <= _MAX_REASON else line[: _MAX_REASON - 1] + "…"


def record_error(record: logging.LogRecord) -> BaseException | None:
    """The exception a record is about: its `exc_info`, else one among its arguments (`log.warning(
    "… (%s)", exc)`). `bot.redact` keeps it as `_kolbot_error` when it renders the record."""
    kept = getattr(record, "_kolbot_error", None)
    if isinstance(kept, BaseException):
        return kept
    if record.exc_info and record.exc_info[1] is not None:
        return record.exc_info[1]
    args = record.args if isinstance(record.args, tuple) else ()
    return next((arg for arg in args if isinstance(arg, BaseException)), None)


class DatabaseOutages:
    """Turns database-outage records into one concise warning per kind per `interval_s`."""

    def __init__(
        self, interval_s: float = OUTAGE_INTERVAL_S, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._interval_s, self._clock = interval_s, clock
        self._last: dict[str, float] = {}  # kind -> when it was last logged
        self._held: dict[str, int] = {}  # kind -> records not logged since

    def rewrite(self, record: logging.LogRecord) -> logging.LogRecord | None:
        """`record` unchanged, a concise copy of it, or None (counted, not logged)."""
        if record.levelno < logging.WARNING or (found := outage_kind(record_error(record))) is None:
            return record
        kind, reason = found
        now = self._clock()
        last = self._last.get(kind)
        if last is not None and now - last < self._interval_s:
            self._held[kind] = self._held.get(kind, 0) + 1
            return None
        self._last[kind] = now
        held = self._held.pop(kind, 0)
        line = copy.copy(record)
        line.levelno, line.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        line.msg = "%s: database unavailable (%s: %s)%s; more %s errors are counted, not logged, for %g s"
        line.args = (
            first_line(_message(record)),
            kind,
            reason,
            f"; {held} not logged since the last such line" if held else "",
            kind,
            self._interval_s,
        )
        line.exc_info, line.exc_text, line.stack_info = None, None, None
        return line


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # a bad format string must not break logging
        return str(record.msg)
