"""A modal submitted with `private_metadata` this version cannot read (a form opened before a deploy,
or forged or garbled): a notice over the form says it is out of date and how to open it again, in
the user's language; nothing runs, nothing is posted, and it is not the generic error."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_bolt import App

from bot.cards.form_views import MODAL_CALLBACK
from bot.i18n import tr
from tests.fakes.signing import CHANNEL_ID, SlackRequests
from tests.fakes.slack_api import FakeSlackApi
from tests.test_app_commands import ack_body

FORMS = ["kol_sl_add_view", "kol_sl_new_view", "kol_sl_edit_view", "kol_plan_view", "kol_plan_add_view"]
METADATA = [
    "not json",
    "[1, 2]",
    '"text"',
    '{"channel": "C1", "url": "https://example.com"}',  # what an older deploy might have written
    json.dumps({"channel_id": 5, "lang": "en", "response_url": ["x"]}),  # wrong types
    json.dumps({"kind": "forged", "ref": "1", "channel_id": CHANNEL_ID, "lang": "en", "response_url": "u"}),
    json.dumps({"kind": "plan", "ref": "abc", "channel_id": CHANNEL_ID, "lang": "en", "response_url": "u"}),
]
SEARCH_METADATA = ["not json", "[]", '{"channel_id": "C1"}', json.dumps({"channel_id": 1, "response_url": 2})]


def notice(body: dict[str, Any]) -> str:
    assert body["response_action"] == "push"
    return json.dumps(body["view"]["blocks"], ensure_ascii=False)


def assert_nothing_done(slack: FakeSlackApi) -> None:
    assert slack.responses() == [] and not slack.calls_to("chat.postMessage")


@pytest.mark.parametrize("callback_id", FORMS)
@pytest.mark.parametrize("metadata", METADATA)
def test_a_form_from_a_card_says_it_is_out_of_date(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, callback_id: str, metadata: str
) -> None:
    values = {"budget": {"value": {"type": "plain_text_input", "value": "20万"}}}
    request = slack_requests.view_submission(
        callback_id, values, private_metadata=metadata, title="Plan budget"
    )
    shown = notice(ack_body(app.dispatch(request.bolt())))
    assert "This form is out of date" in shown and "nothing was done" in shown
    assert "click the button that opened it again" in shown
    assert "Something went wrong" not in shown and "Traceback" not in shown
    assert_nothing_done(slack)


@pytest.mark.parametrize("metadata", SEARCH_METADATA)
def test_the_search_form_says_how_to_open_it_again(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, metadata: str
) -> None:
    values = {"keyword": {"value": {"type": "plain_text_input", "value": "skincare"}}}
    request = slack_requests.view_submission(MODAL_CALLBACK, values, private_metadata=metadata)
    shown = notice(ack_body(app.dispatch(request.bolt())))
    assert "This form is out of date" in shown and "type `/kol` with nothing after it" in shown
    assert_nothing_done(slack)


def test_the_notice_is_in_the_users_language(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    """Read from the typed keyword (the search form is bilingual) or the form's title."""
    english = {"keyword": {"value": {"type": "plain_text_input", "value": "skincare"}}}
    chinese = {"keyword": {"value": {"type": "plain_text_input", "value": "护肤"}}}
    cases = [
        (slack_requests.view_submission(MODAL_CALLBACK, english, private_metadata="[]"), "en"),
        (slack_requests.view_submission(MODAL_CALLBACK, chinese, private_metadata="[]"), "zh"),
        (slack_requests.view_submission("kol_plan_view", {}, private_metadata="[]", title="规划预算"), "zh"),
        (
            slack_requests.view_submission("kol_plan_view", {}, private_metadata="[]", title="Plan budget"),
            "en",
        ),
    ]
    for request, lang in cases:
        body = ack_body(app.dispatch(request.bolt()))
        assert body["view"]["close"]["text"] == tr(lang, "Back")
    assert_nothing_done(slack)
