"""The bot's WebClient against the strict fake Slack API: retries, injected errors, uploads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.settings import Settings
from bot.slack_clients import web_client
from tests.fakes.slack_api import FakeSlackApi


@pytest.fixture
def fake() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as server:
        yield server


@pytest.fixture
def client(fake: FakeSlackApi) -> WebClient:
    return web_client(Settings(_env_file=None, slack_api_url=fake.api_url), "xoxb-client")


def test_rate_limited_calls_are_retried_after_retry_after(fake: FakeSlackApi, client: WebClient) -> None:
    fake.throttle("chat.postMessage", retry_after=0, times=1)
    response = client.chat_postMessage(channel="C1", text="hi")
    assert response["ok"] and response["channel"] == "C1"
    assert len(fake.calls_to("chat.postMessage")) == 2
    assert all(call.auth == "Bearer xoxb-client" for call in fake.calls)


def test_injected_errors_raise_and_then_clear(fake: FakeSlackApi, client: WebClient) -> None:
    fake.fail("chat.update", "message_not_found")
    with pytest.raises(SlackApiError) as error:
        client.chat_update(channel="C1", ts="1.2", text="x")
    assert error.value.response["error"] == "message_not_found"
    assert client.chat_update(channel="C1", ts="1.2", text="x")["ok"]


def test_post_message_ts_increase_and_blocks_are_recorded(fake: FakeSlackApi, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    first = client.chat_postMessage(channel="C1", text="a", blocks=blocks)["ts"]
    second = client.chat_postMessage(channel="C1", text="b")["ts"]
    assert float(second) > float(first)
    assert fake.calls_to("chat.postMessage")[0].body["blocks"] == blocks


def test_file_upload_goes_through_the_upload_url(fake: FakeSlackApi, client: WebClient) -> None:
    client.files_upload_v2(channel="C1", content="a,b\n1,2\n", filename="list.csv", title="List")
    [upload] = [c for c in fake.calls if c.path.startswith("/upload/")]
    assert upload.raw == b"a,b\n1,2\n"
    [complete] = fake.calls_to("files.completeUploadExternal")
    assert complete.body["files"][0]["title"] == "List"


def test_unknown_methods_fail_loudly() -> None:
    server = FakeSlackApi()
    other = WebClient(token="xoxb-client", base_url=server.api_url)
    with pytest.raises(SlackApiError):
        other.api_call("admin.nonexistent")
    with pytest.raises(AssertionError, match=r"admin\.nonexistent"):
        server.close()
