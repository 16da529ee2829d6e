"""A search writes once: one write transaction for everything it stores (TikHub answers, spend,
its extent, creator snapshots, shortlist refresh, the saved search), after the request's claim.
A cached search writes only its saved search: no snapshots for pages served from the cache.
Counted with SQLAlchemy events on the real app's engine (SQLite, `BEGIN IMMEDIATE` per writer)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_bolt import App

from bot.services import Services
from bot.settings import Settings
from tests.fakes.signing import SlackRequests
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_app import SECRET, next_response
from tests.fakes.tikhub_server import FakeTikHub
from tests.fakes.write_log import WriteLog


@pytest.fixture
def tikhub() -> Iterator[FakeTikHub]:
    with FakeTikHub() as fake:
        yield fake


@pytest.fixture
def settings(slack: FakeSlackApi, tikhub: FakeTikHub) -> Settings:
    return tikhub.settings(
        slack_bot_token="xoxb-writes-suite", slack_signing_secret=SECRET, slack_api_url=slack.api_url
    )


def test_an_uncached_search_writes_once_and_a_cached_one_writes_no_snapshots(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, services: Services, tikhub: FakeTikHub
) -> None:
    writes = WriteLog(services.engine)
    next_response(app, slack, slack_requests.command("护肤 pages=3"))
    assert tikhub.calls == 3
    claim, *search = writes.take()
    assert claim == {"request_claims"}
    assert len(search) == 1, search
    assert {"http_cache", "spend", "creator_snapshots", "saved_searches"} <= search[0]

    next_response(app, slack, slack_requests.command("护肤 pages=3"))
    assert tikhub.calls == 3  # every page from the cache
    assert writes.take() == [{"request_claims"}, {"saved_searches"}]
