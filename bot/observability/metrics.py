"""Prometheus metrics in a registry kolbot owns (not `prometheus_client`'s global default).

One `Metrics` per process: `metrics()` returns it, `reset_metrics()` swaps in a fresh one (tests).
Exposition (`/metrics` on the app's port, or `KOLBOT_METRICS_PORT`) always reads the current one.
Each process (`kolbot serve`, `socket`, `worker`, `clock`) exposes its own counters; Prometheus adds them
up. With the job queue, the TikHub calls and spend of queued work are counted by the worker that ran it.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, make_wsgi_app
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

log = logging.getLogger(__name__)

METRICS_PATH = "/metrics"
ACK_BUCKETS_S = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
TOTAL_BUCKETS_S = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)


class Metrics:
    """Every kolbot metric, registered in `self.registry`."""

    def __init__(self) -> None:
        r = self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "kolbot_slack_requests",
            "Slack requests handled, by kind and outcome",
            ["kind", "outcome"],
            registry=r,
        )
        self.ack_seconds = Histogram(
            "kolbot_slack_ack_seconds",
            "Time until Slack got its ack",
            ["kind"],
            buckets=ACK_BUCKETS_S,
            registry=r,
        )
        self.request_seconds = Histogram(
            "kolbot_slack_request_seconds",
            "Time until a request's work (after the ack too) finished",
            ["kind"],
            buckets=TOTAL_BUCKETS_S,
            registry=r,
        )
        self.tikhub_calls = Counter(
            "kolbot_tikhub_calls",
            "TikHub HTTP attempts that reached TikHub",
            ["route"],
            registry=r,
        )
        self.tikhub_cost = Counter(
            "kolbot_tikhub_cost_usd",
            "TikHub spend in US dollars",
            ["route"],
            registry=r,
        )
        self.tikhub_cache_hits = Counter(
            "kolbot_tikhub_cache_hits",
            "TikHub answers served from the cache or a shared call",
            ["route"],
            registry=r,
        )
        self.slack_api_errors = Counter(
            "kolbot_slack_api_errors",
            "Slack Web API errors, by method and error code",
            ["method", "error"],
            registry=r,
        )
        self.digests_posted = Counter("kolbot_digests_posted", "Digest runs posted to Slack", registry=r)
        self.jobs = Counter(
            "kolbot_jobs",
            "Queued jobs run by this worker, by task and outcome (done, retry, failed)",
            ["task", "outcome"],
            registry=r,
        )
        self.job_seconds = Histogram(
            "kolbot_job_seconds",
            "Time a queued job's run took, by task",
            ["task"],
            buckets=TOTAL_BUCKETS_S,
            registry=r,
        )


_lock = threading.Lock()
_current = Metrics()


def metrics() -> Metrics:
    return _current


def reset_metrics() -> Metrics:
    """Start from zero (tests); exposition follows."""
    global _current
    with _lock:
        _current = Metrics()
    return _current


@dataclass(frozen=True)
class QueueDepth:
    """Jobs due and not started, on the whole database (every process sees the same figures)."""

    waiting: int
    oldest_s: float  # how long the oldest of them has waited; 0 when none waits


_queue_probe: Callable[[], QueueDepth] | None = None


def watch_queue(probe: Callable[[], QueueDepth] | None) -> None:
    """Report `probe()` at each scrape as `kolbot_jobs_waiting` and `kolbot_oldest_job_wait_seconds`
    (None: stop). Every process on the database reports the same figures: take their max."""
    global _queue_probe
    _queue_probe = probe


def _queue_gauges() -> Iterable[Metric]:
    probe = _queue_probe
    if probe is None:
        return
    try:
        depth = probe()
    except Exception as err:  # the database is down: the scrape still answers, without these two
        log.debug("queue depth not read: %s", err)
        return
    yield GaugeMetricFamily(
        "kolbot_jobs_waiting", "Queued jobs due and not started, on the whole database", value=depth.waiting
    )
    yield GaugeMetricFamily(
        "kolbot_oldest_job_wait_seconds",
        "How long the oldest waiting job has waited (0: none waits)",
        value=depth.oldest_s,
    )


class _CurrentRegistry:
    """A collector that reads whichever `Metrics` is current at scrape time, and the queue's depth."""

    def collect(self) -> Iterable[Metric]:
        yield from metrics().registry.collect()
        yield from _queue_gauges()


def metrics_wsgi_app() -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """`prometheus_client`'s WSGI app (text format, gzip, `name[]` filters) over kolbot's registry."""
    return make_wsgi_app(_CurrentRegistry())


class SlackErrorCounter(RetryHandler):
    """A slack_sdk retry handler that never retries: it counts Slack Web API errors by method.

    slack_sdk asks every retry handler about every response, `{"ok": false}` in HTTP 200
    included, so this is the one place all Web API errors pass. Put it first in the list.
    """

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        code = _error_code(response, error)
        if code is not None:
            metrics().slack_api_errors.labels(api_method(request), code).inc()
        return False


def api_method(request: HttpRequest) -> str:
    """The Web API method a slack_sdk request calls: `chat.postMessage` of `…/api/chat.postMessage?…`."""
    return request.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def _error_code(response: HttpResponse | None, error: Exception | None) -> str | None:
    """Slack's error code, `http_<status>`, or the exception's name; None for a success."""
    if response is None:
        return None if error is None else type(error).__name__
    body = response.body if isinstance(response.body, dict) else _json_object(response.data)
    if response.status_code == 200 and body.get("ok", True):
        return None
    return str(body.get("error") or f"http_{response.status_code}")


def _json_object(data: bytes | None) -> dict[str, Any]:
    try:
        parsed = json.loads(data or b"")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}
