"""Planner edge cases: unknown prices, every price unknown, budgets below the cheapest creator,
duplicate creators, fen vs yuan sources, quotes with and without rebate, estimated plays, goals,
the command grammar, exports, the chart and the plan store."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cards.actions import ResolveValue
from bot.cards.errors import error_text
from bot.cards.plan_views import plan_message, plan_summary, resolve_buttons
from bot.cards.validate import validate_message
from bot.db.engine import make_engine, session_factory
from bot.db.migrate import migrate
from bot.errors import KolbotError, QueryError
from bot.grammar import parse_query
from bot.i18n import Text, tr
from bot.models import (
    Creator,
    Duration,
    Goal,
    PageFetch,
    Price,
    Query,
    ScoredCreator,
    SearchResult,
    SearchStats,
)
from bot.planner import diagnose
from bot.planner.candidates import Source, build, from_search, from_shortlist
from bot.planner.chart import plan_figure, plan_png
from bot.planner.diagnose import SAVED_BUDGET_REASON
from bot.planner.export import plan_csv, plan_xlsx
from bot.planner.milp import Problem, SolverFailed, solve
from bot.planner.models import (
    BindingKind,
    Candidate,
    Plan,
    PlanRequest,
    PlanStatus,
    PriceBasis,
    Tier,
    TierBounds,
    TierRange,
)
from bot.planner.optimise import RESOLVE_STEPS, make_plan
from bot.planner.request import parse_mix, parse_plan, parse_share
from bot.planner.service import _star_ids
from bot.planner.store import PlanStore, SavedPlan
from bot.planner.wording import Money
from bot.settings import PriceUnit
from bot.shortlists.models import ItemStatus, Shortlist, ShortlistItem, ShortlistStatus, ShortlistSummary
from bot.sources.base import SearchRequest
from bot.sources.demo import DemoSource
from tests.planner_support import candidate

TIERS = TierBounds()
T0 = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)


def person(
    star_id: str, *, price: float | None = 10_000, plays: int | None = 100_000, **extra: object
) -> Creator:
    return Creator(
        star_id=star_id,
        nickname=f"达人{star_id}",
        followers=extra.pop("followers", 50_000),
        expected_plays=plays,
        prices={} if price is None else {2: Price(video_type=2, yuan=price)},
        **extra,
    )


def sources(*creators: Creator, quote: float | None = None, rebate: float | None = None) -> list[Source]:
    return [Source(c, True, T0, quote, rebate) for c in creators]


def pq(text: str) -> Query:
    return parse_query(text, default_pages=3, max_pages=10, default_top=10)


# -- costs -------------------------------------------------------------------------------------


def test_quote_net_of_rebate_beats_the_list_price() -> None:
    [rebated] = build(sources(person("a"), quote=20_000, rebate=15), Goal.AWARENESS, Duration.MEDIUM, TIERS)
    [plain] = build(sources(person("a"), quote=20_000), Goal.AWARENESS, Duration.MEDIUM, TIERS)
    [listed] = build(sources(person("a")), Goal.AWARENESS, Duration.MEDIUM, TIERS)
    assert (rebated.cost_yuan, rebated.basis, rebated.quote_yuan, rebated.rebate_pct) == (
        17_000,
        PriceBasis.QUOTE,
        20_000,
        15,
    )
    assert (plain.cost_yuan, plain.basis) == (20_000, PriceBasis.QUOTE)
    assert (listed.cost_yuan, listed.basis) == (10_000, PriceBasis.LIST)
    assert rebated.cpm_yuan == pytest.approx(170.0)  # 17,000 per 100,000 plays


def test_unknown_prices_are_left_out_and_listed_to_ask_for_a_quote() -> None:
    pool = build(
        sources(person("a"), person("b", price=None), person("c", price=0)),
        Goal.AWARENESS,
        Duration.MEDIUM,
        TIERS,
    )
    plan = make_plan(PlanRequest(budget_yuan=1_000_000), pool, TIERS)
    assert [c.star_id for c in plan.chosen] == ["a"]
    assert [c.star_id for c in plan.unpriced] == ["b", "c"]  # a zero price is unknown, not free


def test_priced_creators_without_expected_plays_are_named_on_the_card_not_dropped() -> None:
    """Nothing says what they would bring, so the plan leaves them out: the card says who and why."""
    pool = build(
        sources(person("a"), person("b", plays=None), person("c", plays=None)),
        Goal.AWARENESS,
        Duration.MEDIUM,
        TIERS,
    )
    plan = make_plan(PlanRequest(budget_yuan=1_000_000), pool, TIERS)
    assert [c.star_id for c in plan.chosen] == ["a"] and [c.star_id for c in plan.unvalued] == ["b", "c"]
    must = make_plan(PlanRequest(budget_yuan=1_000_000, must=("b",)), pool, TIERS)
    assert [c.star_id for c in must.unvalued] == ["c"]  # in the plan, so not listed as left out
    text = str(plan_message(SavedPlan(1, 1, "T", "C", None, "x", "U1", "zh", T0, plan), "zh").blocks)
    assert "*无从衡量*（有报价，但该视频时长下没有预期播放" in text
    assert "达人b、达人c" in text and "必选=" in text


def test_every_price_unknown_gives_an_empty_plan_and_the_quote_list() -> None:
    pool = build(
        sources(person("a", price=None), person("b", price=None)), Goal.AWARENESS, Duration.MEDIUM, TIERS
    )
    plan = make_plan(PlanRequest(budget_yuan=100_000), pool, TIERS)
    assert (plan.status, plan.binding, plan.picks, len(plan.unpriced)) == (PlanStatus.EMPTY, None, [], 2)
    saved = SavedPlan(1, 1, "T", "C", None, "x", "U1", "en", T0, plan)
    message = plan_message(saved, "en", source="x")
    assert validate_message(message.to_dict()) == []
    text = str(message.blocks)
    assert "No creator fits this budget." in text and "*Ask for a quote*" in text and "达人a" in text


def test_a_budget_below_the_cheapest_creator_names_it_and_offers_its_price() -> None:
    pool = [candidate("a", 8_000, 1), candidate("b", 5_000, 1, nickname="Cheap")]
    plan = make_plan(PlanRequest(budget_yuan=4_000), pool, TIERS)
    assert plan.status is PlanStatus.EMPTY and plan.binding is not None
    assert plan.binding.kind is BindingKind.BUDGET
    assert tr("en", plan.binding.what) == (
        "The budget ¥4,000 buys no creator: the cheapest 21–60 s video costs ¥5,000 (Cheap)."
    )
    assert (
        tr("zh", plan.binding.what)
        == "预算 ¥4,000 请不到任何达人：21-60秒视频最便宜的报价是 ¥5,000（Cheap）。"
    )
    saved = SavedPlan(7, 1, "T", "C", None, "x", "U", "en", T0, plan)
    # −20 % and +20 % of ¥4,000 buy nobody either: the one button is the cheapest price
    assert resolve_buttons(saved, "en") == [
        {"label": "Re-solve at ¥5,000", "value": ResolveValue(plan_id=7, budget_yuan=5000)}
    ]
    assert [b["label"] for b in resolve_buttons(saved, "zh")] == ["按 ¥5,000 重新规划"]
    near = make_plan(PlanRequest(budget_yuan=4_500), pool, TIERS)
    labels = [
        b["label"] for b in resolve_buttons(SavedPlan(8, 2, "T", "C", None, "x", "U", "zh", T0, near), "zh")
    ]
    assert labels == ["按 ¥5,000 重新规划"]  # instead of ±20 %, as the README says


def test_resolve_buttons_are_offered_only_where_the_budget_can_change_the_plan() -> None:
    """Each ±20 % button is solved for when the plan is made, and shown only if it changes the picks."""
    pool = [candidate("a", 10_000, 5), candidate("b", 10_000, 4), candidate("c", 30_000, 10)]

    def labels(budget: float, candidates: list[Candidate] = pool, **request: object) -> list[str]:
        plan = make_plan(PlanRequest(budget_yuan=budget, **request), candidates, TIERS, steps=RESOLVE_STEPS)
        saved = SavedPlan(1, 1, "T", "C", None, "x", "U", "en", T0, plan)
        return [b["label"] for b in resolve_buttons(saved, "en")]

    # ¥1,000,000 buys all three with ¥950,000 left: 20 % less or more gives the same plan
    assert labels(1_000_000) == []
    ample = make_plan(PlanRequest(budget_yuan=1_000_000), pool, TIERS, steps=RESOLVE_STEPS)
    card = plan_message(SavedPlan(1, 1, "T", "C", None, None, "U", "en", T0, ample), "en").to_dict()
    assert validate_message(card) == [] and not [b for b in card["blocks"] if b["type"] == "actions"]
    # ¥35,000 buys c (the best) alone; ¥28,000 buys a and b; ¥42,000 buys c and a
    assert labels(35_000) == ["Re-solve −20% (¥28,000)", "Re-solve +20% (¥42,000)"]
    # the cap (45 % of ¥60,000 = ¥27,000) keeps c out; +20 % lifts it to ¥32,400, which lets c in
    assert labels(60_000, max_share=0.45) == ["Re-solve +20% (¥72,000)"]
    assert labels(60_000, max_share=0.4) == []  # at +20 % the cap (¥28,800) still keeps c out
    # b fits the +20 % budget on its own, but not beside a: the plan stays {a}
    pair = [candidate("a", 20_500, 1_830_000), candidate("b", 19_500, 1_080_000)]
    assert labels(24_005, pair) == []
    # must=x with a 70 % cap: nothing at ¥28,588; at +20 % the cap (¥24,014) still keeps x out,
    # but x fits ¥34,306 once the cap is relaxed, as the nearest plan is: the planner solves it
    lone = [candidate("x", 31_000, 10)]
    assert labels(28_588, lone, must=("x",), max_share=0.7) == ["Re-solve +20% (¥34,306)"]


def test_a_budget_that_buys_nobody_under_its_cap_is_offered_the_budget_that_does() -> None:
    """¥4,500 at a 30 % cap is ¥15,000 of budget: a button at ¥4,500 would buy nobody again."""
    plan = make_plan(PlanRequest(budget_yuan=3_520, max_share=0.3), [candidate("a", 4_500, 1)], TIERS)
    saved = SavedPlan(1, 1, "T", "C", None, "x", "U", "en", T0, plan)
    assert [b["label"] for b in resolve_buttons(saved, "en")] == ["Re-solve at ¥15,000"]
    again = make_plan(PlanRequest(budget_yuan=15_000, max_share=0.3), [candidate("a", 4_500, 1)], TIERS)
    assert [c.star_id for c in again.chosen] == ["a"]


def test_no_resolve_button_goes_beyond_the_budgets_a_plan_takes() -> None:
    """¥10亿 is the largest plan: +20 % of it would be a button whose click is refused (and whose
    value could not be written); a creator costing more than that under the cap gets no button."""
    pool = [candidate("a", 500_000_000, 5), candidate("b", 400_000_000, 4), candidate("c", 300_000_000, 3)]
    plan = make_plan(PlanRequest(budget_yuan=1_000_000_000), pool, TIERS, steps=RESOLVE_STEPS)
    saved = SavedPlan(1, 1, "T", "C", None, "x", "U", "en", T0, plan)
    assert [b["label"] for b in resolve_buttons(saved, "en")] == ["Re-solve −20% (¥800,000,000)"]
    dear = make_plan(PlanRequest(budget_yuan=1_000, max_share=0.1), [candidate("a", 200_000_000, 1)], TIERS)
    assert resolve_buttons(SavedPlan(2, 2, "T", "C", None, "x", "U", "en", T0, dear), "en") == []
    assert (
        validate_message(
            plan_message(SavedPlan(2, 2, "T", "C", None, "x", "U", "en", T0, dear), "en").to_dict()
        )
        == []
    )


def test_a_plan_that_leaves_much_of_its_budget_says_why() -> None:
    """¥80,000 with mix=head:1: the head slot is taken, the rest is too dear or shares the pick's MCN;
    the card says so under its totals instead of leaving ¥30,000 bare."""
    pool = [
        candidate("h1", 40_000, 9, Tier.HEAD),
        candidate("h2", 30_000, 8, Tier.HEAD),
        candidate("m1", 10_000, 5, Tier.MID, mcn="M"),
        candidate("m2", 9_000, 4, Tier.MID, mcn="M"),
        candidate("m3", 60_000, 6, Tier.MID),
    ]
    mix = {Tier.HEAD: TierRange(low=1, high=1)}
    plan = make_plan(PlanRequest(budget_yuan=80_000, mix=mix, one_per_mcn=True), pool, TIERS)
    assert [c.star_id for c in plan.chosen] == ["h1", "m1"] and plan.left_yuan == 30_000
    saved = SavedPlan(1, 1, "T", "C", None, "x", "U", "en", T0, plan)
    card = plan_message(saved, "en").to_dict()
    assert validate_message(card) == []
    why = "¥30,000 is left: the mix takes no more head creators; 1 more costs more than that; "
    assert why + "1 more shares an MCN with a pick." in json.dumps(card, ensure_ascii=False)
    assert (
        "剩余 ¥3万：组合已不能再加头部达人；另有 1 位报价超过剩余预算；另有 1 位与已选达人同属一个 MCN。"
        in json.dumps(plan_message(saved, "zh").to_dict(), ensure_ascii=False)
    )
    spent = make_plan(PlanRequest(budget_yuan=52_000, mix=mix, one_per_mcn=True), pool, TIERS)
    assert spent.left_yuan == 2_000 and diagnose.unspent(spent) is None  # under a tenth: nothing to say


def test_a_saved_plan_with_the_older_budget_reason_still_reads_in_chinese() -> None:
    stored = Text(SAVED_BUDGET_REASON, budget=Money(4_000), name="Cheap", cost=Money(5_000))
    assert tr("zh", stored) == "预算 ¥4,000 低于最便宜的达人（Cheap，¥5,000）。"


def test_duplicate_creators_count_once() -> None:
    first, again = person("a", price=10_000), person("a", price=99_000)
    pool = build(sources(first, again, person("b")), Goal.AWARENESS, Duration.MEDIUM, TIERS)
    assert [c.star_id for c in pool] == ["a", "b"] and pool[0].cost_yuan == 10_000
    plan = make_plan(PlanRequest(budget_yuan=1_000_000), pool, TIERS)
    assert sorted(c.star_id for c in plan.chosen) == ["a", "b"]
    command = parse_plan("200k must=a,a,b exclude=c,c", pq)
    assert (command.must, command.exclude) == (("a", "b"), ("c",))


def test_fen_and_yuan_sources_give_the_same_yuan_costs() -> None:
    request = SearchRequest(keyword="护肤", page=1)
    yuan_page = DemoSource(PriceUnit.YUAN).search_page(request)
    fen_page = DemoSource(PriceUnit.FEN).search_page(request)

    def costs(page: PageFetch) -> dict[str, float | None]:
        pool = build(sources(*page.creators), Goal.AWARENESS, Duration.MEDIUM, TIERS)
        return {c.star_id: c.cost_yuan for c in pool}

    in_yuan, in_fen = costs(yuan_page), costs(fen_page)
    priced = [k for k, v in in_yuan.items() if v]
    assert priced
    for star_id in priced:  # raw fen are read as 1/100 of the same number in yuan
        assert in_fen[star_id] == pytest.approx(in_yuan[star_id] / 100, abs=0.01)


def test_quotes_apply_only_at_the_quoted_video_length() -> None:
    creator = Creator(
        star_id="a",
        nickname="A",
        prices={1: Price(video_type=1, yuan=6_000), 2: Price(video_type=2, yuan=9_000)},
    )
    shortlist = Shortlist(
        short_id="abc123",
        team_id="T",
        channel_id="C",
        name="S",
        owner_id="U",
        status=ShortlistStatus.OPEN,
        budget_yuan=None,
        duration=Duration.MEDIUM,
        parent_channel_id=None,
        parent_ts=None,
        created_at=T0,
        updated_at=T0,
    )
    item = ShortlistItem(
        star_id="a",
        creator=creator,
        added=creator,
        live=True,
        data_time=T0,
        status=ItemStatus.PROPOSED,
        note=None,
        quoted_price_yuan=8_000,
        rebate_pct=10,
        card_ts=None,
        added_by="U",
        added_at=T0,
        list_price_yuan=9_000,
        cpm_yuan=None,
        cpe_yuan=None,
        expected_plays=None,
        expected_engagements=None,
        price_delta_yuan=None,
        followers_delta=None,
    )
    rejected = item.model_copy(update={"star_id": "r", "status": ItemStatus.REJECTED})
    summary = ShortlistSummary(
        shortlist=shortlist,
        items=[item, rejected],
        creator_count=2,
        status_counts={},
        votes_up=0,
        votes_down=0,
        unknown_price_count=0,
        total_list_yuan=0,
        quoted_count=1,
        total_quoted_yuan=0,
        planned_yuan=0,
        remaining_budget_yuan=None,
        total_expected_plays=0,
        total_expected_engagements=0,
        blended_cpm_yuan=None,
        blended_cpe_yuan=None,
    )
    [same] = build(from_shortlist(summary, Duration.MEDIUM), Goal.AWARENESS, Duration.MEDIUM, TIERS)
    [other] = build(from_shortlist(summary, Duration.SHORT), Goal.AWARENESS, Duration.SHORT, TIERS)
    assert (same.cost_yuan, same.basis) == (7_200, PriceBasis.QUOTE)  # rejected creators are left out
    assert (other.cost_yuan, other.basis) == (6_000, PriceBasis.LIST)


# -- plays and goals ---------------------------------------------------------------------------


def test_missing_plays_are_estimated_from_price_and_cpm() -> None:
    creator = person("a", price=20_000, plays=None, upstream_cpm={Duration.MEDIUM: 40.0})
    [c] = build(sources(creator), Goal.AWARENESS, Duration.MEDIUM, TIERS)
    assert (c.expected_plays, c.plays_estimated, c.value) == (500_000, True, 500_000)


def test_goal_values_and_median_fallbacks() -> None:
    a = person("a", plays=100_000, interact_rate=0.05, completion_rate=0.4, convert_index=80)
    b = person("b", plays=200_000, interact_rate=0.02, completion_rate=None, convert_index=None)
    seeding = build(sources(a, b), Goal.SEEDING, Duration.MEDIUM, TIERS)
    assert seeding[0].value == pytest.approx(100_000 * 0.05 * 0.4) and not seeding[0].value_estimated
    assert seeding[1].value == pytest.approx(200_000 * 0.02 * 0.4) and seeding[1].value_estimated
    conversion = build(sources(a, b), Goal.CONVERSION, Duration.MEDIUM, TIERS)
    assert conversion[0].value == pytest.approx(80_000) and conversion[1].value == pytest.approx(160_000)
    assert conversion[1].value_estimated


def test_tiers_follow_the_configured_bounds() -> None:
    bounds = TierBounds(head_min=500_000, mid_min=50_000)
    assert [bounds.tier_of(f) for f in (500_000, 499_999, 50_000, 49_999, None)] == [
        Tier.HEAD,
        Tier.MID,
        Tier.MID,
        Tier.TAIL,
        Tier.TAIL,
    ]


def test_runner_up_is_the_best_feasible_swap_in_the_same_tier() -> None:
    pool = [
        candidate("a", 10, 100, Tier.MID),
        candidate("b", 10, 90, Tier.MID),
        candidate("c", 50, 95, Tier.MID),
    ]
    plan = make_plan(PlanRequest(budget_yuan=10), pool, TIERS)
    [pick] = plan.picks
    assert pick.candidate.star_id == "a" and pick.runner_up is not None and pick.runner_up.star_id == "b"


def test_picks_of_a_tier_do_not_all_name_the_same_runner_up() -> None:
    """Three mid picks used to list the one best outsider three times; each names its own now."""
    pool = [
        candidate("a", 10, 100, Tier.MID),
        candidate("b", 10, 99, Tier.MID),
        candidate("c", 10, 98, Tier.MID),
        candidate("x", 10, 50, Tier.MID),
        candidate("y", 10, 40, Tier.MID),
    ]
    plan = make_plan(PlanRequest(budget_yuan=30), pool, TIERS)
    runners = {p.candidate.star_id: p.runner_up.star_id if p.runner_up else None for p in plan.picks}
    assert runners == {"a": "x", "b": "y", "c": None}


def test_search_candidates_are_every_match_not_only_the_cards_top() -> None:
    people = [person(str(i)) for i in range(30)]
    result = SearchResult(
        query=Query(keywords=["x"], top=5),
        creators=[ScoredCreator(creator=c, score=None) for c in people],
        stats=SearchStats(live=False, data_time=T0),
    )
    assert len(from_search(result)) == 30 and not from_search(result)[0].live


# -- grammar -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["¥200000", "20万", "20萬", "200k", "budget=200,000", "预算=20w", "預算=20萬"]
)
def test_budget_spellings(text: str) -> None:
    assert parse_plan(text, pq).budget_yuan == 200_000


@pytest.mark.parametrize(
    ("text", "budget", "search"),
    [
        ("200,000 护肤", 200_000, "护肤"),  # a thousands comma, not "200, then the search 000 护肤"
        ("¥200,000元", 200_000, ""),
        ("1,500,000 shortlist=abc", 1_500_000, ""),
        ("200,000，护肤", 200_000, "护肤"),
        ("20万，护肤", 200_000, "护肤"),
        ("200,000元，护肤", 200_000, "护肤"),
        ("200,000 元，护肤", 200_000, "护肤"),
        ('20万 护肤 27" 显示器', 200_000, '护肤 27" 显示器'),  # a stray inch mark is part of the search
    ],
)
def test_a_budget_with_thousands_commas_is_one_amount(text: str, budget: int, search: str) -> None:
    command = parse_plan(text, pq)
    assert (command.budget_yuan, command.search_text) == (budget, search)


def test_options_and_search_are_told_apart() -> None:
    command = parse_plan("20万 护肤 followers>=10w goal=awareness duration=60+ one_per_mcn=是", pq)
    # goal and video length have lines of their own on the card: the search line is the search
    assert command.is_search and command.search_text == "护肤 followers>=10w"
    request = command.request(Duration.MEDIUM)
    assert (request.goal, request.duration, request.one_per_mcn) == (Goal.AWARENESS, Duration.LONG, True)
    shortlist = parse_plan("20万 shortlist=spring", pq)
    assert not shortlist.is_search and shortlist.shortlist == "spring"
    assert shortlist.request(Duration.SHORT).duration is Duration.SHORT  # the shortlist's own length


@pytest.mark.parametrize(
    "text", ['5万 shortlist="618 护肤"', "5万 shortlist=“618 护肤”", "5万 shortlist=「618 护肤」"]
)
def test_a_quoted_shortlist_name_is_one_name_not_a_search(text: str) -> None:
    command = parse_plan(text, pq)
    assert not command.is_search and command.shortlist == "618 护肤"


@pytest.mark.parametrize("text", ["20万 候选名单=双11护肤", "20万 名单=双11护肤", "20万 清单=双11护肤"])
def test_the_shortlist_option_goes_by_the_word_its_command_uses(text: str) -> None:
    """`候选名单=` was refused as "no filter called 候选名单": only 名单= worked."""
    command = parse_plan(text, pq)
    assert not command.is_search and command.shortlist == "双11护肤"


def test_a_comma_within_quotes_is_part_of_the_name() -> None:
    command = parse_plan('5万 shortlist="春季，mix=head:1"', pq)
    assert command.shortlist == "春季,mix=head:1" and command.mix == {}


def test_a_quoted_keyword_stays_one_keyword() -> None:
    command = parse_plan('20万 "skin care" followers>=10w', pq)
    assert command.is_search and command.search_text == '"skin care" followers>=10w'


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("护肤", "护肤"),
        ("20万 mix=head", "head"),
        ("20万 mix=head:3-1", "head:3-1"),
        ("20万 max_share=0", "0"),
        ("20万 max_share=150%", "150%"),
        ("20万 must=a exclude=a", "a"),
        ("20万 must=" + "x" * 65, "x" * 60),  # the token as shown: cut at 60
        ("20万 one_per_mcn=maybe", "maybe"),
        ("20万 followers>=10w", "followers>=10w"),  # as typed, not the field
        ("20万 粉丝10w+", "粉丝10w+"),
        ("20万 20万 护肤", "20万"),  # not a search for "20万 护肤"
        ("200000 20万 护肤", "20万"),
        ("护肤 20万", "护肤"),  # the budget goes first: not "two budgets"
        ("10万 ¥5000", "¥5000"),
        ("budget=20万 10万 护肤", "10万"),
        ("20万 mix=head:1,head:2", "head:2"),
        ("20万 护肤 sort=cpm", "sort=cpm"),  # a plan weighs every match: a card's order means nothing
        ("20万 护肤 top=5", "top=5"),
        ("20万 top=20", "top=20"),  # on a shortlist plan too
        ("20万 max_share=1", "1"),  # 1 % or 100 %?
    ],
)
def test_bad_arguments_name_the_bad_part(text: str, token: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_plan(text, pq)
    assert caught.value.token == token and "Usage:" in tr("en", caught.value.hint)


@pytest.mark.parametrize("text", ["20万 护肤，mix=head:1", "20万 护肤,mix=head:1", "20万 护肤、mix=head:1"])
def test_an_option_after_a_comma_is_an_option_not_part_of_the_keyword(text: str) -> None:
    command = parse_plan(text, pq)
    assert command.search_text == "护肤" and command.mix == {Tier.HEAD: TierRange(low=1, high=1)}


@pytest.mark.parametrize(
    ("text", "search", "must", "mix"),
    [
        ("20万 must=小红, 小明", "", ("小红", "小明"), {}),  # a list goes on after ", "
        ("20万 mix=head:1 ,mid:2", "", (), {Tier.HEAD: 1, Tier.MID: 2}),
        ("20万 护肤 mix =head:1", "护肤", (), {Tier.HEAD: 1}),
        ("20万，护肤", "护肤", (), {}),
        ("20万 护肤，，mix=head:1", "护肤", (), {Tier.HEAD: 1}),
        ("20万 护肤 must= 小红", "护肤", ("小红",), {}),
    ],
)
def test_lists_typed_loosely_stay_options_and_do_not_become_a_paid_search(
    text: str, search: str, must: tuple[str, ...], mix: dict[Tier, int]
) -> None:
    command = parse_plan(text, pq)
    assert (command.search_text, command.must) == (search, must)
    assert {tier: r.low for tier, r in command.mix.items()} == mix


def test_a_results_cards_own_order_and_size_are_left_out_of_its_plan_not_refused() -> None:
    command = parse_plan("budget=20万 护肤 sort=cpm top=5 followers>=10w", pq, of_card=True)
    assert command.search_text == "护肤 followers>=10w"


def test_a_bare_number_after_the_budget_is_a_keyword_not_a_second_budget() -> None:
    assert parse_plan("20万 618 护肤", pq).search_text == "618 护肤"
    assert parse_plan("budget=20万 618 护肤", pq).search_text == "618 护肤"


def test_a_must_name_two_candidates_share_is_refused_with_their_ids() -> None:
    twins = [person("7000000000000000002"), person("7000000000000000003")]
    same = [c.model_copy(update={"nickname": "小桃 🍑"}) for c in twins]
    with pytest.raises(KolbotError) as refused:
        _star_ids(["小桃"], sources(*same), "must", Text("on this shortlist"))
    text = tr("en", refused.value.what)
    assert "小桃 🍑 (7000000000000000002)" in text and "小桃 🍑 (7000000000000000003)" in text
    assert tr("en", refused.value.hint) == "Repeat the command with the id of the one you mean."


def test_traditional_tier_names() -> None:
    assert parse_mix("頭部:1,腰部:2") == {
        Tier.HEAD: TierRange(low=1, high=1),
        Tier.MID: TierRange(low=2, high=2),
    }


def test_mix_and_share_spellings() -> None:
    assert parse_mix("头部:1，腰部：2~4,tail=5+") == {
        Tier.HEAD: TierRange(low=1, high=1),
        Tier.MID: TierRange(low=2, high=4),
        Tier.TAIL: TierRange(low=5, high=None),
    }
    assert parse_share("40%") == parse_share("40") == parse_share("0.4") == 0.4


# -- outputs -----------------------------------------------------------------------------------


def _plan() -> Plan:
    pool = build(
        sources(
            person("a", followers=2_000_000),
            person("b", plays=None, upstream_cpm={Duration.MEDIUM: 50.0}),
            person("c", price=None),
        ),
        Goal.AWARENESS,
        Duration.MEDIUM,
        TIERS,
    )
    return make_plan(PlanRequest(budget_yuan=100_000), pool, TIERS)


def test_exports_carry_source_price_basis_and_time() -> None:
    plan = _plan()
    rows = list(csv.DictReader(io.StringIO(plan_csv(plan).decode("utf-8-sig"))))
    assert [r["In plan"] for r in rows] == ["yes", "yes", "no"]
    a = next(r for r in rows if r["Star ID"] == "a")
    assert (a["Tier"], a["Price basis"], a["Source"], a["Data time (UTC)"]) == (
        "Head",
        "list price",
        "live",
        "2030-06-01 09:00:00",
    )
    assert next(r for r in rows if r["Star ID"] == "b")["Plays basis"] == "estimated: price ÷ CPM"
    numbers = [r[k] for r in rows for k in ("Cost", "CPM", "CPE", "Expected plays", "Expected engagements")]
    assert all(len(n.partition(".")[2]) <= 2 for n in numbers if n)  # money in cents, counts whole
    assert next(r for r in rows if r["Star ID"] == "c")["Price basis"] == "ask for a quote"
    sheet = load_workbook(io.BytesIO(plan_xlsx(plan, "zh", title="规划 #1"))).active
    assert sheet.title == "规划 #1" and sheet["A1"].value == "入选" and sheet.max_row == 4


def test_the_xlsx_says_on_its_own_what_plan_it_is() -> None:
    """Budget, goal, constraints and totals on a second sheet: the file is read away from the card."""
    plan = _plan()
    saved = SavedPlan(3, 3, "T", "C", None, "护肤", "U", "zh", T0, plan)
    data = plan_xlsx(plan, "zh", title="规划 #3", summary=plan_summary(saved, "zh", source="护肤"))
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["规划 #3", "概要"]
    summary = {label: value for label, value in book["概要"].iter_rows(values_only=True)}
    assert (summary["预算"], summary["规划范围"], summary["视频时长"]) == (100_000, "护肤", "21-60秒")
    assert summary["花费"] == plan.spent_yuan and summary["达人数"] == len(plan.picks)
    assert summary["结果"] == "最优（满足全部条件）" and summary["限制条件"] == "无组合或其他限制"
    nobody = make_plan(
        PlanRequest(budget_yuan=100_000),
        build(sources(person("a", price=None)), Goal.AWARENESS, Duration.MEDIUM, TIERS),
        TIERS,
    )
    _title, rows = plan_summary(
        SavedPlan(4, 4, "T", "C", "s1", None, "U", "en", T0, nobody), "en", source="Spring"
    )
    assert ("Outcome", "No creator fits this budget.", None) in rows and (
        "Planned over",
        "Spring",
        None,
    ) in rows


def test_chart_is_a_png_of_the_expected_size() -> None:
    data = plan_png(_plan(), "zh")
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(data[16:20], "big") == 900


def test_chart_names_of_close_picks_do_not_overlap() -> None:
    """Five picks within 1 % of each other in cost and plays: each name finds a free spot beside its
    point (alternating above and below, the third name landed on the first)."""
    crowd = [person(f"{n}", price=5_000 + 20 * n, plays=80_000 + 500 * n) for n in range(5)]
    far = [person("far1", price=500, plays=2_000), person("far2", price=60_000, plays=3_000_000)]
    pool = build(sources(*crowd, *far), Goal.AWARENESS, Duration.MEDIUM, TIERS)
    plan = make_plan(PlanRequest(budget_yuan=100_000), pool, TIERS)
    fig = plan_figure(plan, "zh")
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg's
    fig.draw(renderer)
    boxes = [t.get_window_extent(renderer) for t in fig.axes[0].texts if t.get_text().startswith("达人")]
    assert len(boxes) == len(plan.picks) == 7
    assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b)]


def test_chart_names_stay_inside_the_chart_and_its_axis_names_the_video_length() -> None:
    """The dearest pick sits at the right edge: its long name goes to the left of it, not off the image."""
    picks = [
        person("a", price=1_000, plays=8_000),
        person("b", price=5_000, plays=100_000),
        person("long", price=90_000, plays=5_000_000).model_copy(
            update={"nickname": "一个名字很长很长的达人账号"}
        ),
    ]
    plan = make_plan(
        PlanRequest(budget_yuan=200_000),
        build(sources(*picks), Goal.AWARENESS, Duration.MEDIUM, TIERS),
        TIERS,
    )
    fig = plan_figure(plan, "en")
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg's
    fig.draw(renderer)
    ax = fig.axes[0]
    frame = ax.get_window_extent(renderer)
    names = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(names) == 3 and all(frame.x0 <= b.x0 and b.x1 <= frame.x1 for b in names)
    assert "21–60 s video" in ax.get_xlabel()


def test_store_numbers_plans_per_channel(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    migrate(url)
    store = PlanStore(session_factory(make_engine(url)))
    plan = _plan()
    one = store.save("T", "C1", "U", plan, lang="en", shortlist_id="abc123")
    two = store.save("T", "C1", "U", plan, lang="zh", search_text="护肤")
    other = store.save("T", "C2", "U", plan, lang="en", search_text="x")
    assert (one.number, two.number, other.number) == (1, 2, 1)
    assert [s.number for s in store.recent("T", "C1")] == [2, 1]
    assert [s.number for s in store.recent("T", "C1", shortlist_id="abc123")] == [1]
    again = store.by_number("T", "C1", 2)
    assert again is not None and again.plan == two.plan and again.lang == "zh"
    assert store.get("OTHER", one.id) is None and store.by_number("T", "C1", 3) is None


def test_a_solver_that_stops_short_is_a_clear_error_not_a_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    import scipy.optimize

    class Stopped:
        status, x, message = 1, None, "Time limit reached"

    monkeypatch.setattr(scipy.optimize, "milp", lambda **_kw: Stopped())
    with pytest.raises(SolverFailed) as caught:
        solve(Problem(values=[1.0], costs=[1.0], tiers=[0], budget=1.0))
    assert error_text(caught.value, "en").startswith("The optimiser could not finish this plan.")


def test_creators_that_add_nothing_are_not_picked_unless_the_mix_needs_them() -> None:
    pool = [
        candidate("a", 100, 0, Tier.MID),
        candidate("b", 100, 0, Tier.TAIL),
        candidate("c", 100, 50, Tier.TAIL),
    ]
    plan = make_plan(PlanRequest(budget_yuan=1_000, mix={Tier.MID: TierRange(low=1)}), pool, TIERS)
    assert sorted(c.star_id for c in plan.chosen) == ["a", "c"]  # a: the mix needs a mid; b adds nothing
    idle = make_plan(PlanRequest(budget_yuan=1_000), pool[:2], TIERS)
    assert idle.status is PlanStatus.EMPTY and idle.binding is None
    assert [(tr("en", n), tr("zh", n)) for n in idle.notes] == [
        (
            "No affordable creator has known expected plays, so none adds to the goal.",
            "预算内的达人都缺少预期播放量数据，无法提升目标。",
        )
    ]


def test_a_spaced_budget_unit_and_a_second_budget() -> None:
    assert parse_plan("20 万 护肤", parse_query).request(Duration.MEDIUM, Goal.SEEDING).budget_yuan == 200_000
    with pytest.raises(QueryError, match="Two budgets"):
        parse_plan("20万 budget=30万 护肤", parse_query)
    for silly in ("0.001", "99999999999999999999"):
        with pytest.raises(QueryError, match="outside what a plan can use"):
            parse_plan(f"{silly} 护肤", parse_query)


# -- estimated engagements and overpriced creators ----------------------------------------------


def test_a_pick_chosen_on_estimated_engagements_shows_them_as_estimated_never_zero() -> None:
    """A shortlist of creators without CPE or engagement rate: the plan picks on plays × the
    median rate of the others, and the card shows that figure, marked, and why."""
    known = [person(k, interact_rate=0.02, completion_rate=0.3) for k in "abc"]
    unknown = person("u", plays=900_000, completion_rate=0.3)  # no CPE, no engagement rate
    pool = build(sources(*known, unknown), Goal.SEEDING, Duration.MEDIUM, TIERS)
    u = next(c for c in pool if c.star_id == "u")
    assert u.engagements == pytest.approx(900_000 * 0.02) and u.engagements_estimated
    assert u.value == pytest.approx(u.engagements * 0.3) and u.value_estimated
    plan = make_plan(PlanRequest(budget_yuan=10_000, goal=Goal.SEEDING), pool, TIERS)
    assert [c.star_id for c in plan.chosen] == ["u"]
    assert plan.engagements == pytest.approx(18_000) and plan.engagements_estimated
    saved = SavedPlan(9, 1, "T", "C", "sl1", None, "U", "en", T0, plan)
    blocks = json.dumps(plan_message(saved, "en", source="spring").blocks, ensure_ascii=False)
    assert "*Expected engagements*\\n18K (some estimated)" in blocks
    assert "CPE ¥0.56 (est.)" in blocks
    assert "the median engagement rate of the candidates (2.00%)" in blocks
    zh = json.dumps(plan_message(saved, "zh", source="spring").blocks, ensure_ascii=False)
    assert "*预期互动*\\n1.8万（部分为估算）" in zh


def test_a_creator_priced_far_above_their_reach_is_left_out_and_named() -> None:
    fair = [person(str(i), price=10_000, plays=100_000 + i * 1_000) for i in range(5)]  # CPM about ¥100
    absurd = person("x", price=9_000, plays=8_000)  # CPM ¥1,125: over 5× the median
    pool = build(sources(*fair, absurd), Goal.AWARENESS, Duration.MEDIUM, TIERS)
    plan = make_plan(PlanRequest(budget_yuan=9_500), pool, TIERS)
    assert plan.overpriced == ["x"] and plan.chosen == []  # x alone fits the budget, but is left out
    saved = SavedPlan(9, 1, "T", "C", None, "护肤", "U", "en", T0, plan)
    text = json.dumps(plan_message(saved, "en", source="护肤").blocks, ensure_ascii=False)
    assert "*Left out, priced far above their reach* (CPM over 5× this plan's median of ¥98.52)" in text
    assert "达人x: ¥9,000 for 8K expected plays (CPM ¥1,125)" in text
    assert [b["label"] for b in resolve_buttons(saved, "en")] == ["Re-solve at ¥10,000"]
    forced = make_plan(PlanRequest(budget_yuan=9_500, must=("x",)), pool, TIERS)
    assert forced.overpriced == [] and [c.star_id for c in forced.chosen] == ["x"]


def test_the_outlier_factor_is_a_setting_and_0_leaves_nobody_out() -> None:
    """KOLBOT_PLAN_OUTLIER_FACTOR: a market where a fair CPM varies more can widen or drop the rule."""
    fair = [person(str(i), price=10_000, plays=100_000 + i * 1_000) for i in range(5)]  # CPM about ¥100
    absurd = person("x", price=9_000, plays=8_000)  # CPM ¥1,125: 11× the median
    pool = build(sources(*fair, absurd), Goal.AWARENESS, Duration.MEDIUM, TIERS)
    assert make_plan(PlanRequest(budget_yuan=9_500, outlier_factor=12), pool, TIERS).overpriced == []
    wide = make_plan(PlanRequest(budget_yuan=9_500, outlier_factor=10), pool, TIERS)
    assert wide.overpriced == ["x"]
    text = json.dumps(
        plan_message(SavedPlan(9, 1, "T", "C", None, "护肤", "U", "en", T0, wide), "en").blocks,
        ensure_ascii=False,
    )
    assert "CPM over 10× this plan's median" in text
    assert make_plan(PlanRequest(budget_yuan=9_500, outlier_factor=0), pool, TIERS).overpriced == []


def test_a_bad_search_filter_in_a_plan_shows_the_plan_usage_not_the_search_help() -> None:
    with pytest.raises(QueryError) as caught:
        parse_plan("15万 护肤 lang=fr", pq)
    assert caught.value.token == "lang=fr"
    assert tr("en", caught.value.hint).startswith("Usage: `/kol plan")


def test_a_plan_that_cannot_say_why_its_budget_is_left_says_nothing() -> None:
    """A creator the plan could still afford (a saved plan whose candidates changed, say): no reason
    fits, so no note rather than an empty or wrong one."""
    plan = make_plan(PlanRequest(budget_yuan=100_000), [candidate("a", 10_000, 5)], TIERS)
    grown = plan.model_copy(update={"candidates": [*plan.candidates, candidate("b", 5_000, 3)]})
    assert grown.left_yuan == 90_000 and diagnose.unspent(grown) is None


def test_a_long_star_id_is_text_in_the_plan_csv() -> None:
    """The CSV's ="…" keeps a 19-digit Star ID exact in Excel (a bare number keeps 15 digits)."""
    long_id = "6641076880623093594"
    plan = make_plan(
        PlanRequest(budget_yuan=100_000),
        build(sources(person(long_id)), Goal.AWARENESS, Duration.MEDIUM, TIERS),
        TIERS,
    )
    [row] = csv.DictReader(io.StringIO(plan_csv(plan).decode("utf-8-sig")))
    assert row["Star ID"] == f'="{long_id}"'
    sheet = load_workbook(io.BytesIO(plan_xlsx(plan, "en"))).active
    assert (sheet["B2"].value, sheet["B2"].number_format) == (long_id, "@")


def test_the_plan_xlsx_links_each_creator_to_xingtu() -> None:
    sheet = load_workbook(io.BytesIO(plan_xlsx(_plan(), "zh"))).active
    header = [c.value for c in sheet[1]]
    link = sheet.cell(row=2, column=header.index("星图链接") + 1)
    assert (link.value, link.style) == ("星图", "Hyperlink")
    assert link.hyperlink.target.startswith("https://www.xingtu.cn/ad/creator/author/douyin/")


def test_the_plan_xlsx_shows_whole_headers_and_wraps_long_text() -> None:
    """ "Expected engagements" was cut to 14 characters and a 57-character basis to 20; and the names
    scrolled out of view."""
    sheet = load_workbook(io.BytesIO(plan_xlsx(_plan(), "en"))).active
    col = {c.value: c.column_letter for c in sheet[1]}
    width = {name: sheet.column_dimensions[letter].width for name, letter in col.items()}
    assert width["Expected engagements"] >= len("Expected engagements") + 2  # and its filter arrow
    basis = [sheet[f"{col['Plays basis']}{r}"] for r in range(2, sheet.max_row + 1)]
    assert all(len(c.value or "") < width["Plays basis"] for c in basis)
    assert sheet.freeze_panes == "D2"  # the header, and In plan, Star ID and Creator
    tall = make_plan(
        PlanRequest(budget_yuan=100_000, goal=Goal.SEEDING),
        build(
            sources(person("a", interact_rate=None), person("b", interact_rate=0.05)),
            Goal.SEEDING,
            Duration.MEDIUM,
            TIERS,
        ),
        TIERS,
    )
    sheet = load_workbook(io.BytesIO(plan_xlsx(tall, "en"))).active
    col = {c.value: c.column_letter for c in sheet[1]}
    estimated = sheet[f"{col['Engagements basis']}2"]
    assert estimated.value == "estimated: plays × the candidates' median engagement rate"
    assert sheet.column_dimensions[col["Engagements basis"]].width > len(estimated.value)  # whole
    long_name = (
        _plan()
        .candidates[0]
        .model_copy(update={"nickname": "一个名字很长很长很长很长很长很长的达人账号名字"})
    )
    named = make_plan(PlanRequest(budget_yuan=100_000), [long_name], TIERS)
    sheet = load_workbook(io.BytesIO(plan_xlsx(named, "en"))).active
    assert sheet.column_dimensions["C"].width == 30 and sheet["C2"].alignment.wrap_text  # wraps in view


def test_the_export_gives_each_creator_left_out_the_reason_the_card_gives() -> None:
    """Reasons in English only until the catalog has their Chinese (new messages)."""
    pool = build(
        sources(
            *(person(f"p{n}") for n in range(5)),  # tail, CPM ¥100 each: the median
            person("dear", price=60_000, plays=10_000),  # CPM ¥6,000: over 5× the median
            person("noplays", plays=None),
            person("noprice", price=None),
            person("ex"),
            person("big", price=1_000, followers=2_000_000),  # head: the mix takes none
            person("mid", price=20_000, plays=150_000, followers=200_000),
        ),
        Goal.AWARENESS,
        Duration.MEDIUM,
        TIERS,
    )
    request = PlanRequest(budget_yuan=35_000, exclude=("ex",), mix={Tier.HEAD: TierRange(low=0, high=0)})
    plan = make_plan(request, pool, TIERS)
    rows = {r["Star ID"]: r for r in csv.DictReader(io.StringIO(plan_csv(plan).decode("utf-8-sig")))}
    assert [r["Reason"] for r in rows.values() if r["In plan"] == "yes"] == ["", "", ""]
    assert rows["dear"]["Reason"] == (
        "Left out: CPM ¥6,000 is over 5× this plan's median of ¥100; "
        "the price is likely stale or the reach has dropped."
    )
    assert rows["noplays"]["Reason"] == (
        "Left out: expected plays unknown at this video length, nothing to weigh it by."
    )
    assert rows["noplays"]["Objective value"] == ""  # unknown, not 0
    assert rows["noprice"]["Reason"] == "Left out: no quote and no list price; ask for a quote."
    assert rows["ex"]["Reason"] == "Left out: named in exclude=."
    tails = [rows[f"p{n}"]["Reason"] for n in range(5) if rows[f"p{n}"]["In plan"] == "no"]
    assert len(tails) == 2 and all(t.startswith("Not picked: runner-up to 达人p") for t in tails)
    assert rows["mid"]["Reason"] == "Not picked: costs ¥20,000, more than the ¥5,000 left."
    assert rows["big"]["Reason"] == (
        "Not picked: the picks give more expected plays within the budget and constraints."
    )


def test_a_pick_with_an_unknown_objective_value_says_so() -> None:
    pool = build(sources(person("a"), person("noplays", plays=None)), Goal.AWARENESS, Duration.MEDIUM, TIERS)
    plan = make_plan(PlanRequest(budget_yuan=30_000, must=("noplays",)), pool, TIERS)
    sheet = load_workbook(io.BytesIO(plan_xlsx(plan, "en"))).active
    col = {c.value: c.column - 1 for c in sheet[1]}
    [row] = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[col["Star ID"]] == "noplays"]
    assert row[col["In plan"]] == "yes" and row[col["Objective value"]] is None  # not 0
    assert (
        row[col["Reason"]] == "In the plan with expected plays unknown: named in must=, or the mix needs it."
    )


def test_the_chinese_plan_xlsx_shows_followers_in_wan() -> None:
    sheet = load_workbook(io.BytesIO(plan_xlsx(_plan(), "zh"))).active
    followers = sheet.cell(row=2, column=[c.value for c in sheet[1]].index("粉丝数") + 1)
    assert isinstance(followers.value, int) and '"万"' in followers.number_format


@pytest.mark.parametrize(
    ("typed", "mix"),
    [
        ("头部1个，腰部3到5个", {Tier.HEAD: (1, 1), Tier.MID: (3, 5)}),
        ("头部1-2个，腰部3-5个，尾部5个以上", {Tier.HEAD: (1, 2), Tier.MID: (3, 5), Tier.TAIL: (5, None)}),
        ("腰部三到五位", {Tier.MID: (3, 5)}),
        ("頭部一個", {Tier.HEAD: (1, 1)}),
        ("head:1-2,tail:5+", {Tier.HEAD: (1, 2), Tier.TAIL: (5, None)}),
    ],
)
def test_a_mix_is_read_as_people_say_it(typed: str, mix: dict[Tier, tuple[int, int | None]]) -> None:
    """`头部1个，腰部3到5个` was refused: only `头部:1,腰部:3-5` was read."""
    assert {tier: (r.low, r.high) for tier, r in parse_mix(typed).items()} == mix


@pytest.mark.parametrize("said", ["每个MCN一个", "每个mcn一位", "one_per_mcn"])
def test_one_per_mcn_said_alone_means_yes(said: str) -> None:
    """`20万 护肤 每个MCN一个` searched for "护肤 每个MCN一个" and applied no constraint."""
    command = parse_plan(f"20万 护肤 {said}", pq)
    assert command.one_per_mcn and command.search_text == "护肤"


@pytest.mark.parametrize("typed", ["20万 组合=头部1个 腰部3个", "20万 mix=head:1 mid:3"])
def test_mix_parts_separated_by_a_space_stay_in_the_mix(typed: str) -> None:
    """The second part became a paid search for "腰部3个" and the mix lost it."""
    command = parse_plan(typed, pq)
    assert not command.is_search and {t: (r.low, r.high) for t, r in command.mix.items()} == {
        Tier.HEAD: (1, 1),
        Tier.MID: (3, 3),
    }


@pytest.mark.parametrize(
    ("typed", "yes"), [("20万 护肤 每个MCN一个 是", True), ("20万 护肤 每个MCN一个 否", False)]
)
def test_a_yes_or_no_after_a_flag_said_alone_is_its_value(typed: str, yes: bool) -> None:
    command = parse_plan(typed, pq)
    assert command.one_per_mcn is yes and command.search_text == "护肤"


@pytest.mark.parametrize("typed", ["50 美元", "50 USD", "$50", "50 刀 护肤"])
def test_a_budget_in_dollars_points_to_the_tikhub_cap(typed: str) -> None:
    """`/kol 预算 50 美元` paid for a plan over a search for "美元"."""
    with pytest.raises(QueryError) as refused:
        parse_plan(typed, pq)
    assert "budget 50" in str(refused.value) and "接口预算 50" in tr("zh", refused.value.what)
