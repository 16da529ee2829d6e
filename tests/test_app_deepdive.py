"""`/kol show`, `/kol compare` and the Details button through the real Bolt app.

Signed requests in; the strict fake Slack API records the card (`chat.postMessage`), the chart
uploads (raw PNG bytes at the upload URL, then `files.completeUploadExternal` into the card's
thread) and every private answer. Demo mode uses the synthetic detail data; live mode runs the
real TikHub client against the fake TikHub serving the same synthetic bodies.
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pytest
from slack_bolt import App

from bot.cards.actions import AddToShortlistValue, DetailsValue, ShortlistValue
from bot.cards.validate import validate_message
from bot.demo import synth_detail
from bot.models import Creator
from bot.services import Services, build_services
from bot.settings import Settings
from handlers.app import build_app
from tests.fakes.signing import CHANNEL_ID, USER_ID, SlackRequests, button
from tests.fakes.slack_api import TEAM_ID, FakeSlackApi, SlackCall
from tests.fakes.slack_app import slack_settings, slack_values
from tests.fakes.tikhub_server import FakeTikHub, Fault

CARD_TS = "1700000099.000100"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
UNKNOWN_STAR_ID = "7000000000000000001"
PARENT_TS = "1700000050.000001"
NOW = datetime.now(UTC)


# -- synthetic creators -------------------------------------------------------------------------


@cache
def demo_stars(
    *, refused: tuple[str, ...] = (), served: tuple[str, ...] = synth_detail.DETAIL_ROUTES
) -> list[str]:
    """Demo creators with a 21-60 s quote whose refusals include `refused` and exclude `served`."""
    found = []
    for star_id in synth_detail.demo_star_ids():
        prices = synth_detail.detail_data(synth_detail.SERVICE_PRICE, {"kolId": star_id}).get("price_info")
        if not any(q.get("video_type") == 2 and float(q.get("price") or 0) > 0 for q in prices or []):
            continue
        if all(synth_detail.is_refused(r, star_id) for r in refused) and not any(
            synth_detail.is_refused(r, star_id) for r in served if r not in refused
        ):
            found.append(star_id)
    assert found, "no such demo creator"
    return found


# -- fixtures -------------------------------------------------------------------------------------


def card_post(fake: FakeSlackApi, body: dict[str, Any]) -> dict[str, Any]:
    """`chat.postMessage` answering with a known ts, so thread replies can be checked against it."""
    return {"ok": True, "channel": body.get("channel"), "ts": CARD_TS, "message": {"ts": CARD_TS}}


@pytest.fixture
def slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        fake.on("chat.postMessage", card_post)
        yield fake


@pytest.fixture
def tikhub() -> Iterator[FakeTikHub]:
    with FakeTikHub() as fake:
        yield fake.serve_details()


def make_app(settings: Settings) -> Iterator[App]:
    services = build_services(settings)
    yield build_app(settings, services=services)
    services.close()


@pytest.fixture
def live_app(slack: FakeSlackApi, tikhub: FakeTikHub) -> Iterator[App]:
    extra = slack_values(slack, tikhub_max_retries=0, kolbot_tikhub_qps=1000)
    yield from make_app(tikhub.settings(**extra))


# -- helpers ---------------------------------------------------------------------------------------


def command(app: App, slack_requests: SlackRequests, text: str) -> str:
    """Run `/kol text`; the ack's text (Slack shows it to the requester only)."""
    response = app.dispatch(slack_requests.command(text).bolt())
    assert response.status == 200, response.body
    if not response.body:
        return ""
    return json.loads(response.body)["text"] if response.body.startswith("{") else response.body


def posted_card(slack: FakeSlackApi) -> dict[str, Any]:
    [call] = slack.wait_for_calls("chat.postMessage")
    card = call.body
    assert card["channel"] == CHANNEL_ID and "thread_ts" not in card
    assert validate_message({"text": card["text"], "blocks": card["blocks"]}) == []
    return card


def card_text(card: dict[str, Any]) -> str:
    return json.dumps(card["blocks"], ensure_ascii=False)


def uploads(slack: FakeSlackApi) -> list[SlackCall]:
    return [c for c in slack.calls if c.path.startswith("/upload/")]


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (right after the 8-byte signature)."""
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def charts_in_thread(slack: FakeSlackApi) -> tuple[dict[str, Any], list[tuple[int, int]]]:
    """The completed upload and the size of every PNG uploaded, after checking the bytes."""
    [complete] = slack.wait_for_calls("files.completeUploadExternal")
    assert complete.body["channel_id"] == CHANNEL_ID and complete.body["thread_ts"] == CARD_TS
    sent = uploads(slack)
    asked = slack.calls_to("files.getUploadURLExternal")
    assert sorted(int(c.body["length"]) for c in asked) == sorted(len(u.raw) for u in sent)
    assert all(len(u.raw) > 10_000 for u in sent)
    return complete.body, sorted(png_size(u.raw) for u in sent)


def details_buttons(results: dict[str, Any]) -> list[str]:
    return [
        e["value"]
        for b in results["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e.get("action_id") == "kol_details"
    ]


def search_card(app: App, slack: FakeSlackApi, slack_requests: SlackRequests, text: str) -> dict[str, Any]:
    command(app, slack_requests, text)
    return {"type": "message", "ts": "1700000000.000001", **slack.wait_for_calls("response")[0].body}


# -- /kol show -------------------------------------------------------------------------------------


def test_show_in_demo_posts_the_card_then_both_charts_in_its_thread(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    star_id = demo_stars()[0]
    assert "demo deep-dive" in command(app, slack_requests, f"show {star_id}")
    complete, sizes = charts_in_thread(slack)
    card = posted_card(slack)
    assert star_id in card_text(card) and "DEMO DATA" in card_text(card)
    assert sizes == [(800, 400), (900, 600)]  # follower trend, audience breakdown
    nickname = card["blocks"][0]["text"]["text"]
    assert all(f["title"].startswith(nickname) for f in complete["files"])


def test_show_by_douyin_handle_in_chinese(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    star_id = demo_stars()[1]
    command(app, slack_requests, f"查看 @{synth_detail.unique_id(star_id)}")
    charts_in_thread(slack)
    card = posted_card(slack)
    shortlist = card["blocks"][-1]["elements"][0]
    assert shortlist["action_id"] == "kol_add_to_shortlist"
    assert AddToShortlistValue.decode(shortlist["value"]) == AddToShortlistValue(star_id=star_id)
    assert "基本信息" in card_text(card) and "演示数据" in card_text(card)


def test_show_live_states_the_cost_then_serves_the_repeat_from_cache(
    live_app: App, slack: FakeSlackApi, slack_requests: SlackRequests, tikhub: FakeTikHub
) -> None:
    star_id = demo_stars()[0]
    ack = command(live_app, slack_requests, f"show {star_id} lang=en")
    assert "8 data calls, at most $0.16" in ack
    charts_in_thread(slack)
    first = card_text(posted_card(slack))
    assert "Upstream cost $0.160 for 8 calls; 0 of 8 answers from cache." in first
    assert {r.route for r in tikhub.requests} == set(synth_detail.DETAIL_ROUTES)

    slack.reset()
    slack.on("chat.postMessage", card_post)
    tikhub.reset()
    command(live_app, slack_requests, f"show {star_id} lang=en")
    charts_in_thread(slack)
    assert "Upstream cost $0.000 for 0 calls; 8 of 8 answers from cache." in card_text(posted_card(slack))
    assert tikhub.calls == 0


def test_show_live_marks_refused_and_failed_parts_and_still_posts(
    live_app: App, slack: FakeSlackApi, slack_requests: SlackRequests, tikhub: FakeTikHub
) -> None:
    star_id = demo_stars()[0]
    for route in (synth_detail.AUDIENCE, synth_detail.FANS):
        tikhub.inject(Fault.REFUSED, route=route, times=None)  # 10003 inside HTTP 200: billed
    tikhub.inject(Fault.BAD_GATEWAY, route=synth_detail.CP_INFO, times=None)  # 502: not billed
    command(live_app, slack_requests, f"show {star_id} lang=en")
    _, sizes = charts_in_thread(slack)
    text = card_text(posted_card(slack))
    assert "audience data unavailable: Xingtu declined to share it" in text
    assert "follower portrait unavailable: Xingtu declined to share it" in text
    assert "cost performance failed: TikHub unavailable" in text
    assert "Upstream cost $0.140 for 8 calls" in text
    assert sizes == [(800, 400)]  # no portrait arrived, so only the follower trend


def test_bot_outside_the_channel_answers_privately_and_asks_for_an_invite(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    slack.fail("chat.postMessage", "not_in_channel")
    command(app, slack_requests, f"show {demo_stars()[0]} lang=en")
    [answer] = slack.wait_for_calls("response")
    assert answer.body["response_type"] == "ephemeral"
    assert "/invite @kolbot" in answer.body["blocks"][2]["text"]["text"]
    assert validate_message({"text": answer.body["text"], "blocks": answer.body["blocks"]}) == []
    assert uploads(slack) == [] and slack.calls_to("files.getUploadURLExternal") == []


def test_an_archived_channel_gets_the_card_privately_saying_why(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    """It was "Slack did not accept the card (is_archived). Try again", which cannot work."""
    slack.fail("chat.postMessage", "is_archived")
    command(app, slack_requests, f"show {demo_stars()[0]} lang=en")
    [answer] = slack.wait_for_calls("response")
    assert answer.body["response_type"] == "ephemeral" and "Try again" not in answer.body["text"]
    assert "this channel is archived" in answer.body["blocks"][2]["text"]["text"]


@pytest.mark.parametrize("error", ["token_revoked", "account_inactive"])
def test_a_revoked_installation_asks_for_a_reinstall_not_a_retry(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, error: str
) -> None:
    slack.fail("chat.postMessage", error)
    command(app, slack_requests, f"show {demo_stars()[0]} lang=en")
    [answer] = slack.wait_for_calls("response")
    assert "reinstall kolbot" in answer.body["text"] and "Try again" not in answer.body["text"]


def test_private_results_setting_keeps_the_card_private(
    slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    settings = slack_settings(slack, kolbot_results_in_channel=False)
    for app in make_app(settings):
        command(app, slack_requests, f"show {demo_stars()[0]} lang=en")
        [answer] = slack.wait_for_calls("response")
    assert answer.body["response_type"] == "ephemeral" and "KOLBOT_RESULTS_IN_CHANNEL" in json.dumps(
        answer.body
    )
    assert slack.calls_to("chat.postMessage") == []


def test_a_failed_chart_upload_is_explained_in_the_thread(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    slack.fail("files.getUploadURLExternal", "missing_scope")
    command(app, slack_requests, f"show {demo_stars()[0]} lang=en")
    card, note = slack.wait_for_calls("chat.postMessage", 2)
    assert "blocks" in card.body and note.body["thread_ts"] == CARD_TS
    assert "files:write" in note.body["text"]
    assert slack.calls_to("files.completeUploadExternal") == []


def test_show_by_the_nickname_on_a_results_card(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    """Marketers know creators by name: a nickname a search showed is enough, and costs nothing."""
    unknown = command(app, slack_requests, "show 没见过的达人 lang=en")
    assert "no search has shown a creator by that name yet" in unknown and "Search for them first" in unknown
    assert slack.calls_to("chat.postMessage") == []
    results = search_card(app, slack, slack_requests, "护肤 pages=1")
    first = re.search(r"\*1\. <[^|]+\|([^>]+)>", json.dumps(results, ensure_ascii=False))
    assert first is not None
    nickname = first[1]
    command(app, slack_requests, f"show {nickname}")
    charts_in_thread(slack)
    assert posted_card(slack)["blocks"][0]["text"]["text"] == nickname


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("show", "`show` needs a creator id.\nExample: `/kol show 6912345678901234567`"),
        ("show 6600105854648905817 6600850601133365322", "use `/kol compare`"),
        ("show ab!cd", "“ab!cd” is no creator id, and no search has shown a creator by that name yet."),
        ("show 6600105854648905817 sort=cpm", "Search options do not apply here: sort"),
    ],
)
def test_show_argument_errors_are_answered_at_once(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, text: str, expected: str
) -> None:
    assert expected in command(app, slack_requests, text)
    assert slack.calls_to("chat.postMessage") == [] and slack.responses() == []


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        (UNKNOWN_STAR_ID, f"Xingtu has no data for “{UNKNOWN_STAR_ID}”."),
        ("@nobody_here", "No Xingtu creator found for “@nobody_here”."),
    ],
)
def test_show_unknown_creator_says_so(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, identifier: str, expected: str
) -> None:
    command(app, slack_requests, f"show {identifier} lang=en")
    [answer] = slack.wait_for_calls("response")
    assert answer.body["response_type"] == "ephemeral" and expected in answer.body["text"]
    assert slack.calls_to("chat.postMessage") == []


# -- the Details button ----------------------------------------------------------------------------


def test_details_deep_dives_in_the_searchs_language_length_and_audience_targets(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    results = search_card(app, slack, slack_requests, "护肤 top=5 时长=1-20 受众性别=女>=60%")
    value = next(
        v
        for v in details_buttons(results)
        if not synth_detail.is_refused(synth_detail.AUDIENCE, DetailsValue.decode(v).star_id)
    )
    star_id, ref = DetailsValue.decode(value).star_id, DetailsValue.decode(value).search_ref
    assert ref and ref in json.dumps(results["blocks"])
    assert app.dispatch(slack_requests.block_action(button("kol_details", value), message=results).bolt())
    charts_in_thread(slack)
    text = card_text(posted_card(slack))
    assert star_id in text
    assert "受众匹配：达成" in text and "女性 ≥60%" in text
    assert "1-20秒（本次）" in text


def test_details_on_an_older_card_says_the_button_is_out_of_date(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    results = search_card(app, slack, slack_requests, "美妆 top=3 lang=en")
    star_id = DetailsValue.decode(details_buttons(results)[0]).star_id
    before = len(slack.calls_to("response"))
    app.dispatch(slack_requests.block_action(button("kol_details", star_id), message=results).bolt())
    answer = slack.wait_for_calls("response", before + 1)[-1]
    assert "This button is out of date." in answer.body["text"]
    assert slack.calls_to("chat.postMessage") == []


def test_details_without_targets_shows_no_audience_fit(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    results = search_card(app, slack, slack_requests, "美食 top=3 lang=en")
    value = details_buttons(results)[0]
    app.dispatch(slack_requests.block_action(button("kol_details", value), message=results).bolt())
    charts_in_thread(slack)
    text = card_text(posted_card(slack))
    assert "Audience fit" not in text and "*Profile*" in text


# -- /kol compare ----------------------------------------------------------------------------------


def test_compare_posts_one_side_by_side_card_and_the_bubble_chart(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    first, second, third = demo_stars()[:3]
    ack = command(
        app, slack_requests, f"compare {first} @{synth_detail.unique_id(second)} {third} duration=21-60"
    )
    assert "demo deep-dive" in ack
    complete, sizes = charts_in_thread(slack)
    assert sizes == [(800, 500)] and "CPM" in complete["files"][0]["title"]
    card = posted_card(slack)
    assert card["blocks"][0]["text"]["text"] == "Compare 3 creators · 21–60 s"
    text = card_text(card)
    assert ":trophy: best" in text and text.count("Strongest:") == 3 and text.count("Weakest:") == 3


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        (1, "Give at least 2 creators to compare."),
        (6, "At most 5 creators can be compared; you gave 6."),
        ("dup", "is listed twice"),
        ("option", "Search options do not apply here: followers"),
        ("duration", "Can't use `duration=2h`"),
    ],
)
def test_compare_argument_errors_are_answered_at_once(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, ids: Any, expected: str
) -> None:
    stars = demo_stars()
    args = {
        1: stars[0],
        6: " ".join(stars[:6]),
        "dup": f"{stars[0]} {stars[0]}",
        "option": f"{stars[0]} {stars[1]} followers>=10w",
        "duration": f"{stars[0]} {stars[1]} duration=2h",
    }[ids]
    ack = command(app, slack_requests, f"compare {args}")
    assert expected in ack and "/kol compare" in ack  # with how to use it
    assert slack.calls_to("chat.postMessage") == [] and slack.responses() == []


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (UNKNOWN_STAR_ID, f"No Xingtu creator found for “{UNKNOWN_STAR_ID}”."),
        ("handle", "are the same creator"),
    ],
)
def test_compare_unknown_or_repeated_creator_is_named(
    app: App, slack: FakeSlackApi, slack_requests: SlackRequests, second: str, expected: str
) -> None:
    star_id = demo_stars()[0]
    other = f"@{synth_detail.unique_id(star_id)}" if second == "handle" else second
    command(app, slack_requests, f"compare {star_id} {other}")
    [answer] = slack.wait_for_calls("response")
    assert answer.body["response_type"] == "ephemeral" and expected in answer.body["text"]
    assert slack.calls_to("chat.postMessage") == []


# -- Compare on a shortlist --------------------------------------------------------------------------


def shortlist_of(services: Services, star_ids: list[str], *, rejected: str | None = None) -> str:
    """A shortlist whose parent message is at PARENT_TS, holding `star_ids` (seen in a demo search)."""
    services.snapshots.save_many(
        [Creator(star_id=s, nickname=f"Creator {s[-4:]}") for s in star_ids], live=False, fetched_at=NOW
    )
    shortlist = services.shortlists.create(TEAM_ID, CHANNEL_ID, USER_ID, "Launch 上新", duration="1-20")
    services.shortlists.add(TEAM_ID, shortlist.short_id, USER_ID, star_ids)
    services.shortlists.set_parent_ts(TEAM_ID, shortlist.short_id, CHANNEL_ID, PARENT_TS)
    if rejected:
        services.shortlists.set_status(TEAM_ID, shortlist.short_id, USER_ID, rejected, "rejected")
    return shortlist.short_id


def test_compare_button_on_a_shortlist_compares_it_in_its_thread(
    app: App, services: Services, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    stars = demo_stars()[:4]
    short_id = shortlist_of(services, stars, rejected=stars[3])
    click = slack_requests.block_action(
        button("kol_compare_shortlist", ShortlistValue(short_id=short_id).encode(), text="对比")
    )
    assert app.dispatch(click.bolt()).status == 200
    [complete] = slack.wait_for_calls("files.completeUploadExternal")
    assert complete.body["thread_ts"] == PARENT_TS
    [call] = slack.calls_to("chat.postMessage")
    assert call.body["thread_ts"] == PARENT_TS
    assert (
        call.body["blocks"][0]["text"]["text"] == "达人对比（3 位）· 1-20秒"
    )  # the rejected one is left out
    assert stars[3] not in card_text(call.body)


def test_compare_button_on_a_too_short_shortlist_explains(
    app: App, services: Services, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    short_id = shortlist_of(services, demo_stars()[:1])
    app.dispatch(
        slack_requests.block_action(
            button("kol_compare_shortlist", ShortlistValue(short_id=short_id).encode(), text="Compare")
        ).bolt()
    )
    [answer] = slack.wait_for_calls("response")
    assert "Compare needs at least two creators on the shortlist" in answer.body["text"]
    assert slack.calls_to("chat.postMessage") == []


def test_compare_button_on_a_long_shortlist_compares_five_and_names_the_rest(
    app: App, services: Services, slack: FakeSlackApi, slack_requests: SlackRequests
) -> None:
    """It used to refuse a shortlist of more than five, which most are by the time a team compares."""
    stars = demo_stars()[:7]
    short_id = shortlist_of(services, stars)
    services.shortlists.set_status(TEAM_ID, short_id, USER_ID, stars[6], "approved")
    click = slack_requests.block_action(
        button("kol_compare_shortlist", ShortlistValue(short_id=short_id).encode(), text="Compare")
    )
    assert app.dispatch(click.bolt()).status == 200
    slack.wait_for_calls("files.completeUploadExternal")
    [call] = slack.calls_to("chat.postMessage")
    text = card_text(call.body)
    assert call.body["blocks"][0]["text"]["text"] == "Compare 5 creators · 1–20 s"
    assert f"/{stars[6]}/" in text and f"/{stars[5]}/" not in text  # approved beats proposed
    assert f"Not compared: Creator {stars[4][-4:]}, Creator {stars[5][-4:]}." in text
    # the best left out in place of the last chosen, at the shortlist's length
    assert f"compare {stars[6]} {' '.join(stars[:3])} {stars[4]} duration=1-20`" in text


# -- an id Xingtu rejects, and failures retrying won't fix (issue 11 §4) --------------------------


def test_show_on_a_rejected_id_says_check_the_id_not_try_again(
    live_app: App, slack: FakeSlackApi, slack_requests: SlackRequests, tikhub: FakeTikHub
) -> None:
    app, requests = live_app, slack_requests
    tikhub.inject(Fault.BAD_REQUEST, route=synth_detail.BASE_INFO, times=None)
    assert app.dispatch(requests.command("show 7000000000000000001 lang=en").bolt()).status == 200
    [answer] = slack.wait_for_calls("response")
    text = json.dumps(answer.body, ensure_ascii=False)
    assert "has no data" in text and "Check the id" in text
    assert "few minutes" not in text
    assert tikhub.calls == 1


@pytest.mark.parametrize(
    ("fault", "hint", "not_said"),
    [(Fault.NO_BALANCE, "top up", "few minutes"), (Fault.UNAUTHORIZED, "TIKHUB_API_KEY", "few minutes")],
)
def test_when_nothing_arrives_the_hint_fits_the_cause(
    live_app: App,
    slack: FakeSlackApi,
    slack_requests: SlackRequests,
    tikhub: FakeTikHub,
    fault,
    hint,
    not_said,
) -> None:
    app, requests = live_app, slack_requests
    tikhub.inject(fault, times=None)
    star_id = synth_detail.demo_star_ids()[0]
    assert app.dispatch(requests.command(f"show {star_id} lang=en").bolt()).status == 200
    [answer] = slack.wait_for_calls("response")
    text = json.dumps(answer.body, ensure_ascii=False)
    assert hint in text and not_said not in text
