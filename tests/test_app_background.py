"""Slow work runs after the ack on the bounded worker pool (`handlers.background`): a burst of
commands is acked while earlier searches still run, at most `KOLBOT_WORKERS` searches run at once,
and a duplicate delivery never runs anything twice."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from slack_bolt import App
from slack_bolt.response import BoltResponse

from bot.models import PageFetch
from bot.search import SearchService
from bot.services import Services, remember_seen
from bot.settings import Settings
from bot.sources.base import CreatorSource, SearchRequest
from tests.fakes.signing import SlackRequests
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_app import slack_settings

WORKERS = 2
BURST = 12  # more than Bolt's default five listener threads, and than the workers


class GatedSource:
    """The real source, but every page waits for `release()`; counts pages in flight."""

    def __init__(self, inner: CreatorSource) -> None:
        self.inner, self.live = inner, inner.live
        self.in_flight = self.most_in_flight = self.done = 0
        self._cond = threading.Condition()
        self._tickets = 0

    def search_page(self, request: SearchRequest) -> PageFetch:
        with self._cond:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self._cond.notify_all()
            if not self._cond.wait_for(lambda: self._tickets > 0, timeout=10):
                raise TimeoutError("the test never released this page")
            self._tickets -= 1
            self.in_flight -= 1
        try:
            return self.inner.search_page(request)
        finally:
            with self._cond:
                self.done += 1
                self._cond.notify_all()

    def release(self, pages: int = 1) -> None:
        with self._cond:
            self._tickets += pages
            self._cond.notify_all()

    def wait(self, predicate_name: str, value: int) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: getattr(self, predicate_name) >= value, timeout=10), (
                f"{predicate_name} stayed below {value}"
            )


@pytest.fixture
def settings(slack: FakeSlackApi) -> Settings:
    return slack_settings(slack, kolbot_workers=WORKERS)


@pytest.fixture
def source(services: Services) -> Iterator[GatedSource]:
    gated = GatedSource(services.source)
    services.search = SearchService(gated, on_seen=remember_seen(services.snapshots, services.shortlists))
    yield gated
    gated.release(1000)  # nothing may stay blocked when the services close


@pytest.fixture
def app(app: App, source: GatedSource) -> App:
    """The shared app, its searches going through the gated source."""
    return app


def ack_text(response: BoltResponse) -> str:
    assert response.status == 200, response.body
    return json.loads(response.body)["text"] if response.body.startswith("{") else response.body


def test_a_burst_is_acked_while_earlier_searches_still_run(
    app: App, slack_requests: SlackRequests, source: GatedSource, slack: FakeSlackApi
) -> None:
    acks = [
        ack_text(app.dispatch(slack_requests.command(f"skincare{i} pages=1").bolt())) for i in range(BURST)
    ]
    assert all("Searching" in text for text in acks)
    source.wait("in_flight", WORKERS)
    assert slack.responses() == []  # every ack came while the searches were still blocked

    source.release(BURST)
    slack.wait_for_calls("response", BURST)
    assert all(r["response_type"] == "in_channel" for r in slack.responses())


def test_at_most_kolbot_workers_searches_run_at_once(
    app: App, slack_requests: SlackRequests, source: GatedSource, slack: FakeSlackApi
) -> None:
    for i in range(BURST):
        app.dispatch(slack_requests.command(f"lipstick{i} pages=1").bolt())
    for finished in range(1, BURST + 1):  # one at a time: room for more to start if the pool allowed it
        source.wait("in_flight", min(WORKERS, BURST - finished + 1))
        source.release()
        source.wait("done", finished)
    slack.wait_for_calls("response", BURST)
    assert source.most_in_flight == WORKERS


def test_failures_in_background_work_reach_the_user(
    app: App, slack_requests: SlackRequests, source: GatedSource, slack: FakeSlackApi, services: Services
) -> None:
    def broken(*_args: object) -> str:
        raise RuntimeError("database is down")

    services.searches.save = broken  # type: ignore[method-assign]
    source.release(1)
    assert "搜索" in ack_text(app.dispatch(slack_requests.command("护肤 pages=1").bolt()))
    [call] = slack.wait_for_calls("response")
    assert call.body["response_type"] == "ephemeral"
    text = json.dumps(call.body, ensure_ascii=False)
    assert "出了点问题" in text and "database is down" not in text and "Traceback" not in text


def test_a_duplicate_digest_command_changes_nothing(
    app: App, slack_requests: SlackRequests, services: Services
) -> None:
    """Digest commands store before they ack, so their claim comes first and a retry is dropped."""
    request = slack_requests.command('digest add "skincare" daily 09:30')
    assert "saved" in app.dispatch(request.bolt()).body
    assert ack_text(app.dispatch(request.retried(1).bolt())) == ""
    assert len(services.digests.channel(slack_requests.team_id, slack_requests.channel_id).digests) == 1
