"""The search form through the real Bolt app: `/kol` with no text and the global shortcut open the
modal; submitting it posts the results card with the equivalent one-line query, or puts errors
under the fields."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import App
from sqlalchemy.exc import OperationalError

from bot.cards.validate import validate_message
from bot.services import Services
from tests.fakes.signing import CHANNEL_ID, USER_ID, SlackRequests, button
from tests.fakes.slack_api import FakeSlackApi
from tests.test_app_commands import ack_body, all_text, as_shown

FORM = "kol_search_form"


def text(value: str) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def choice(value: str) -> dict[str, Any]:
    return {"choice": {"type": "static_select", "selected_option": {"value": value}}}


def tags(*names: str) -> dict[str, Any]:
    return {"choice": {"type": "multi_static_select", "selected_options": [{"value": n} for n in names]}}


def command_meta(requests: SlackRequests) -> str:
    """The `private_metadata` of a form opened with `/kol` in the test channel."""
    return json.dumps({"channel_id": CHANNEL_ID, "response_url": requests.response_url})


def opened_view(app: App, slack: FakeSlackApi, request: Any) -> dict[str, Any]:
    before = len(slack.calls_to("views.open"))
    assert app.dispatch(request.bolt()).status == 200
    return slack.wait_for_calls("views.open", before + 1)[before].body["view"]


def test_kol_with_no_text_opens_the_form_for_this_channel(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    view = opened_view(app, slack, slack_requests.command(""))
    assert view["callback_id"] == FORM
    blocks = [b["block_id"] for b in view["blocks"]]
    assert blocks[:2] == ["keyword", "followers"] and "channel" not in blocks
    assert {"tags", "region", "gender", "sort", "goal", "duration", "max_price", "max_cpm", "max_cpe"} <= set(
        blocks
    )
    meta = json.loads(view["private_metadata"])
    assert meta == {"channel_id": CHANNEL_ID, "response_url": slack_requests.response_url}
    tag_options = next(b for b in view["blocks"] if b["block_id"] == "tags")["element"]["option_groups"]
    assert any(o["value"] == "护肤保养" for g in tag_options for o in g["options"])


def test_the_shortcut_opens_the_form_with_a_conversation_picker(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    view = opened_view(app, slack, slack_requests.shortcut("kol_find_creators"))
    picker = view["blocks"][0]
    assert picker["block_id"] == "channel"
    assert picker["element"]["type"] == "conversations_select"
    assert picker["element"]["default_to_current_conversation"] is True
    assert picker["element"]["response_url_enabled"] is True


def test_submitting_posts_the_results_card_with_the_typed_equivalent(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, services: Services
) -> None:
    meta = command_meta(slack_requests)
    values = {
        "keyword": text("护肤"),
        "followers": choice("10w-50w"),
        "max_cpm": text("80"),
        "min_er": text("1"),
        "tags": tags("护肤保养"),
        "sort": choice("cpm"),
    }
    response = app.dispatch(slack_requests.view_submission(FORM, values, private_metadata=meta).bolt())
    assert ack_body(response) == {}  # the modal closes
    card = slack.wait_for_calls("response")[0].body
    typed = (
        "护肤 粉丝=10w-50w cpm<=80 互动率>=1% 标签=护肤保养 排序=cpm"  # a Chinese form teaches Chinese names
    )
    assert f"/kol {typed}" in as_shown(all_text(card))
    assert card["response_type"] == "in_channel" and validate_message(card) == []
    assert re.search(r"\n1\. ", card["text"])  # at least one creator
    # The same line, typed, gives the same creators (the fallback text lists them).
    assert next_card(app, slack, slack_requests, typed)["text"] == card["text"]


def next_card(app: App, slack: FakeSlackApi, slack_requests: SlackRequests, query: str) -> dict[str, Any]:
    before = len(slack.responses())
    assert app.dispatch(slack_requests.command(query).bolt()).status == 200
    return slack.wait_for_calls("response", before + 1)[before].body


def test_bad_fields_are_reported_under_each_field_and_nothing_runs(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    meta = command_meta(slack_requests)
    values = {
        "keyword": text("  "),
        "max_cpm": text("abc"),
        "min_er": text("300"),
        "max_price": text("5000 sort=cpm"),
        "followers": choice("1w-10w"),
        "followers_custom": text("30w+"),
    }
    body = ack_body(app.dispatch(slack_requests.view_submission(FORM, values, private_metadata=meta).bolt()))
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"keyword", "max_cpm", "min_er", "max_price", "followers_custom"}
    assert "abc" in body["errors"]["max_cpm"] and "100" in body["errors"]["min_er"]
    assert all(len(message) < 300 for message in body["errors"].values())  # no usage essay under a field
    chinese = {"keyword": text("护肤"), "max_cpe": text("便宜")}
    zh = ack_body(app.dispatch(slack_requests.view_submission(FORM, chinese, private_metadata=meta).bolt()))
    assert "需要一个数字" in zh["errors"]["max_cpe"]
    assert slack.responses() == []


def test_the_shortcut_form_posts_where_the_picker_points_or_asks_for_a_conversation(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    values = {"channel": {"choice": {"type": "conversations_select", "selected_conversation": "C0OTHER"}}}
    values["keyword"] = text("美食")
    missing = ack_body(app.dispatch(slack_requests.view_submission(FORM, values).bolt()))
    assert missing["response_action"] == "errors" and set(missing["errors"]) == {"channel"}
    picked = [
        {
            "block_id": "channel",
            "action_id": "choice",
            "channel_id": "C0OTHER",
            "response_url": slack.response_url("picked"),
        }
    ]
    assert (
        ack_body(app.dispatch(slack_requests.view_submission(FORM, values, response_urls=picked).bolt()))
        == {}
    )
    card = slack.wait_for_calls("response")[0]
    assert card.path == "/response/picked" and "/kol 美食" in as_shown(all_text(card.body))


def test_a_shortcut_form_that_cannot_open_is_explained_in_the_dm(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    slack.fail("views.open", "expired_trigger_id")
    assert app.dispatch(slack_requests.shortcut("kol_find_creators").bolt()).status == 200
    [post] = slack.wait_for_calls("chat.postMessage")
    assert post.body["channel"] == USER_ID and "Slack allows 3 seconds to open a form" in post.body["text"]


def submit(app: App, slack_requests: SlackRequests, values: dict[str, Any]) -> dict[str, Any]:
    meta = command_meta(slack_requests)
    return ack_body(app.dispatch(slack_requests.view_submission(FORM, values, private_metadata=meta).bolt()))


def test_full_width_input_and_chinese_bound_words_run_the_search(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    values = {
        "keyword": text("美妆"),
        "followers_custom": text("１０ｗ＋"),
        "max_price": text("5000以内"),
        "min_er": text("３％"),
    }
    assert submit(app, slack_requests, values) == {}
    card = slack.wait_for_calls("response")[0].body
    assert "/kol 美妆 粉丝>=10w 报价<=5000 互动率>=3%" in as_shown(all_text(card))
    body = submit(app, slack_requests, {"keyword": text("美妆"), "followers_custom": text("10万及以上")})
    assert body == {}


def test_filters_in_the_keyword_box_a_zero_price_and_a_ratio_are_refused_under_their_boxes(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    values = {
        "keyword": text("护肤 粉丝>=10w"),
        "max_price": text("0"),
        "min_er": text("0.03"),
        "max_cpm": text("60以上"),
    }
    body = submit(app, slack_requests, values)
    assert body["response_action"] == "errors"
    errors = body["errors"]
    assert set(errors) == {"keyword", "max_price", "min_er", "max_cpm"}
    assert "`粉丝>=10w`" in errors["keyword"] and "粉丝" in errors["keyword"]
    assert "`0`" in errors["max_price"] and "大于 0" in errors["max_price"]
    assert "`0.03`" in errors["min_er"] and "3%" in errors["min_er"] and "%%" not in errors["min_er"]
    assert "`60以上`" in errors["max_cpm"] and "上限" in errors["max_cpm"]
    alone = submit(app, slack_requests, {"keyword": text("sort=cpm")})
    assert (
        "`sort=cpm`" in alone["errors"]["keyword"]
        and "at least one keyword" not in alone["errors"]["keyword"]
    )
    assert slack.responses() == []


def test_a_blank_keyword_is_explained_in_the_language_typed_in_the_other_boxes(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    body = submit(
        app, slack_requests, {"keyword": text(""), "region": text("上海"), "max_price": text("5万")}
    )
    assert set(body["errors"]) == {"keyword"}
    assert re.search(r"[\u4e00-\u9fff]", body["errors"]["keyword"].replace("护肤", ""))
    assert "Type a keyword" not in body["errors"]["keyword"]
    english = submit(app, slack_requests, {"keyword": text(""), "max_price": text("5000")})
    assert "Type a keyword" in english["errors"]["keyword"]


def edit_value(card: dict[str, Any]) -> str:
    """The value of a results card's *Edit search* button."""
    buttons = [e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]]
    return next(e["value"] for e in buttons if e["action_id"] == "kol_edit_search")


def submitted_values(view: dict[str, Any]) -> dict[str, Any]:
    """What Slack sends back for `view` submitted as it opened (each field at its initial value)."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        element = block["element"]
        if "initial_value" in element:
            values[block["block_id"]] = text(element["initial_value"])
        elif "initial_option" in element:
            values[block["block_id"]] = choice(element["initial_option"]["value"])
        elif "initial_options" in element:
            values[block["block_id"]] = tags(*(o["value"] for o in element["initial_options"]))
    return values


def test_edit_search_opens_the_form_filled_in_and_submitting_it_unchanged_runs_the_same_search(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    typed = "护肤 粉丝>=10w cpm<=80 star>=50 sort=cpm"
    card = next_card(app, slack, slack_requests, typed)
    edit = next(
        e
        for b in card["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "kol_edit_search"
    )
    assert edit["text"]["text"] == "修改搜索"  # the card is in the search's language
    view = opened_view(
        app, slack, slack_requests.block_action(button("kol_edit_search", edit["value"]), message=card)
    )
    assert json.loads(view["private_metadata"]) == {
        "channel_id": CHANNEL_ID,
        "response_url": slack_requests.response_url,
        "lang": "zh",  # the card's: the form's answers and the new card keep it
    }
    values = submitted_values(view)
    assert values["keyword"] == text("护肤") and values["more"] == text("star>=50")
    submit = slack_requests.view_submission(FORM, values, private_metadata=view["private_metadata"])
    before = len(slack.responses())
    assert ack_body(app.dispatch(submit.bolt())) == {}
    again = slack.wait_for_calls("response", before + 1)[before].body
    assert again["text"] == card["text"]  # the same creators, in the same order


def test_edit_search_on_a_card_from_another_workspace_says_the_search_is_unknown(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    card = next_card(app, slack, slack_requests, "护肤")
    value = next(
        e["value"]
        for b in card["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "kol_edit_search"
    )
    before, opened = len(slack.responses()), len(slack.calls_to("views.open"))
    click = slack_requests.block_action(button("kol_edit_search", value), message=card, team_id="T0OTHER")
    assert app.dispatch(click.bolt()).status == 200
    answer = slack.wait_for_calls("response", before + 1)[before].body
    assert "This search is unknown here" in all_text(answer)
    assert len(slack.calls_to("views.open")) == opened


def test_edit_search_keeps_the_language_of_the_card_it_edits(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    """`Dior 粉丝>=10w` gave a Chinese card; its form, sent unchanged, wrote `Dior followers>=10w`
    (no Chinese left) and the new card came back in English."""
    card = next_card(app, slack, slack_requests, "Dior 粉丝>=10w")
    edit = next(
        e
        for b in card["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "kol_edit_search"
    )
    view = opened_view(
        app, slack, slack_requests.block_action(button("kol_edit_search", edit["value"]), message=card)
    )
    submit = slack_requests.view_submission(
        FORM, submitted_values(view), private_metadata=view["private_metadata"]
    )
    before = len(slack.responses())
    assert ack_body(app.dispatch(submit.bolt())) == {}
    again = slack.wait_for_calls("response", before + 1)[before].body
    assert again["blocks"][0]["text"]["text"] == card["blocks"][0]["text"]["text"]  # the Chinese header
    assert "粉丝>=10w" in as_shown(all_text(again))  # and the line to type, in Chinese names


def test_a_form_that_fails_before_its_listener_answers_in_the_typed_language(
    app: App, slack_requests: SlackRequests, services: Services
) -> None:
    """Read from the form's title, which is bilingual, every such answer was Chinese."""

    def down(*_args: Any, **_kwargs: Any) -> bool:
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    services.ledger.claim_all = down  # type: ignore[method-assign]
    meta = command_meta(slack_requests)
    english = slack_requests.view_submission(FORM, {"keyword": text("skincare")}, private_metadata=meta)
    pushed = ack_body(app.dispatch(english.bolt()))
    assert "Storage is unavailable" in json.dumps(pushed["view"], ensure_ascii=False)
    chinese = slack_requests.view_submission(FORM, {"keyword": text("护肤")}, private_metadata=meta)
    assert "存储" in json.dumps(ack_body(app.dispatch(chinese.bolt()))["view"], ensure_ascii=False)


def test_a_form_edited_from_the_home_tab_has_no_target_but_its_language() -> None:
    from handlers.views.search_form import load_target

    assert load_target('{"lang":"zh"}') is None and load_target("{}") is None
