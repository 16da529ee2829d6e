"""`/kol` through the real Bolt app: signed requests in, ack bodies and response_url posts out."""

from __future__ import annotations

import json
import logging
import queue
import time

import pytest
from slack_bolt import App
from slack_bolt.response import BoltResponse

from bot.cards.actions import SearchValue
from bot.cards.validate import validate_message
from bot.i18n import use_command
from bot.models import PageFetch
from bot.redact import install_log_redaction, remove_log_redaction
from bot.search import SearchService
from bot.services import Services, build_services
from bot.sources.base import SearchRequest
from handlers.app import build_app
from tests.fakes.signing import TEAM_ID, SlackRequests
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_app import BOT_TOKEN, SECRET, CountingSource, count_pages, eventually, slack_settings


@pytest.fixture
def source(services: Services) -> CountingSource:
    return count_pages(services)


def ack_body(response: BoltResponse) -> dict:
    """The ack as Slack reads it: a JSON message, or plain text."""
    assert response.status == 200, response.body
    if response.headers.get("content-type", [""])[0].startswith("application/json"):
        return json.loads(response.body)
    return {"text": response.body} if response.body else {}


def as_shown(mrkdwn: str) -> str:
    """Text as Slack displays it (it unescapes only &, < and >)."""
    return mrkdwn.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def all_text(message: dict) -> str:
    return json.dumps(message, ensure_ascii=False)


def test_help_is_answered_in_the_ack(app: App, slack_requests: SlackRequests, slack: FakeSlackApi) -> None:
    for text in ("help", "?", "--help"):  # no text at all opens the search form
        body = ack_body(app.dispatch(slack_requests.command(text).bolt()))
        assert body["blocks"] and "/kol" in all_text(body)
        assert validate_message(body) == []
    zh = ack_body(app.dispatch(slack_requests.command("帮助").bolt()))
    assert "粉丝" in all_text(zh)
    assert slack.responses() == []


@pytest.mark.parametrize("text", ["help lang=zh", "lang=zh help", "help 语言=中文", "help LANG＝cn"])
def test_lang_asks_for_the_help_in_that_language(app: App, slack_requests: SlackRequests, text: str) -> None:
    assert "输入关键词" in all_text(ack_body(app.dispatch(slack_requests.command(text).bolt())))


def test_search_acks_first_then_posts_results_to_response_url(
    app: App, slack_requests: SlackRequests, slack: FakeSlackApi, source: CountingSource
) -> None:
    body = ack_body(app.dispatch(slack_requests.command("skincare top=3").bolt()))
    assert "Searching" in body["text"] and "skincare" in body["text"]

    [call] = slack.wait_for_calls("response")
    message = call.body
    assert message["response_type"] == "in_channel"
    assert message["replace_original"] is False
    assert validate_message(message) == []
    action_ids = {e.get("action_id") for b in message["blocks"] for e in b.get("elements", [])} | {
        (b.get("accessory") or {}).get("action_id") for b in message["blocks"]
    }
    assert {"kol_details", "kol_sort"} <= action_ids
    assert sorted(source.pages) == [1, 2, 3]
    assert call.auth is None  # response_url needs no token


def test_searching_ack_shows_mentions_and_links_as_plain_text(
    app: App, slack_requests: SlackRequests, slack: FakeSlackApi
) -> None:
    body = ack_body(
        app.dispatch(slack_requests.command("<!here><@U123>&<https://x.example|y> pages=1").bolt())
    )
    assert "&lt;!here&gt;&lt;@U123&gt;&amp;&lt;https://x.example|y&gt;" in body["text"]
    assert "<" not in body["text"]
    slack.wait_for_calls("response")  # the search itself still runs


@pytest.mark.parametrize("said", ["search", "搜索", "找达人", "找", "找達人", "ｓｅａｒｃｈ", "SEARCH"])
def test_the_word_said_before_a_search_is_not_its_keyword(
    app: App, slack_requests: SlackRequests, slack: FakeSlackApi, said: str
) -> None:
    """`/kol 找达人 护肤` searched Xingtu for "找达人 护肤" (找达人 is the shortcut's own name)."""
    body = ack_body(app.dispatch(slack_requests.command(f"{said} 护肤 pages=1").bolt()))
    assert "“护肤”" in body["text"] and f"{said} 护肤" not in body["text"]
    slack.wait_for_calls("response")


def test_search_alone_opens_the_search_form(
    app: App, slack_requests: SlackRequests, slack: FakeSlackApi
) -> None:
    assert app.dispatch(slack_requests.command("搜索").bolt()).status == 200
    [opened] = slack.wait_for_calls("views.open")
    assert opened.body["view"]["callback_id"] == "kol_search_form"


def test_results_can_be_kept_private_by_setting(
    services: Services, slack_requests: SlackRequests, slack: FakeSlackApi
) -> None:
    services.settings = services.settings.model_copy(update={"kolbot_results_in_channel": False})
    app = build_app(services.settings, services=services)
    app.dispatch(slack_requests.command("skincare top=3").bolt())
    [call] = slack.wait_for_calls("response")
    assert call.body["response_type"] == "ephemeral"


def test_chinese_query_gets_chinese_ack_and_card(
    app: App, slack_requests: SlackRequests, slack: FakeSlackApi
) -> None:
    body = ack_body(app.dispatch(slack_requests.command("护肤 top=3").bolt()))
    assert "正在" in body["text"]
    [call] = slack.wait_for_calls("response")
    assert "达人" in call.body["text"]


def test_lang_option_overrides_detection(
    app: App, slack_requests: SlackRequests, slack: FakeSlackApi
) -> None:
    body = ack_body(app.dispatch(slack_requests.command("护肤 top=3 lang=en").bolt()))
    assert "Searching" in body["text"]
    [call] = slack.wait_for_calls("response")
    assert "creators" in call.body["text"].lower()


def test_show_unknown_creator_says_so(app: App, slack_requests: SlackRequests, slack: FakeSlackApi) -> None:
    app.dispatch(slack_requests.command("show 123456").bolt())
    [call] = slack.wait_for_calls("response")
    assert call.body["response_type"] == "ephemeral"
    assert "No Xingtu creator found for “123456”" in call.body["text"]


def test_show_without_an_id_shows_usage(app: App, slack_requests: SlackRequests, slack: FakeSlackApi) -> None:
    body = ack_body(app.dispatch(slack_requests.command("show").bolt()))
    assert "show" in body["text"] and "Example" in body["text"]


def test_grammar_error_names_the_bad_token_and_never_searches(
    app: App, slack_requests: SlackRequests, slack: FakeSlackApi, source: CountingSource
) -> None:
    body = ack_body(app.dispatch(slack_requests.command("skincare followers>>3").bolt()))
    assert "followers>>3" in as_shown(body["text"])
    assert "followers>=10w" in as_shown(body["text"])  # usage examples follow
    assert source.pages == [] and slack.responses() == []


def test_slack_retry_of_a_command_runs_the_search_once(
    app: App,
    slack_requests: SlackRequests,
    slack: FakeSlackApi,
    source: CountingSource,
    services: Services,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    request = slack_requests.command("skincare top=3 pages=2")
    ack_body(app.dispatch(request.bolt()))
    # Commands are claimed after the ack, so a retry is acked like the original, then dropped.
    ack_body(app.dispatch(request.retried(1).bolt()))
    ack_body(app.dispatch(request.retried(2, "http_error").bolt()))
    assert ack_body(app.dispatch(slack_requests.command("help").bolt()))["blocks"]  # later ones are served
    # A listener queues its work just after the ack: wait for every job to be done before stopping.
    slack.wait_for_calls("response")
    dropped = "duplicate Slack request dropped"
    eventually(lambda: caplog.text.count(dropped) == 2, failure="the retries were not dropped")
    services.workers.shutdown(wait=True)  # every background job is over
    assert sorted(source.pages) == [1, 2]
    assert len(slack.responses()) == 1


def test_event_redelivery_is_handled_once(app: App, slack_requests: SlackRequests) -> None:
    seen: queue.Queue[str] = queue.Queue()
    app.event("reaction_added")(lambda event: seen.put(event["reaction"]))
    delivery = slack_requests.event(reaction_event("+1"))
    assert app.dispatch(delivery.bolt()).status == 200
    assert seen.get(timeout=5) == "+1"
    for retry in (delivery.retried(1), delivery.retried(2, "http_error")):
        assert app.dispatch(retry.bolt()).status == 200
    assert app.dispatch(slack_requests.event(reaction_event("heart")).bolt()).status == 200
    assert seen.get(timeout=5) == "heart"  # events run in order here; a retry would have come first
    assert seen.empty()


def reaction_event(reaction: str) -> dict:
    return {"type": "reaction_added", "user": "U1", "reaction": reaction, "item": {"type": "message"}}


def test_bad_signature_is_rejected(app: App, slack_requests: SlackRequests, source: CountingSource) -> None:
    response = app.dispatch(slack_requests.command("skincare").tampered().bolt())
    assert response.status == 401
    assert source.pages == []


def test_a_rejected_request_is_logged_without_its_body(
    app: App, slack_requests: SlackRequests, caplog: pytest.LogCaptureFixture
) -> None:
    """A wrong signing secret would otherwise log every user's text and response_url."""
    install_log_redaction([])
    try:
        with caplog.at_level(logging.INFO):
            app.dispatch(slack_requests.command("secret launch plan").tampered().bolt())
    finally:
        remove_log_redaction()
    assert "Invalid request signature detected" in caplog.text
    assert "secret" not in caplog.text and "response_url" not in caplog.text


def test_stale_timestamp_is_rejected(app: App, slack_requests: SlackRequests, source: CountingSource) -> None:
    stale = slack_requests.command("skincare", timestamp=int(time.time()) - 301)
    assert app.dispatch(stale.bolt()).status == 401
    fresh = slack_requests.command("help", timestamp=int(time.time()) - 240)
    assert app.dispatch(fresh.bolt()).status == 200
    assert source.pages == []


def test_unexpected_failure_gives_a_reference_not_a_traceback(
    app: App,
    services: Services,
    slack_requests: SlackRequests,
    slack: FakeSlackApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Broken:
        live = True

        def search_page(self, request: SearchRequest) -> PageFetch:
            raise RuntimeError(f"boom with {BOT_TOKEN}")

    services.search = SearchService(Broken())
    app.dispatch(slack_requests.command("skincare").bolt())
    [call] = slack.wait_for_calls("response")
    text = call.body["text"]
    assert "Something went wrong" in text and "ref " in text
    assert "boom" not in all_text(call.body) and "Traceback" not in all_text(call.body)
    ref = text.split("ref ")[1][:8]
    assert any(ref in r.getMessage() for r in caplog.records)
    assert BOT_TOKEN not in caplog.text


def test_a_renamed_slash_command_is_the_name_every_card_and_hint_uses(slack: FakeSlackApi) -> None:
    """KOLBOT_COMMAND is read once: help, a refusal's hint and a shortlist card all say /kolx."""
    services = build_services(slack_settings(slack, kolbot_command="/kolx"))
    try:
        app = build_app(services.settings, services=services)
        requests = SlackRequests(SECRET, response_url=slack.response_url())
        helped = ack_body(app.dispatch(requests.command("help", command="/kolx").bolt()))
        refused = ack_body(app.dispatch(requests.command("digest frobnicate", command="/kolx").bolt()))
        listed = ack_body(app.dispatch(requests.command("shortlist help", command="/kolx").bolt()))
        for body in (helped, refused, listed):
            assert "/kolx" in all_text(body) and "/kol " not in all_text(body)
    finally:
        services.close()
        use_command("/kol")


def test_help_with_no_words_of_a_language_follows_the_users_slack_language(
    app: App, slack_requests: SlackRequests, slack: FakeSlackApi
) -> None:
    """`/kol help` is the first thing the Chinese install page tells people to type: it was English."""

    def chinese_user(fake: FakeSlackApi, body: dict) -> dict:
        return {"ok": True, "user": {"id": body["user"], "locale": "zh-CN"}}

    slack.on("users.info", chinese_user)
    assert "查找抖音达人" in all_text(ack_body(app.dispatch(slack_requests.command("help").bolt())))
    assert "Find Douyin creators" in all_text(
        ack_body(app.dispatch(slack_requests.command("help lang=en").bolt()))
    )


def test_help_in_english_for_an_english_slack_user_or_when_slack_cannot_say(
    app: App, slack_requests: SlackRequests, slack: FakeSlackApi
) -> None:
    assert "Find Douyin creators" in all_text(ack_body(app.dispatch(slack_requests.command("help").bolt())))
    slack.fail("users.info", "user_not_found")
    other = SlackRequests(SECRET, user_id="U0OTHER", response_url=slack.response_url("o"))
    assert "Find Douyin creators" in all_text(ack_body(app.dispatch(other.command("help").bolt())))


def test_a_search_after_its_word_keeps_its_lang_word(
    app: App, slack_requests: SlackRequests, slack: FakeSlackApi, services: Services
) -> None:
    """`/kol 找 护肤 lang=en` was saved without `lang=en`: its buttons answered in Chinese."""
    app.dispatch(slack_requests.command("找 护肤 lang=en pages=1").bolt())
    [card] = slack.wait_for_calls("response")
    ref = next(
        SearchValue.decode(e["value"]).search_ref
        for b in card.body["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "kol_edit_search"
    )
    assert services.searches.get(ref, TEAM_ID).raw_query == "护肤 lang=en pages=1"


def test_a_plan_word_glued_to_its_budget_plans(
    app: App, slack_requests: SlackRequests, slack: FakeSlackApi
) -> None:
    """`/kol 预算20万 护肤` paid for a search for the keyword "预算20万 护肤"."""
    body = ack_body(app.dispatch(slack_requests.command("预算20万 护肤 lang=en").bolt()))
    assert "Planning over the search “护肤”" in all_text(body)
    slack.wait_for_calls("chat.postMessage")
