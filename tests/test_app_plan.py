"""The campaign planner through the real Bolt app: signed `/kol plan` commands, button clicks and
modal submissions in; the plan card, its chart and exports (fake Slack) out. Shortlist plans use
synthetic creators; search plans run the live TikHub client against the fake TikHub.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from openpyxl import load_workbook
from slack_bolt import App

from bot.cards.validate import validate_message
from bot.demo import synth_detail
from bot.models import Creator, Price
from bot.services import Services, build_services
from handlers.app import build_app
from tests.fakes.signing import CHANNEL_ID
from tests.fakes.slack_api import TEAM_ID, FakeSlackApi, JsonDict
from tests.fakes.slack_app import eventually, slack_values
from tests.fakes.tikhub_server import FakeTikHub, Fault
from tests.test_app_shortlists import T0, Channel, Team, flatten

HEAD, MID, TAIL, NOPRICE = (
    "7200000000000000001",
    "7200000000000000002",
    "7200000000000000003",
    "7200000000000000004",
)


def creator(star_id: str, name: str, *, price: float | None, plays: int, followers: int) -> Creator:
    return Creator(
        star_id=star_id,
        nickname=name,
        followers=followers,
        expected_plays=plays,
        interact_rate=0.05,
        completion_rate=0.3,
        prices={} if price is None else {2: Price(video_type=2, yuan=price)},
    )


CREATORS = [
    creator(HEAD, "Head 头部", price=380_000, plays=5_000_000, followers=3_000_000),
    creator(MID, "Mid 腰部", price=40_000, plays=400_000, followers=300_000),
    creator(TAIL, "Tail 尾部", price=5_000, plays=60_000, followers=50_000),
    creator(NOPRICE, "No price", price=None, plays=80_000, followers=60_000),
]


@pytest.fixture
def services(services: Services) -> Services:
    services.snapshots.save_many(CREATORS, live=True, fetched_at=T0)
    return services


@pytest.fixture
def team(app: App, slack: FakeSlackApi, services: Services) -> Team:
    return Team(app, slack, services, Channel(slack))


def spring(team: Team) -> str:
    """A shortlist with the four creators, Mid quoted ¥30,000 with 10 % rebate; returns its parent ts."""
    team.new_list("Spring launch budget=200k")
    team.command(f"shortlist add Spring {HEAD} {MID} {TAIL} {NOPRICE}")
    short_id = team.shortlist("Spring launch").short_id
    team.services.shortlists.set_quote(TEAM_ID, short_id, "U1", MID, 30_000, 10)
    return team.shortlist("Spring launch").parent_ts or ""


def ack_text(team: Team, text: str) -> str:
    """The ack of `/kol text` (plain text, or a message's text)."""
    response = team.app.dispatch(team.me.command(text).bolt())
    assert response.status == 200, response.body
    return flatten(json.loads(response.body)) if response.body.startswith("{") else response.body


def plan_cards(team: Team, thread_ts: str | None) -> list[JsonDict]:
    return [m for m in team.channel.thread(thread_ts) if "Plan #" in flatten(m.get("blocks", []))]


def card_buttons(card: JsonDict) -> dict[str, JsonDict]:
    return {e["text"]["text"]: e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]}


def test_shortlist_plan_is_posted_in_the_thread_with_quotes_net_of_rebate(team: Team) -> None:
    parent_ts = spring(team)
    assert ack_text(team, "plan 100k goal=awareness") == "Planning over the shortlist…"
    [card] = eventually(lambda: plan_cards(team, parent_ts))
    assert validate_message({"text": card["text"], "blocks": card["blocks"]}) == []
    text = flatten(card["blocks"])
    assert "Plan #1: ¥100,000 · awareness" in text
    assert "Over the shortlist *Spring launch* · 4 candidates, 3 priced" in text
    assert "*Maximised:* expected plays" in text
    assert "head ≥ 1M followers, mid 100K–1M, tail &lt; 100K" in text
    assert "Mid 腰部> — ¥27,000 (quote)" in text  # 30,000 less 10 % rebate
    assert (
        "Tail 尾部> — ¥5,000 (list)" in text and "Head 头部" not in text.split("*Spent*")[0].split("*Mid*")[0]
    )
    assert "*Spent*\n¥32,000 of ¥100,000" in text and "*Left*\n¥68,000" in text
    assert "*Ask for a quote* (no quote and no list price, left out): No price" in text
    # The chart and both exports follow in the same thread, in one upload.
    [complete] = team.slack.wait_for_calls("files.completeUploadExternal")
    assert complete.body["thread_ts"] == parent_ts
    titles = [f["title"] for f in complete.body["files"]]
    assert titles == ["Plan #1: cost vs expected plays", "Plan #1 (XLSX)", "Plan #1 (CSV)"]
    sent = {c.path: c.raw for c in team.slack.calls if c.path.startswith("/upload/")}
    raws = list(sent.values())
    assert raws[0][:8] == b"\x89PNG\r\n\x1a\n"
    rows = list(csv.DictReader(io.StringIO(raws[2].decode("utf-8-sig"))))
    mid = next(r for r in rows if r["Star ID"] == f'="{MID}"')  # a 19-digit id, kept as text in Excel
    assert (mid["In plan"], mid["Cost"], mid["Price basis"], mid["Rebate %"]) == (
        "yes",
        "27000",
        "quote, net of rebate",
        "10",
    )
    assert {"Source", "Data time (UTC)", "Plays basis", "Engagements basis"} <= set(rows[0])
    assert {r["Video length"] for r in rows} == {"21–60 s"}  # what every cost and CPM is for
    sheet = load_workbook(io.BytesIO(raws[1])).active
    assert sheet["A1"].value == "In plan" and sheet.max_row == 5
    saved = team.services.plans.show(TEAM_ID, CHANNEL_ID, "1")
    assert saved.shortlist_id == team.shortlist("Spring launch").short_id


def test_a_search_that_is_exactly_an_open_shortlists_name_plans_that_shortlist(team: Team) -> None:
    """`/kol 规划 20万 双11护肤` with a shortlist 双11护肤 open here paid for a search for its name."""
    parent_ts = spring(team)
    assert ack_text(team, "plan 100k spring LAUNCH") == "Planning over the shortlist…"
    [card] = eventually(lambda: plan_cards(team, parent_ts))
    assert "Over the shortlist *Spring launch*" in flatten(card["blocks"])
    assert ack_text(team, "plan 100k spring launch followers>=10w").startswith("Planning over the search")
    assert ack_text(team, 'plan 100k "Spring launch"') == "Planning over the shortlist…"  # quoted too


def test_infeasible_mix_names_the_binding_constraint_and_offers_the_nearest_plan(team: Team) -> None:
    parent_ts = spring(team)
    ack_text(team, "plan 200k mix=head:1,tail:1")
    [card] = eventually(lambda: plan_cards(team, parent_ts))
    text = flatten(card["blocks"])
    assert (
        "*Infeasible as asked.* mix needs ≥ 1 head creator; the cheapest costs ¥380,000 &gt; budget ¥200,000."
        in text
    )
    assert "Below is the nearest feasible plan (without the mix minimums)." in text
    assert "Tail 尾部" in text and "Mid 腰部" in text


def test_resolve_buttons_make_new_numbered_plans_at_the_new_budget(team: Team) -> None:
    parent_ts = spring(team)
    ack_text(team, "plan 30000")
    [card] = eventually(lambda: plan_cards(team, parent_ts))
    buttons = card_buttons(card)
    assert set(buttons) == {"Re-solve −20% (¥24,000)", "Re-solve +20% (¥36,000)"}
    team.click(buttons["Re-solve +20% (¥36,000)"])
    second = eventually(lambda: len(plan_cards(team, parent_ts)) == 2 and plan_cards(team, parent_ts)[1])
    assert "Plan #2: ¥36,000" in flatten(second["blocks"])
    listing = flatten(team.command("plan list"))
    assert "*#2*  ¥36,000" in listing and "*#1*  ¥30,000" in listing
    shown = flatten(team.command("plan show 1"))
    assert "Plan #1: ¥30,000" in shown
    assert "No plan 9 in this channel." in flatten(team.command("plan show 9"))
    assert "Plan #1: ¥30,000" in flatten(team.command("plan show ＃１"))  # full-width, as typed on a phone
    assert "Which plan? `plan show` needs its number." in flatten(team.command("plan show"))
    assert "“1 2” is not a plan number." in flatten(team.command("plan show 1 2"))
    assert "No plan 99999999999999999999 in this channel." in flatten(
        team.command("plan show 99999999999999999999")
    )
    assert "规划" in flatten(team.command("规划 查看"))  # the refusal in the language typed


def test_budget_below_the_cheapest_creator_says_so_and_offers_that_budget(team: Team) -> None:
    parent_ts = spring(team)
    ack_text(team, "plan 1000")
    [card] = eventually(lambda: plan_cards(team, parent_ts))
    text = flatten(card["blocks"])
    assert (
        "*Budget too small.* The budget ¥1,000 buys no creator: "
        "the cheapest 21–60 s video costs ¥5,000 (Tail 尾部)." in text
    )
    assert "No creator fits this budget." in text
    assert list(card_buttons(card)) == ["Re-solve at ¥5,000"]


def test_plan_budget_button_opens_the_form_and_its_submission_plans(team: Team) -> None:
    parent_ts = spring(team)
    parent = team.channel.messages[parent_ts]
    plan_button = card_buttons(parent)["Plan budget"]
    team.click(plan_button)
    view = team.opened_view()
    assert view["callback_id"] == "kol_plan_view"
    meta = view["private_metadata"]

    def field(value: str) -> dict[str, Any]:
        return {"value": {"type": "plain_text_input", "value": value}}

    bad = {"budget": field("lots"), "mix": field("head:x"), "max_share": field("140%")}
    errors = team.ack(team.me.view_submission("kol_plan_view", bad, private_metadata=meta))
    assert errors["response_action"] == "errors"
    assert set(errors["errors"]) == {"budget", "mix", "max_share"}
    assert "“lots” is not a budget" in errors["errors"]["budget"]
    values = {
        "budget": field("5万"),
        "mix": field("mid: 1, tail: 1"),
        "goal": {"choice": {"type": "static_select", "selected_option": {"value": "conversion"}}},
        "one_per_mcn": {"choice": {"type": "checkboxes", "selected_options": []}},
    }
    assert team.ack(team.me.view_submission("kol_plan_view", values, private_metadata=meta)) == {}
    [card] = eventually(lambda: plan_cards(team, parent_ts))
    text = flatten(card["blocks"])
    assert "Plan #1: ¥50,000 · conversion" in text and "mix mid 1, tail 1" in text


def test_bad_arguments_get_a_usage_hint_naming_the_bad_part(team: Team) -> None:
    assert "Usage: `/kol plan ¥200000" in ack_text(team, "plan")
    assert "A plan needs a budget." in ack_text(team, "plan mix=head:1")
    answer = ack_text(team, "plan lots")
    assert "“lots” is not a budget" in answer and "Usage: `/kol plan ¥200000" in answer
    assert "“big:2” is not a mix part" in ack_text(team, "plan 200k mix=big:2")
    assert "本频道没有可规划的进行中候选名单。" in flatten(team.command("plan 20万"))
    spring(team)
    assert "must= names creators that are not on this shortlist: 123." in flatten(
        team.command("plan 200k must=123")
    )


def test_must_and_exclude_take_the_names_on_the_cards(team: Team) -> None:
    """Cards show nicknames, not star ids: `must=Tail 尾部` is the creator the card calls that."""
    parent_ts = spring(team)
    ack_text(team, 'plan 100k goal=awareness must=tail尾部 exclude="Mid 腰部" lang=en')
    [card] = eventually(lambda: plan_cards(team, parent_ts))
    chosen = flatten(card["blocks"]).split("*Spent*")[0]
    assert "Tail 尾部> — ¥5,000 (list)" in chosen and "Mid 腰部>" not in chosen
    both = flatten(team.command(f"plan 100k must=tail尾部 exclude={TAIL} lang=en"))
    assert "Tail 尾部 is in both must and exclude." in both  # one creator, spelled two ways
    refused = flatten(team.command("plan 100k must=Nobody lang=en"))
    assert "must= names creators that are not on this shortlist: Nobody." in refused
    assert "by the nickname on their card or their id" in refused


# -- search plans, live client against the fake TikHub --------------------------------------------


@pytest.fixture
def tikhub() -> Iterator[FakeTikHub]:
    with FakeTikHub() as fake:
        for route in synth_detail.DETAIL_ROUTES + synth_detail.LOOKUP_ROUTES:
            fake.add_route(route, partial(synth_detail.detail_data, route))
        yield fake


@pytest.fixture
def live_team(slack: FakeSlackApi, tikhub: FakeTikHub) -> Iterator[Team]:
    settings = tikhub.settings(**slack_values(slack, tikhub_max_retries=0, kolbot_tikhub_qps=1000))
    services = build_services(settings)
    yield Team(build_app(settings, services=services), slack, services, Channel(slack))
    services.close()


def top_level_plans(team: Team) -> list[JsonDict]:
    return [
        m
        for m in team.channel.messages.values()
        if "thread_ts" not in m and "Plan #" in flatten(m.get("blocks", []))
    ]


def test_search_plan_runs_the_search_and_can_become_a_shortlist(live_team: Team, tikhub: FakeTikHub) -> None:
    team = live_team
    note = ack_text(team, "plan 200k 护肤 mix=mid:1-3 max_share=40% one_per_mcn=yes lang=en")
    assert note == "Planning over the search “护肤”…"
    [card] = eventually(lambda: top_level_plans(team))
    text = flatten(card["blocks"])
    assert "Over the search `护肤`" in text and "one per MCN" in text and "max share 40% (¥80,000)" in text
    assert "MCNs from Xingtu base info: " in text and " calls, $0." in text
    routes = [r.route for r in tikhub.requests]
    assert "search_kol_v1" in routes and "kol_base_info_v1" in routes  # MCNs looked up for one_per_mcn
    saved = team.services.plans.show(TEAM_ID, CHANNEL_ID, "1")
    mcns = [c.mcn for c in saved.plan.chosen if c.mcn]
    assert len(mcns) == len(set(mcns)) and 1 <= len(saved.plan.by_tier()[1][1]) <= 3
    assert all(c.cost_yuan is not None and c.cost_yuan <= 80_000 for c in saved.plan.chosen)

    add = card_buttons(card)["Add plan to shortlist"]
    team.click(add)
    view = team.opened_view()
    assert view["callback_id"] == "kol_plan_add_view"
    values = {"new_name": {"value": {"type": "plain_text_input", "value": "From plan"}}}
    assert (
        team.ack(
            team.me.view_submission("kol_plan_add_view", values, private_metadata=view["private_metadata"])
        )
        == {}
    )
    reply = eventually(lambda: "Added to *From plan*" in team.last_reply() and team.last_reply())
    assert all(c.nickname in reply for c in saved.plan.chosen)
    items = team.services.shortlists.summary(TEAM_ID, team.shortlist("From plan").short_id).items
    assert sorted(i.star_id for i in items) == sorted(c.star_id for c in saved.plan.chosen)

    calls = len(tikhub.requests)
    team.click(card_buttons(card)["Re-solve −20% (¥160,000)"])
    eventually(lambda: len(top_level_plans(team)) == 2)
    assert len(tikhub.requests) == calls  # a search plan re-solves over its saved candidates


def open_plan_form(team: Team, results: dict) -> dict:
    """Click a results card's **Plan budget** button; the form it opens."""
    plan_button = next(
        e
        for b in results["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e.get("action_id") == "kol_plan_open"
    )
    team.click(plan_button)
    return team.opened_view()


def test_results_card_has_a_plan_budget_button_that_plans_over_that_search(live_team: Team) -> None:
    team = live_team
    results = team.command("护肤 lang=en")
    view = open_plan_form(team, results)
    assert "护肤" in json.dumps(view, ensure_ascii=False)
    values = {"budget": {"value": {"type": "plain_text_input", "value": "100k"}}}
    assert (
        team.ack(team.me.view_submission("kol_plan_view", values, private_metadata=view["private_metadata"]))
        == {}
    )
    [card] = eventually(lambda: top_level_plans(team))
    assert "Plan #1: ¥100,000" in flatten(card["blocks"]) and "Over the search `护肤`" in flatten(
        card["blocks"]
    )


def test_the_plan_form_starts_from_the_searchs_goal_and_its_choices_win(live_team: Team) -> None:
    """The form presets the search's goal and video length; what the user picks there is planned,
    not the search's own goal= and duration= again."""
    team = live_team
    results = team.command("护肤 goal=conversion duration=1-20 sort=cpm lang=en")
    view = open_plan_form(team, results)
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    presets = {b["block_id"]: b["element"].get("initial_option", {}).get("value") for b in inputs}
    assert (presets["goal"], presets["duration"]) == ("conversion", "1-20")
    values = {
        "budget": {"value": {"type": "plain_text_input", "value": "100k"}},
        "goal": {"choice": {"type": "static_select", "selected_option": {"value": "awareness"}}},
        "duration": {"choice": {"type": "static_select", "selected_option": {"value": "60+"}}},
    }
    metadata = view["private_metadata"]
    assert team.ack(team.me.view_submission("kol_plan_view", values, private_metadata=metadata)) == {}
    [card] = eventually(lambda: top_level_plans(team))
    text = flatten(card["blocks"])
    assert "Plan #1: ¥100,000 · awareness" in text and "60 s+" in text and "sort=cpm" not in text


def test_a_plan_form_whose_search_has_expired_says_to_search_again(live_team: Team) -> None:
    team = live_team
    results = team.command("护肤 lang=en")
    view = open_plan_form(team, results)
    team.services.searches.prune(datetime.now(UTC) + timedelta(days=1))  # the search expires meanwhile
    values = {"budget": {"value": {"type": "plain_text_input", "value": "100k"}}}
    before = len(team.replies(team.me))
    team.ack(team.me.view_submission("kol_plan_view", values, private_metadata=view["private_metadata"]))
    reply = eventually(lambda: team.replies(team.me)[before:])
    assert "This search is unknown here" in flatten(reply) and "Run the search again with /kol" in flatten(
        reply
    )


def test_a_plan_over_a_search_with_a_page_that_failed_says_so(live_team: Team, tikhub: FakeTikHub) -> None:
    """It was posted and saved as a plan over the whole search, and its re-solves kept the half pool."""
    tikhub.inject(Fault.NO_BALANCE, page=2, times=None)
    ack_text(live_team, "plan 200k 护肤 pages=2 lang=en")
    [card] = eventually(lambda: top_level_plans(live_team))
    assert "Xingtu page(s) 2 could not be loaded" in flatten(card["blocks"])
