"""Test-wide isolation: no real Slack/TikHub credentials or developer `.env` leak into tests.

Also the app fixtures most Slack tests share: a fake Slack, services built from a `settings`
fixture (default: `slack_settings`; a test module overrides `settings` for others), the Bolt app
on them and correctly signed requests.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from slack_bolt import App

from bot.services import Services, build_services
from bot.settings import Settings
from handlers.app import build_app
from tests.fakes.signing import SlackRequests
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_app import SECRET, slack_settings

pytest_plugins = ["tests.db_fixtures", "tests.queue_fixtures", "tests.scale_harness"]

_ENV_PREFIXES = ("SLACK_", "TIKHUB_", "KOLBOT_", "DATABASE_URL", "PORT")
_KEEP = {"KOLBOT_TEST_DATABASE_URL", "KOLBOT_UPDATE_GOLDEN"}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith(_ENV_PREFIXES) and name not in _KEEP:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KOLBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)  # no developer .env is picked up
    from bot.settings import get_settings

    get_settings.cache_clear()


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(autouse=True)
def _no_card_fallback(request: pytest.FixtureRequest) -> Iterator[None]:
    """A card that fell back to plain text is a bug (`bot.cards.render` logs it at ERROR): the test fails.

    Tests that provoke the fallback on purpose are marked `@pytest.mark.card_fallback`.
    """
    recorder, logger = _Recorder(), logging.getLogger("bot.cards.render")
    logger.addHandler(recorder)
    yield
    logger.removeHandler(recorder)
    if recorder.messages and request.node.get_closest_marker("card_fallback") is None:
        pytest.fail("a card fell back to plain text:\n" + "\n".join(recorder.messages), pytrace=False)


@pytest.fixture
def slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        yield fake


@pytest.fixture
def settings(slack: FakeSlackApi) -> Settings:
    return slack_settings(slack)


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    built = build_services(settings)
    yield built
    built.close()


@pytest.fixture
def app(services: Services) -> App:
    return build_app(services.settings, services=services)


@pytest.fixture
def slack_requests(slack: FakeSlackApi) -> SlackRequests:
    return SlackRequests(SECRET, response_url=slack.response_url())
