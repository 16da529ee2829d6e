"""`GET /healthz` of `kolbot serve` checks the database: 503 with a short reason while it is down
or does not answer, one cheap query per couple of seconds whatever the number of probes."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator

import httpx
import pytest
from slack_bolt import App
from sqlalchemy import create_engine, event

from bot.db.health import HEALTH_FRESH_S, NO_ANSWER, UNREACHABLE, DatabaseHealth
from bot.services import Services
from bot.settings import Settings
from handlers.server import wsgi_app
from tests.test_app_outages import database_down

HEALTHY = {"ok": True, "mode": "http", "demo": True}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def probe(settings: Settings, app: App, services: Services, clock: Clock) -> Iterator[httpx.Client]:
    health = DatabaseHealth(services.engine, clock=clock)
    transport = httpx.WSGITransport(app=wsgi_app(app, settings, health))
    with httpx.Client(transport=transport, base_url="http://kolbot.internal") as client:
        yield client


def test_healthz_is_503_while_the_database_is_down_and_200_once_it_is_back(
    probe: httpx.Client, services: Services, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.db.health")
    assert probe.get("/healthz").json() == HEALTHY
    clock.now += HEALTH_FRESH_S
    with database_down(services):
        down = probe.get("/healthz")
        assert down.status_code == 503
        assert down.json() == {**HEALTHY, "ok": False, "problem": UNREACHABLE}
        clock.now += HEALTH_FRESH_S  # checked again: still down, not logged again
        assert probe.head("/healthz").status_code == 503
    clock.now += HEALTH_FRESH_S
    back = probe.get("/healthz")
    assert back.status_code == 200 and back.json() == HEALTHY
    said = [r.getMessage() for r in caplog.records if r.name == "bot.db.health"]
    assert len(said) == 2 and said[0].startswith("health check: database unreachable (")
    assert said[1] == "health check: the database answers again"
    assert "SELECT" not in said[0]


def test_probes_within_a_couple_of_seconds_share_one_query(
    probe: httpx.Client, services: Services, clock: Clock
) -> None:
    statements: list[str] = []
    event.listen(services.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    queries = lambda: [s for s in statements if s.startswith("SELECT")]  # noqa: E731  (not BEGIN, PRAGMA)
    for _ in range(5):
        assert probe.get("/healthz").status_code == 200
    clock.now += HEALTH_FRESH_S - 0.01
    assert probe.get("/healthz").status_code == 200
    assert queries() == ["SELECT 1 FROM alembic_version LIMIT 1"]
    clock.now += 0.01
    assert probe.get("/healthz").status_code == 200
    assert len(queries()) == 2


def test_a_database_that_does_not_answer_is_reported_within_the_timeout() -> None:
    """The connection never opens (as with a host that drops packets): the probe is answered at
    its timeout, and a second probe meanwhile starts no second connection."""
    opened, gate = [], threading.Event()

    def connect() -> sqlite3.Connection:
        opened.append(1)
        gate.wait()
        return sqlite3.connect(":memory:", check_same_thread=False)

    engine = create_engine("sqlite://", creator=connect)
    health = DatabaseHealth(engine, timeout_s=0.05, fresh_s=0, clock=Clock())
    try:
        assert health.problem() == NO_ANSWER
        assert health.problem() == NO_ANSWER
        assert len(opened) == 1
    finally:
        gate.set()
        engine.dispose()


def test_an_outage_whose_probes_end_both_ways_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    """A host that accepts connections but seldom answers: some probes time out, others fail. One
    warning that it did not answer, one that it is unreachable; not one per probe."""
    held = threading.Event()
    attempts = iter(["hold", "fail", "hold", "fail", "hold"])

    def connect() -> sqlite3.Connection:
        if next(attempts) == "hold":
            held.wait()  # the probe stops waiting first: "did not answer"
        raise sqlite3.OperationalError("connection refused")

    engine = create_engine("sqlite://", creator=connect)
    health = DatabaseHealth(engine, timeout_s=0.05, fresh_s=0, clock=Clock())

    def pings_done() -> None:
        for thread in [t for t in threading.enumerate() if t.name == "healthz"]:
            thread.join()

    pings_done()  # an earlier test's last probe, still finishing, may log as it ends: not counted
    caplog.clear()
    try:
        with caplog.at_level(logging.INFO, logger="bot.db.health"):
            for _ in range(2):
                assert health.problem() == NO_ANSWER
                held.set()
                pings_done()
                held.clear()
                health._timeout_s = 30  # the failing attempt's answer is waited for, not timed
                assert health.problem() == UNREACHABLE
                health._timeout_s = 0.05
            assert health.problem() == NO_ANSWER
    finally:
        held.set()
        engine.dispose()
    assert caplog.text.count("did not answer") == 1
    assert caplog.text.count("unreachable") == caplog.text.count("connection refused") == 1
