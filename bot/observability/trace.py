"""One trace per Slack request, following its work across threads, finished by one log line.

`handlers.observe` opens a `RequestTrace` when a request arrives and makes it the current trace
(a `ContextVar`) while Bolt dispatches it. `TracingExecutor`, the thread pool behind Bolt's
listeners, the after-ack workers, search pages and deep-dive parts, runs each task in a copy of
the submitter's context and holds the trace open until the task ends. So anything below a request,
in any thread, can add to it (`note_upstream`, `note_outcome`), and the trace finishes when the
ack has been sent *and* the last task it started has ended: its total time covers the work done
after the ack. Finishing writes the request's one log line and counts it in the metrics.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from bot.errors import KolbotError, UpstreamError

if TYPE_CHECKING:
    from bot.observability.metrics import Metrics

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

# Worst wins when several parts of one request report an outcome.
OUTCOME_RANK = {
    "ok": 0,
    "duplicate": 1,
    "unhandled": 1,
    "user_error": 2,
    "upstream_error": 3,
    "error": 4,
    "rejected": 4,
    "retry": 5,  # a queued job's attempt that failed and will run again: nothing else it did counts
}
_STATUS_OUTCOMES = {401: "rejected", 404: "unhandled"}

# Context key of a request replayed by `kolbot worker` (`handlers.jobs`): the id `kolbot serve` gave
# it, so both processes' lines for the request, failures included, share one request id.
REQUEST_ID = "kolbot_request_id"
_REQUEST_ID_SHAPE = re.compile(r"[0-9a-f]{12}")

_current: ContextVar[RequestTrace | None] = ContextVar("kolbot_request", default=None)


@dataclass
class RequestTrace:
    """What one Slack request did. Thread-safe; finished once, when nothing holds it open."""

    kind: str  # command, action, view, event or other
    subcommand: str
    team: str
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    outcome: str = "ok"
    upstream_calls: int = 0
    cache_hits: int = 0
    cost_usd: float = 0.0
    ack_s: float | None = None
    total_s: float | None = None
    error: str | None = None  # the kind of the failure noted, never its text (`error_kind`)
    _started: float = field(default_factory=time.monotonic, repr=False)
    _open: int = field(default=1, repr=False)  # the dispatch itself, released by `acked`
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def acked(self, status: int) -> None:
        """The response went back to Slack (HTTP status `status`)."""
        self.ack_s = time.monotonic() - self._started
        _metrics().ack_seconds.labels(self.kind).observe(self.ack_s)
        if status >= 400:
            self.set_outcome(_STATUS_OUTCOMES.get(status, "error"))
        self.release()

    def hold(self) -> None:
        with self._lock:
            self._open += 1

    def release(self) -> None:
        with self._lock:
            self._open -= 1
            done = self._open == 0
        if done:
            self.total_s = time.monotonic() - self._started
            self.finish()

    def set_outcome(self, outcome: str, error: str | None = None) -> None:
        with self._lock:
            if OUTCOME_RANK[outcome] > OUTCOME_RANK[self.outcome]:
                self.outcome = outcome
                self.error = error if error is not None else self.error

    def finish(self) -> None:
        """Write the request's line and count it (once nothing holds it open)."""
        fields = self.fields()
        _metrics().requests.labels(self.kind, self.outcome).inc()
        _metrics().request_seconds.labels(self.kind).observe(self.total_s or 0.0)
        text = " ".join(f"{key}={value}" for key, value in fields.items())
        log.info("slack request %s", text, extra=fields)

    def add_upstream(self, calls: int, cost_usd: float, *, cache_hit: bool) -> None:
        with self._lock:
            self.upstream_calls += calls
            self.cost_usd += cost_usd
            self.cache_hits += cache_hit

    def fields(self) -> dict[str, Any]:
        """The log line's fields (also the JSON keys)."""
        return {
            "request_id": self.request_id,
            "team": self.team,
            "kind": self.kind,
            "subcommand": self.subcommand,
            "outcome": self.outcome,
            "ack_ms": _ms(self.ack_s),
            "total_ms": _ms(self.total_s),
            "tikhub_calls": self.upstream_calls,
            "tikhub_cache_hits": self.cache_hits,
            "tikhub_cost_usd": round(self.cost_usd, 6),
        }


@dataclass
class JobTrace(RequestTrace):
    """One run (attempt) of a queued job in `kolbot worker`: the request it serves was logged and
    counted by `kolbot serve` when it acked, so the run writes a line of its own (`job run …`:
    task, request id, attempt, outcome, the error's kind, duration, TikHub use) and counts
    `kolbot_jobs_total` / `kolbot_job_seconds`, never the request metrics. It ends when the run
    returns (`end`): the worker runs a job's work inline, so nothing it started outlives it."""

    task: str = ""
    attempt: int = 0  # 0 for the first run; logged from 1

    def acked(self, status: int) -> None:  # a replayed request's "ack" goes nowhere
        if status >= 400:
            self.set_outcome(_STATUS_OUTCOMES.get(status, "error"))

    def hold(self) -> None:
        pass

    def release(self) -> None:
        pass

    def end(self) -> None:
        self.total_s = time.monotonic() - self._started
        self.finish()

    def fields(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "request_id": self.request_id,
            "attempt": self.attempt + 1,
            "team": self.team,
            "kind": self.kind,
            "subcommand": self.subcommand,
            "outcome": self.outcome,
            "error": self.error or "-",
            "duration_ms": _ms(self.total_s),
            "tikhub_calls": self.upstream_calls,
            "tikhub_cache_hits": self.cache_hits,
            "tikhub_cost_usd": round(self.cost_usd, 6),
        }

    def finish(self) -> None:
        fields = self.fields()
        counters = _metrics()
        counters.jobs.labels(task=self.task, outcome=JOB_METRIC_OUTCOMES.get(self.outcome, "done")).inc()
        counters.job_seconds.labels(task=self.task).observe(self.total_s or 0.0)
        text = " ".join(f"{key}={value}" for key, value in fields.items())
        log.info("job run %s", text, extra=fields)


# `kolbot_jobs_total`'s outcome of a job run: `done` (the user got an answer, a refusal
# included), `retry` (the queue runs it again) or `failed` (the user was told it failed).
JOB_METRIC_OUTCOMES = {"retry": "retry", "error": "failed", "upstream_error": "failed", "rejected": "failed"}


def error_kind(error: BaseException) -> str:
    """What kind of failure `error` is, for logs: its class, and an upstream error's kind. Never
    its message, which may quote a request, a URL or a token."""
    if isinstance(error, UpstreamError):
        return f"upstream.{error.kind.value}"
    return type(error).__name__


def request_id_or_none(value: object) -> str | None:
    """`value` if it has the shape of a request id (12 lowercase hex characters), else None."""
    return value if isinstance(value, str) and _REQUEST_ID_SHAPE.fullmatch(value) else None


def current_trace() -> RequestTrace | None:
    return _current.get()


@contextmanager
def tracing(trace: RequestTrace) -> Iterator[RequestTrace]:
    """Make `trace` current in this thread for the duration of the block."""
    token = _current.set(trace)
    try:
        yield trace
    finally:
        _current.reset(token)


def note_outcome(outcome: str) -> None:
    """Report the current request's outcome (no-op outside a request)."""
    if (trace := _current.get()) is not None:
        trace.set_outcome(outcome)


def note_failure(error: BaseException) -> None:
    """A failure the user was told about: upstream, a known problem (bad input...), or unexpected."""
    if isinstance(error, UpstreamError):
        outcome = "upstream_error"
    else:
        outcome = "user_error" if isinstance(error, KolbotError) else "error"
    if (trace := _current.get()) is not None:
        trace.set_outcome(outcome, error_kind(error))


def note_retry(error: BaseException) -> None:
    """The current job's attempt failed with a transient fault and the queue will run it again."""
    if (trace := _current.get()) is not None:
        trace.set_outcome("retry", error_kind(error))


def note_upstream(route: str, calls: int, cost_usd: float, *, cache_hit: bool) -> None:
    """One TikHub `get_json`: counted in the metrics and added to the current request."""
    m = _metrics()
    if calls:
        m.tikhub_calls.labels(route).inc(calls)
    if cost_usd:
        m.tikhub_cost.labels(route).inc(cost_usd)
    if cache_hit:
        m.tikhub_cache_hits.labels(route).inc()
    if (trace := _current.get()) is not None:
        trace.add_upstream(calls, cost_usd, cache_hit=cache_hit)


class TracingExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks run in the submitter's context and keep its request trace open."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        context = copy_context()
        trace = context.get(_current)
        if trace is None:
            return super().submit(lambda: context.run(fn, *args, **kwargs))
        trace.hold()

        def run() -> T:
            try:
                return context.run(fn, *args, **kwargs)
            finally:
                trace.release()

        try:
            return super().submit(run)
        except BaseException:  # shut down: the task will never run
            trace.release()
            raise


def _metrics() -> Metrics:
    """This process's metrics; prometheus_client (and slack_sdk) load when the first is counted,
    not in a one-shot `kolbot search` that counts none."""
    from bot.observability.metrics import metrics

    return metrics()


def _ms(seconds: float | None) -> int | None:
    return None if seconds is None else round(seconds * 1000)
