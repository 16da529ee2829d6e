"""Slack refusing a response_url message is noticed: logged, a rejected card is sent again as its
text, and an expired URL has the answer posted to the user privately (it used to vanish)."""

from __future__ import annotations

import logging

import pytest
from slack_bolt import App

from bot.cards.actions import SortValue
from bot.models import SortKey
from tests.fakes.signing import CHANNEL_ID, USER_ID, SlackRequests, select
from tests.fakes.slack_api import FakeSlackApi


def test_a_card_slack_rejects_is_sent_again_as_its_text(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, caplog: pytest.LogCaptureFixture
) -> None:
    slack.refuse_responses("invalid_blocks", status=400)
    assert app.dispatch(slack_requests.command("护肤").bolt()).status == 200
    refused, again = (c.body for c in slack.wait_for_calls("response", 2))
    assert refused["blocks"] and "blocks" not in again
    assert again["text"] == refused["text"] and "1. " in again["text"]
    assert "Slack refused a response_url message: HTTP 400 invalid_blocks" in caplog.text


@pytest.mark.parametrize("reason", ["expired_url", "used_url"])
def test_an_expired_response_url_answers_the_user_privately(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, reason: str
) -> None:
    slack.refuse_responses(reason, status=404)
    assert app.dispatch(slack_requests.command("护肤").bolt()).status == 200
    [refused] = slack.wait_for_calls("response")
    [private] = slack.wait_for_calls("chat.postEphemeral")
    assert (private.body["channel"], private.body["user"]) == (CHANNEL_ID, USER_ID)
    assert private.body["text"] == refused.body["text"] and private.body["blocks"] == refused.body["blocks"]


def test_when_the_channel_refuses_too_the_answer_goes_to_the_users_dm(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    slack.refuse_responses("expired_url", status=404)
    slack.fail("chat.postEphemeral", "not_in_channel")
    assert app.dispatch(slack_requests.command("护肤").bolt()).status == 200
    [dm] = slack.wait_for_calls("chat.postMessage")
    assert dm.body["channel"] == USER_ID and "1. " in dm.body["text"]


def test_a_spent_trigger_id_asks_for_another_click_not_the_admin(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, caplog: pytest.LogCaptureFixture
) -> None:
    slack.fail("views.open", "expired_trigger_id")
    assert app.dispatch(slack_requests.command("").bolt()).status == 200  # `/kol` alone opens the form
    [answer] = slack.wait_for_calls("response")
    assert "Slack allows 3 seconds to open a form" in answer.body["text"]
    assert "Click the button again." in answer.body["text"] and "admin" not in answer.body["text"]
    assert "Traceback" not in caplog.text


def test_a_slack_server_error_is_retried_once(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    slack.fail("views.open", "internal_error", status=503)
    assert app.dispatch(slack_requests.command("").bolt()).status == 200
    opened = slack.wait_for_calls("views.open", 2)
    assert opened[1].body["view"]["callback_id"] == "kol_search_form" and slack.responses() == []


def test_a_slack_server_error_on_a_post_is_not_retried_inside_the_call(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    """Slack may have posted before answering 500: a second try would post the card twice."""
    slack.fail("chat.postMessage", "internal_error", status=500)
    assert app.dispatch(slack_requests.command("show 6641076880623093594 lang=en").bolt()).status == 200
    [answer] = slack.wait_for_calls("response")
    assert len(slack.calls_to("chat.postMessage")) == 1 and "internal_error" in answer.body["text"]


def test_a_rejected_replacement_card_does_not_replace_the_card_that_works(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    """A re-sort replaces its card: had Slack refused the new one, its text alone replaced the old
    card and its buttons."""
    assert app.dispatch(slack_requests.command("护肤 pages=1").bolt()).status == 200
    [card] = slack.wait_for_calls("response")
    sort = next(
        e
        for b in card.body["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "kol_sort"
    )
    cheapest = next(o for o in sort["options"] if SortValue.decode(o["value"]).sort == SortKey.CPM)
    slack.refuse_responses("invalid_blocks", status=400)
    click = slack_requests.block_action(
        select("kol_sort", cheapest["value"]), message={"ts": "1.2", **card.body}
    )
    assert app.dispatch(click.bolt()).status == 200
    refused, alone = (c.body for c in slack.wait_for_calls("response", 3)[1:])
    assert refused["replace_original"] is True and refused["blocks"]
    assert (
        alone["replace_original"] is False and "blocks" not in alone and alone["response_type"] == "ephemeral"
    )
