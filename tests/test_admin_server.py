"""`/healthz` and `/metrics` of the processes without a Slack app (`kolbot worker`, `kolbot clock`):
each answers 503 with the first failing check, a probe of another path is a 404, and a busy port is
logged without stopping the process. The real processes are in `tests/test_scale_processes.py`."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from bot.digests.clock import Clock
from bot.digests.service import LEASE
from bot.observability.admin import AdminServer, Check, start_admin_server
from bot.services import Services
from bot.settings import Settings
from handlers.worker import LoopProbe


@contextmanager
def admin(settings: Settings, checks: list[Check], *, port: int | None = 0) -> Iterator[str]:
    server = start_admin_server(settings, checks, {"mode": "worker"}, host="127.0.0.1", port=port)
    assert server is not None
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.close()


def test_health_and_metrics_on_a_port_of_their_own(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(_env_file=None, kolbot_metrics=True)
    with caplog.at_level(logging.INFO), admin(settings, [lambda: None]) as url:
        assert f"/healthz and /metrics on :{url.rsplit(':', 1)[1]}" in caplog.text  # the port, formatted
        health = httpx.get(f"{url}/healthz")
        assert (health.status_code, health.json()) == (200, {"ok": True, "mode": "worker"})
        assert health.headers["cache-control"] == "no-store"
        scraped = httpx.get(f"{url}/metrics")
        assert scraped.status_code == 200 and "kolbot_digests_posted_total" in scraped.text
        assert httpx.get(f"{url}/").status_code == 404  # prometheus_client's server answers any path


def test_health_names_the_first_failing_check() -> None:
    checks: list[Check] = [lambda: None, lambda: "database unreachable", lambda: "never asked"]
    with admin(Settings(_env_file=None), checks) as url:
        health = httpx.get(f"{url}/healthz")
        assert health.status_code == 503
        assert health.json() == {"ok": False, "mode": "worker", "problem": "database unreachable"}
        assert httpx.get(f"{url}/metrics").status_code == 404  # KOLBOT_METRICS off


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


def test_a_metrics_port_serves_health_even_with_metrics_off() -> None:
    port = free_port()
    with admin(Settings(_env_file=None, kolbot_metrics_port=port), [lambda: None], port=None) as url:
        assert url.endswith(f":{port}")
        assert httpx.get(f"{url}/healthz").status_code == 200


def test_nothing_is_served_without_a_metrics_port_or_metrics() -> None:
    assert start_admin_server(Settings(_env_file=None), [lambda: None], {"mode": "clock"}) is None


def test_a_busy_port_is_logged_not_fatal(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(_env_file=None, kolbot_metrics=True)
    with admin(settings, []) as url:
        busy = int(url.rsplit(":", 1)[1])
        with caplog.at_level(logging.ERROR):
            assert start_admin_server(settings, [], {}, host="127.0.0.1", port=busy) is None
    assert f"/healthz and /metrics not served: port {busy} is unavailable" in caplog.text
    assert "KOLBOT_METRICS_PORT" in caplog.text


@contextmanager
def running_loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield loop
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


def test_the_worker_is_healthy_while_its_event_loop_turns() -> None:
    probe = LoopProbe(timeout_s=5)
    assert probe.problem() == "worker not running"  # before `kolbot worker` started its loop
    with running_loop() as loop:
        probe.watch(loop)
        assert probe.problem() is None
        release = threading.Event()
        blocked = threading.Event()

        def block() -> None:  # a job's bookkeeping that never gives the loop back
            blocked.set()
            release.wait()

        loop.call_soon_threadsafe(block)
        blocked.wait()
        stuck = LoopProbe(timeout_s=0.05)
        stuck.watch(loop)
        assert stuck.problem() == "worker event loop does not answer"
        release.set()
        assert probe.problem() is None
    assert probe.problem() == "worker not running"  # the loop closed


def test_the_clock_is_unhealthy_once_a_tick_outlasts_a_runs_lease(services: Services) -> None:
    now = [0.0]
    seen: list[str | None] = []

    def housekeeping() -> None:  # the tick's last step, while it is under way
        seen.append(clock.stuck())
        now[0] = LEASE.total_seconds() + 1
        seen.append(clock.stuck())

    clock = Clock(services.digests, tick_s=0, housekeeping=housekeeping, clock=lambda: now[0])
    clock.run_forever(wait=lambda _s: True)
    assert seen == [None, f"digest tick running for {LEASE.total_seconds() + 1:.0f} s"]
    assert clock.stuck() is None  # the tick is over


def test_admin_server_closes_its_port() -> None:
    server = AdminServer(lambda _environ, _start: [], "127.0.0.1", 0)
    port = server.port
    server.close()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/healthz")
