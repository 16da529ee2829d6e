"""TikHub failures as Slack users see them: a clear message, no secrets, and the bot keeps serving."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from slack_bolt import App

from bot.errors import UpstreamError, UpstreamKind
from bot.i18n import tr
from bot.services import Services, build_services
from bot.settings import Settings
from handlers.app import build_app
from tests.fakes.signing import SlackRequests
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_app import SECRET, next_response
from tests.fakes.tikhub_server import FakeTikHub, Fault

TIKHUB_TOKEN = "th-live-9f8e7d6c5b4a-secret"
BOT_TOKEN = "xoxb-111-222-faultsuite"


@pytest.fixture
def tikhub() -> Iterator[FakeTikHub]:
    with FakeTikHub(TIKHUB_TOKEN, slow_s=2.0, retry_after_s=0) as fake:
        yield fake


@pytest.fixture
def settings(slack: FakeSlackApi, tikhub: FakeTikHub) -> Settings:
    return tikhub.settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=slack.api_url,
        tikhub_max_retries=0,
        tikhub_read_timeout_s=0.3,
    )


def run(app: App, slack: FakeSlackApi, slack_requests: SlackRequests, text: str) -> dict:
    return next_response(app, slack, slack_requests.command(text))


def expected(kind: UpstreamKind, lang: str = "en") -> str:
    error = UpstreamError(kind, upstream_code=10003 if kind is UpstreamKind.REFUSED else None)
    return tr("zh", error.what) if lang == "zh" else tr("en", error.what)


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        (Fault.REFUSED, UpstreamKind.REFUSED),
        (Fault.UNAUTHORIZED, UpstreamKind.AUTH),
        (Fault.FORBIDDEN, UpstreamKind.PERMISSION),
        (Fault.BAD_GATEWAY, UpstreamKind.GATEWAY),
        (Fault.SLOW, UpstreamKind.TIMEOUT),
        (Fault.MALFORMED_JSON, UpstreamKind.BAD_RESPONSE),
    ],
)
def test_upstream_failure_is_explained_and_the_next_search_works(
    fault: Fault,
    kind: UpstreamKind,
    app: App,
    slack: FakeSlackApi,
    tikhub: FakeTikHub,
    slack_requests: SlackRequests,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    tikhub.inject(fault)
    failed = run(app, slack, slack_requests, "护肤 pages=1 lang=en")
    assert failed["response_type"] == "ephemeral"
    assert expected(kind) in failed["text"].replace("&amp;", "&")
    assert "Traceback" not in json.dumps(failed)

    recovered = run(app, slack, slack_requests, "美妆 pages=1")
    assert recovered["response_type"] == "in_channel"
    assert any(b.get("type") == "header" for b in recovered["blocks"])
    assert_no_secret_leaked(slack, caplog)


def test_rate_limit_is_retried_after_retry_after_then_explained(
    services: Services,
    slack: FakeSlackApi,
    tikhub: FakeTikHub,
    slack_requests: SlackRequests,
    caplog: pytest.LogCaptureFixture,
) -> None:
    services.settings = services.settings.model_copy(update={"tikhub_max_retries": 1})
    fresh = build_services(services.settings)  # the client reads max_retries when built
    app = build_app(fresh.settings, services=fresh)
    try:
        tikhub.inject(Fault.RATE_LIMITED, times=2)
        failed = run(app, slack, slack_requests, "护肤 pages=1")
        assert expected(UpstreamKind.RATE_LIMITED, "zh") in failed["text"]
        assert tikhub.calls == 2  # one retry, honouring Retry-After: 0

        tikhub.inject(Fault.RATE_LIMITED, times=1)
        recovered = run(app, slack, slack_requests, "护肤 pages=1")
        assert recovered["response_type"] == "in_channel"
        assert tikhub.calls == 4
    finally:
        fresh.close()
    assert_no_secret_leaked(slack, caplog)


def test_empty_results_say_nothing_matched(
    app: App, slack: FakeSlackApi, tikhub: FakeTikHub, slack_requests: SlackRequests
) -> None:
    tikhub.inject(Fault.EMPTY)
    card = run(app, slack, slack_requests, "护肤 pages=1 lang=en")
    assert card["response_type"] == "in_channel"
    assert "0" in card["text"] and "creators" in card["text"].lower()


def test_the_token_echoed_by_tikhub_is_never_shown_nor_logged(
    app: App,
    slack: FakeSlackApi,
    tikhub: FakeTikHub,
    slack_requests: SlackRequests,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    for fault in (Fault.UNAUTHORIZED, Fault.FORBIDDEN):
        tikhub.inject(fault)
        run(app, slack, slack_requests, "护肤 pages=1")
    assert any("401" in r.getMessage() for r in caplog.records)  # the failure itself is logged
    assert_no_secret_leaked(slack, caplog)


def assert_no_secret_leaked(slack: FakeSlackApi, caplog: pytest.LogCaptureFixture) -> None:
    sent = json.dumps([call.body for call in slack.calls], ensure_ascii=False)
    logged = "\n".join([caplog.text, *(r.getMessage() for r in caplog.records)])
    for secret in (TIKHUB_TOKEN, BOT_TOKEN, SECRET):
        assert secret not in sent
        assert secret not in logged
