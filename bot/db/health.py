"""Is the database there? For `GET /healthz`: one cheap query at most every `fresh_s`, bounded
by `timeout_s`, whatever the number of probes."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine, text

from bot.db.engine import READ_ONLY, bounded_waits
from bot.observability.outages import first_line

log = logging.getLogger(__name__)

HEALTH_TIMEOUT_S = 2.0  # a probe gets its answer within this, whatever the database does
HEALTH_FRESH_S = 2.0  # probes within this of the last check share its answer
UNREACHABLE = "database unreachable"
NO_ANSWER = "database did not answer in time"
# One row, and on SQLite it reads the file (a bare SELECT 1 would not notice the file gone).
_PING = text("SELECT 1 FROM alembic_version LIMIT 1")


class DatabaseHealth:
    """`problem()`: None while the database answers, else a short reason (no URL, no SQL).

    The query runs on a daemon thread of its own, so a database that does not answer (a connect
    timeout) holds a probe for `timeout_s` at most and leaves no thread behind at exit; while it
    runs no second one starts. A change of state is logged once: unreachable, then back.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        timeout_s: float = HEALTH_TIMEOUT_S,
        fresh_s: float = HEALTH_FRESH_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine, self._timeout_s, self._fresh_s, self._clock = engine, timeout_s, fresh_s, clock
        self._lock = threading.Lock()
        self._answer: tuple[float, str | None] | None = None  # (when, problem)
        self._running: threading.Event | None = None
        self._pinged: str | None = None  # the last finished query's problem

    def problem(self) -> str | None:
        with self._lock:
            if self._answer is not None and self._clock() - self._answer[0] < self._fresh_s:
                return self._answer[1]
            if self._running is None:
                self._running = threading.Event()
                threading.Thread(
                    target=self._ping, args=(self._running,), name="healthz", daemon=True
                ).start()
            running = self._running
        finished = running.wait(self._timeout_s)
        with self._lock:
            problem = self._pinged if finished else NO_ANSWER
            before = self._answer[1] if self._answer is not None else None
            self._answer = (self._clock(), problem)
        if problem is None and before is not None:
            log.info("health check: the database answers again")
        elif problem == NO_ANSWER and before is None:  # once per outage, however its probes end
            log.warning("health check: the database did not answer within %g s", self._timeout_s)
        return problem

    def _ping(self, done: threading.Event) -> None:
        problem: str | None = None
        try:
            with bounded_waits(self._timeout_s), self._engine.connect() as connection:
                connection.execution_options(**{READ_ONLY: True}).execute(_PING)
                connection.rollback()
        except Exception as err:  # whatever it is, the database cannot serve requests now
            problem, reason = UNREACHABLE, first_line(str(err))  # never the SQL
        with self._lock:
            was, self._pinged, self._running = self._pinged, problem, None
        if problem is not None and was is None:  # once per outage, not once per probe
            log.warning("health check: %s (%s)", UNREACHABLE, reason)
        done.set()
