"""Driving the real Bolt app against `FakeSlackApi`: settings, a page-counting source, and waiting
for the reply a request sends to its response_url. The fixtures built on these are in `tests/conftest.py`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from cryptography.fernet import Fernet
from slack_bolt import App

from bot.models import PageFetch
from bot.search import SearchService
from bot.services import Services, remember_seen
from bot.settings import Settings
from bot.sources.base import CreatorSource, SearchRequest
from tests.fakes.slack_api import CLIENT_ID, CLIENT_SECRET, FakeSlackApi

SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-bot-token"


def slack_values(slack: FakeSlackApi, **extra: Any) -> dict[str, Any]:
    """The settings that point an app at `slack` with the test token and secret, plus `extra`."""
    return {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SECRET,
        "slack_api_url": slack.api_url,
        **extra,
    }


def slack_settings(slack: FakeSlackApi, **extra: Any) -> Settings:
    """`slack_values` as settings, no `.env` read."""
    return Settings(_env_file=None, **slack_values(slack, **extra))


def oauth_settings(slack: FakeSlackApi, **extra: Any) -> Settings:
    """Settings for many workspaces (OAuth install) against `slack`: no bot token, the fake's app
    credentials, a fresh Fernet key."""
    oauth = {
        "slack_bot_token": None,
        "slack_client_id": CLIENT_ID,
        "slack_client_secret": CLIENT_SECRET,
        "slack_state_secret": "state-secret",
        "kolbot_secret_key": Fernet.generate_key().decode(),
    }
    return slack_settings(slack, **{**oauth, **extra})


class CountingSource:
    """Wraps the real source and records every page requested."""

    def __init__(self, inner: CreatorSource) -> None:
        self.inner, self.live, self.pages = inner, inner.live, []

    def search_page(self, request: SearchRequest) -> PageFetch:
        self.pages.append(request.page)
        return self.inner.search_page(request)


def count_pages(services: Services) -> CountingSource:
    """Route the services' searches through a `CountingSource`."""
    counting = CountingSource(services.source)
    services.search = SearchService(counting, on_seen=remember_seen(services.snapshots, services.shortlists))
    return counting


def next_response(app: App, slack: FakeSlackApi, request: Any) -> dict[str, Any]:
    """Dispatch a signed request and return the body of the next reply posted to a response_url."""
    before = len(slack.responses())
    assert app.dispatch(request.bolt()).status == 200
    return slack.wait_for_calls("response", before + 1)[before].body


def eventually(
    predicate: Callable[[], Any], timeout: float = 10.0, failure: str = "condition not met in time"
) -> Any:
    """Poll until `predicate()` is truthy (listeners finish after the ack) and return it; fail on timeout."""
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(failure)
        time.sleep(0.005)
    return result
