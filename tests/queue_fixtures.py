"""`kolbot serve` with its procrastinate queue on the throwaway PostgreSQL database, for the tests of
claims and jobs: fixtures `pg_url`, `queued` (services with a real `JobQueue`) and `web` (the app as
`serve` builds it), `needs_pg`, and readers of what was committed (`raw`, `jobs_for`, `claimed`).
Loaded for every test through `tests/conftest.py`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import psycopg
import pytest
from slack_bolt import App

from bot.db.engine import normalize_url
from bot.queue import JobQueue
from bot.services import Services, build_services
from handlers.app import build_app
from handlers.middleware import idempotency_key
from tests.db_fixtures import PG_ENV
from tests.fakes.signing import SignedRequest
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_app import slack_settings

TEAM = "T0TEST"  # the team of `SlackRequests`' requests

needs_pg = pytest.mark.skipif(not os.environ.get(PG_ENV), reason=f"{PG_ENV} not set")


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("_pg_migrated"))


@pytest.fixture
def queued(slack: FakeSlackApi, pg_url: str) -> Iterator[Services]:
    """Services as `kolbot serve` builds them on PostgreSQL: with a procrastinate queue."""
    services = build_services(slack_settings(slack, database_url=pg_url))
    assert services.settings.uses_queue
    services.queue = JobQueue(services.settings, threads=2).open()
    yield services
    services.close()


@pytest.fixture
def web(queued: Services) -> App:
    return build_app(queued.settings, services=queued)


def raw(pg_url: str) -> psycopg.Connection[Any]:
    """A connection of its own (autocommit): it sees only what was committed."""
    url = normalize_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(url, autocommit=True)


def jobs_for(pg_url: str, request: SignedRequest) -> int:
    key = f"{TEAM}:{key_of(request)}"
    with raw(pg_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM procrastinate_jobs WHERE args->>'key' = %s", (key,)
        ).fetchone()
    assert row is not None
    return int(row[0])


def claimed(pg_url: str, request: SignedRequest) -> bool:
    with raw(pg_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM request_claims WHERE key = %s", (key_of(request),)
        ).fetchone()
    assert row is not None
    return int(row[0]) == 1


def key_of(request: SignedRequest) -> str:
    key = idempotency_key(dict(parse_qsl(request.body)))
    assert key is not None
    return key
