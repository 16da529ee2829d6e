"""The App Home tab through the real Bolt app: `app_home_opened` publishes the user's shortlists,
digests, last searches and the month's spend; *Re-run* posts the search again in its channel."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import App

from bot.cards.actions import SearchValue
from bot.services import Services
from tests.fakes.signing import CHANNEL_ID, USER_ID, SlackRequests, button
from tests.fakes.slack_api import TEAM_ID, FakeSlackApi
from tests.fakes.slack_app import next_response


def published(app: App, slack: FakeSlackApi, request: Any) -> dict[str, Any]:
    before = len(slack.calls_to("views.publish"))
    assert app.dispatch(request.bolt()).status == 200
    call = slack.wait_for_calls("views.publish", before + 1)[before]
    assert call.body["user_id"] == USER_ID
    return call.body["view"]


def shown(view: dict[str, Any]) -> str:
    return json.dumps(view, ensure_ascii=False)


def rerun_buttons(view: dict[str, Any]) -> list[str]:
    return [
        b["accessory"]["value"]
        for b in view["blocks"]
        if (b.get("accessory") or {}).get("action_id") == "kol_home_rerun"
    ]


def test_home_tab_shows_my_shortlists_digests_searches_and_spend(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, services: Services
) -> None:
    for query in ("护肤 followers>=10w", "美妆 sort=cpm", "护肤 followers>=10w"):
        next_response(app, slack, slack_requests.command(query))
    mine = services.shortlists.create(TEAM_ID, CHANNEL_ID, USER_ID, "Spring skincare")
    services.shortlists.set_parent_ts(TEAM_ID, mine.short_id, CHANNEL_ID, "1700000000.000100")
    services.shortlists.create(TEAM_ID, CHANNEL_ID, "U0SOMEONE", "Not mine")
    services.digests.add(TEAM_ID, "C0ELSEWHERE", USER_ID, '"母婴" daily 09:30', "en")
    food = services.digests.add(
        TEAM_ID, CHANNEL_ID, "U0SOMEONE", '"美食" weekly mon 09:00', "en"
    )  # a channel I use
    services.digests.pause(TEAM_ID, food.digest.short_id, "U0SOMEONE")
    services.digests.add(TEAM_ID, "C0NOTMINE", "U0SOMEONE", '"旅行" daily 10:00', "en")

    view = published(app, slack, slack_requests.home_opened())
    text = shown(view)
    assert view["type"] == "home"
    assert "Spring skincare" in text and "Not mine" not in text
    assert f"/archives/{CHANNEL_ID}/p1700000000000100" in text  # linked to its thread
    assert "母婴" in text and "美食" in text and "旅行" not in text
    assert "下次" in text  # next run, in the language of my latest search
    assert (
        "<@U0SOMEONE>" in text and f"推送 恢复 {food.digest.short_id}" in text
    )  # who paused it, and how back (in Chinese words, the home being Chinese)
    refs = [SearchValue.decode(value).search_ref for value in rerun_buttons(view)]
    assert len(refs) == 2  # one per distinct query, newest first
    assert services.searches.get(refs[0], TEAM_ID).raw_query == "护肤 followers>=10w"
    assert "$0.00" in text  # demo data costs nothing


def test_a_first_visit_is_in_the_users_slack_language(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    """No search yet to take the language from: a Chinese Slack user's first Home tab was English."""
    slack.on("users.info", lambda fake, body: {"ok": True, "user": {"id": body["user"], "locale": "zh-TW"}})
    assert "抖音达人" in shown(published(app, slack, slack_requests.home_opened()))


def test_the_messages_tab_publishes_nothing(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    assert app.dispatch(slack_requests.home_opened(tab="messages").bolt()).status == 200
    assert app.dispatch(slack_requests.home_opened().bolt()).status == 200
    slack.wait_for_calls("views.publish", 1)
    assert len(slack.calls_to("views.publish")) == 1


def test_rerun_posts_the_search_in_its_channel_and_refreshes_the_home_tab(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, services: Services
) -> None:
    next_response(app, slack, slack_requests.command("美妆 sort=cpm"))
    [ref] = rerun_buttons(published(app, slack, slack_requests.home_opened()))
    assert (
        app.dispatch(slack_requests.home_action(button("kol_home_rerun", ref, "重新搜索")).bolt()).status
        == 200
    )
    [post] = slack.wait_for_calls("chat.postMessage")
    assert post.body["channel"] == CHANNEL_ID and "美妆" in post.body["text"] and post.body["blocks"]
    view = slack.wait_for_calls("views.publish", 2)[1].body["view"]
    assert len(rerun_buttons(view)) == 1 and rerun_buttons(view)[0] != ref  # the re-run is the latest


def test_rerun_where_the_bot_cannot_post_goes_to_the_users_dm(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, services: Services
) -> None:
    next_response(app, slack, slack_requests.command("美妆"))
    [ref] = rerun_buttons(published(app, slack, slack_requests.home_opened()))
    slack.fail("chat.postMessage", "not_in_channel")
    assert app.dispatch(slack_requests.home_action(button("kol_home_rerun", ref)).bolt()).status == 200
    posts = slack.wait_for_calls("chat.postMessage", 2)
    assert [p.body["channel"] for p in posts] == [CHANNEL_ID, USER_ID] and posts[1].body["blocks"]


def test_an_unknown_search_is_explained_in_the_dm(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    assert (
        app.dispatch(
            slack_requests.home_action(
                button("kol_home_rerun", SearchValue(search_ref="nosuchref").encode())
            ).bolt()
        ).status
        == 200
    )
    [post] = slack.wait_for_calls("chat.postMessage")
    assert post.body["channel"] == USER_ID and "unknown here" in post.body["text"]


def test_find_creators_on_the_home_tab_opens_the_form_with_a_conversation_picker(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    assert app.dispatch(slack_requests.home_action(button("kol_home_form", "form")).bolt()).status == 200
    [call] = slack.wait_for_calls("views.open")
    assert call.body["view"]["callback_id"] == "kol_search_form"
    assert call.body["view"]["blocks"][0]["block_id"] == "channel"


def test_the_manifest_declares_the_home_tab_its_event_and_the_shortcut() -> None:
    from pathlib import Path

    from handlers.shortcuts.search_form import SHORTCUT_CALLBACK

    manifest = (Path(__file__).resolve().parents[1] / "manifest.yml").read_text()
    assert "home_tab_enabled: true" in manifest and "- app_home_opened" in manifest
    assert f"callback_id: {SHORTCUT_CALLBACK}" in manifest and "type: global" in manifest


def test_user_text_on_the_home_tab_is_escaped(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, services: Services
) -> None:
    services.searches.save(TEAM_ID, CHANNEL_ID, USER_ID, "<!channel> 护肤 `x`", "zh")
    services.shortlists.create(TEAM_ID, CHANNEL_ID, USER_ID, "<!here> *list* <https://evil.example|click>")
    services.digests.add(TEAM_ID, CHANNEL_ID, USER_ID, '"<!everyone>" daily 09:30', "en")
    text = shown(published(app, slack, slack_requests.home_opened()))
    assert "<!channel>" not in text and "<!here>" not in text and "<!everyone>" not in text
    assert "<https://evil" not in text and "&lt;!here&gt;" in text


def test_edit_search_on_the_home_tab_opens_the_form_filled_in_asking_where_to_post(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, services: Services
) -> None:
    ref = services.searches.save(TEAM_ID, CHANNEL_ID, USER_ID, "护肤 粉丝>=10w star>=60", "zh")
    click = slack_requests.home_action(
        button("kol_home_edit", SearchValue(search_ref=ref).encode(), "修改搜索")
    )
    assert app.dispatch(click.bolt()).status == 200
    [opened] = slack.wait_for_calls("views.open")
    view = opened.body["view"]
    elements = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert elements["channel"]["type"] == "conversations_select"  # a Home tab click has no channel
    assert elements["keyword"]["initial_value"] == "护肤" and elements["more"]["initial_value"] == "star>=60"
    assert json.loads(view["private_metadata"]) == {"lang": "zh"}


def test_the_home_tab_offers_edit_search_for_each_saved_search(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, services: Services
) -> None:
    ref = services.searches.save(TEAM_ID, CHANNEL_ID, USER_ID, "护肤", "zh")
    view = published(app, slack, slack_requests.home_opened())
    edits = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [
        SearchValue.decode(e["value"]).search_ref for e in edits if e["action_id"] == "kol_home_edit"
    ] == [ref]
