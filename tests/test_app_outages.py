"""The database goes away (or is locked) while the app runs: every request still gets HTTP 200
and a clear "storage is unavailable" answer, no ack waits on the database for long, and the app
works again as soon as the database is back, without a restart."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_bolt import App
from slack_sdk.models.views import View
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import bounded_waits, normalize_url, transaction
from bot.db.tables import RequestClaim
from bot.i18n import tr
from bot.services import Services
from bot.settings import Settings
from bot.store.requests import RequestLedger
from handlers.middleware import ACK_WAIT_S
from handlers.replies import STORAGE_UNAVAILABLE
from handlers.views.shortlist import FormContext
from tests.db_fixtures import PG_ENV
from tests.fakes.signing import CHANNEL_ID, SlackRequests, button
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_app import slack_settings

UNAVAILABLE = tr("en", STORAGE_UNAVAILABLE.what)


@pytest.fixture
def settings(slack: FakeSlackApi, db_url: str) -> Settings:
    return slack_settings(slack, database_url=db_url)


@contextmanager
def database_down(services: Services) -> Iterator[None]:
    """SQLite: move the file (and its WAL) away and put a directory in its place. PostgreSQL: the
    database refuses connections and its sessions are ended. Either way every new connection
    fails until the database is back."""
    url = services.engine.url
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database))
        services.engine.dispose()  # pooled connections would keep the old file open
        moved = [(p, p.with_name(p.name + ".away")) for p in (path, *_wal_files(path)) if p.exists()]
        for p, away in moved:
            p.rename(away)
        path.mkdir()
        try:
            yield
        finally:
            path.rmdir()
            for p, away in moved:
                away.rename(p)
        return
    admin = create_engine(normalize_url(os.environ[PG_ENV]), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{url.database}" WITH ALLOW_CONNECTIONS false'))
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": url.database},
            )
        yield
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{url.database}" WITH ALLOW_CONNECTIONS true'))
        admin.dispose()


def _wal_files(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]


@contextmanager
def database_locked(services: Services) -> Iterator[None]:
    """Another connection holds the lock writers need (SQLite's write lock; on PostgreSQL, the
    request ledger table)."""
    with services.engine.connect() as other:
        if services.engine.url.get_backend_name() == "sqlite":
            other.exec_driver_sql("SELECT 1")  # the engine begins it with BEGIN IMMEDIATE: the write lock
        else:
            other.exec_driver_sql("LOCK TABLE request_claims IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            other.rollback()


def ack(app: App, request) -> dict:
    response = app.dispatch(request.bolt())
    assert response.status == 200, response.body
    if not response.body:
        return {}
    return json.loads(response.body) if response.body.startswith("{") else {"text": response.body}


def text_of(message: dict) -> str:
    return json.dumps(message, ensure_ascii=False)


def test_every_kind_of_request_gets_200_and_a_clear_answer_while_the_database_is_down(
    app: App, services: Services, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    form = FormContext(CHANNEL_ID, "en", slack.response_url()).dump()
    values = {"new_name": {"value": {"value": "Spring"}}, "budget": {"value": {"value": ""}}}
    with database_down(services):
        digest = ack(app, slack_requests.command("digest list"))
        assert digest["response_type"] == "ephemeral" and UNAVAILABLE in text_of(digest)

        assert ack(app, slack_requests.block_action(button("kol_more", "abcdefghij:2"))) == {}
        [clicked] = slack.wait_for_calls("response")
        assert UNAVAILABLE in text_of(clicked.body) and clicked.body["response_type"] == "ephemeral"

        pushed = ack(app, slack_requests.view_submission("kol_sl_new_view", values, private_metadata=form))
        assert pushed["response_action"] == "push" and UNAVAILABLE in text_of(pushed["view"])
        View(**pushed["view"]).validate_json()  # a modal Slack accepts

        event = {"type": "reaction_added", "user": "U1", "reaction": "+1", "item": {"type": "message"}}
        assert ack(app, slack_requests.event(event)) == {}

        searching = ack(app, slack_requests.command("护肤 pages=1"))
        assert "正在" in searching["text"]  # acked at once; the claim after the ack fails
        searched = slack.wait_for_calls("response", 2)[1].body
        assert tr("zh", STORAGE_UNAVAILABLE.what) in text_of(searched)

    listed = ack(app, slack_requests.command("digest list"))
    assert UNAVAILABLE not in text_of(listed) and listed.get("blocks")
    assert ack(app, slack_requests.view_submission("kol_sl_new_view", values, private_metadata=form)) == {}
    slack.wait_for_calls("chat.postMessage")  # the new shortlist's card: the database is back


def test_a_locked_database_delays_no_ack_by_more_than_the_claim_bound(
    app: App, services: Services, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    ack(app, slack_requests.command("digest list"))  # a warm connection, as in a running bot
    with database_locked(services):
        started = time.monotonic()
        assert ack(app, slack_requests.block_action(button("kol_more", "abcdefghij:2"))) == {}
        waited = time.monotonic() - started
        [clicked] = slack.wait_for_calls("response")
        assert UNAVAILABLE in text_of(clicked.body)
        started = time.monotonic()
        added = ack(app, slack_requests.command('digest add "护肤" daily 09:30'))
        waited_for_digest = time.monotonic() - started
        assert tr("zh", STORAGE_UNAVAILABLE.what) in text_of(added)
    # Both gave up after ACK_WAIT_S, far sooner than SQLite's usual 10 s busy timeout.
    assert ACK_WAIT_S <= waited < 5 * ACK_WAIT_S
    assert ACK_WAIT_S <= waited_for_digest < 5 * ACK_WAIT_S
    assert UNAVAILABLE not in text_of(ack(app, slack_requests.command("digest list")))


def test_a_bounded_claim_gives_up_on_a_held_lock(sessions: sessionmaker[Session]) -> None:
    """On both backends: another request holds the key uncommitted; the claim raises, not waits."""
    ledger = RequestLedger(sessions)
    with transaction(sessions) as holder:
        holder.add(RequestClaim(key="command:trig1", claimed_at=datetime.now(UTC)))
        holder.flush()
        with bounded_waits(0.2), pytest.raises(OperationalError):
            ledger.claim("command:trig1")
    assert ledger.claim("command:trig2")  # a failed claim leaves the ledger usable
    assert not ledger.claim("command:trig1")
