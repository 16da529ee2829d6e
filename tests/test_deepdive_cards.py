"""Deep-dive and comparison cards: golden renders in both languages, missing parts marked in place,
search-snapshot fallbacks, block budgets, and hostile strings. All data here is synthetic.

Refresh the golden files after an intended change with
`KOLBOT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_deepdive_cards.py` and review the diff.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.audience import parse_audience_targets
from bot.cards.actions import ShortlistValue
from bot.cards.deepdive_views import MAX_FLAGS, compare_message, deepdive_message
from bot.cards.render import SlackMessage
from bot.cards.shortlist_views import parent_message
from bot.cards.validate import validate_message
from bot.deepdive.compare import build_comparison
from bot.deepdive.flags import assess
from bot.deepdive.models import (
    BaseInfo,
    CostPerformance,
    DailyFans,
    DataOverview,
    DeepDive,
    Distribution,
    DistributionKind,
    FanPoint,
    IndexScore,
    Part,
    PartStatus,
    Portrait,
    RatedMetric,
    RiskFlag,
    ServicePrice,
    ServicePrices,
    Severity,
    XingtuIndex,
)
from bot.deepdive.routes import PartKey
from bot.i18n import Text
from bot.models import Creator, Duration, EcomProfile, RecentItem, XingtuFlags
from bot.shortlists.models import ItemStatus
from bot.shortlists.summary import summarize
from tests.test_cards import NOW, assert_golden, make_creator, section_texts
from tests.test_cards_hostile import _OWN_URL, HOSTILE, LONG, assert_inert, hostile_creator, structure
from tests.test_shortlist_cards import creator, item, shortlist

TODAY = date(2025, 11, 20)
FETCHED = NOW - timedelta(minutes=12)
TARGETS = parse_audience_targets(["audience_gender=female>=60%", "audience_age=18-30"])


# -- synthetic deep-dives -------------------------------------------------------------------------


def ok(key: PartKey, data: Any) -> Part:
    return Part[type(data)](key=key, status=PartStatus.OK, data=data, fetched_at=FETCHED)


def missing(key: PartKey, status: PartStatus, reason: str) -> Part:
    return Part(key=key, status=status, reason=reason)


def portrait(text: str = "", female: float = 6_500) -> Portrait:
    def dist(kind: DistributionKind, counts: dict[str, float]) -> Distribution:
        return Distribution(kind=kind, counts=counts)

    return Portrait(
        distributions={
            DistributionKind.GENDER: dist(
                DistributionKind.GENDER, {"female": female, "male": 10_000 - female}
            ),
            DistributionKind.AGE: dist(
                DistributionKind.AGE, {"24-30": 3_100, "18-23": 3_000, "31-40": 2_400}
            ),
            DistributionKind.CITY_TIER: dist(
                DistributionKind.CITY_TIER, {"二线": 30, "一线": 20, "新一线": 25}
            ),
            DistributionKind.PROVINCE: dist(
                DistributionKind.PROVINCE, {"广东": 30, "浙江": 20, text or "江苏": 10}
            ),
            DistributionKind.DEVICE: dist(DistributionKind.DEVICE, {"iPhone": 40, "华为": 35}),
        }
    )


def series(start: int = 200_000, spike_day: int = 40) -> DailyFans:
    first = TODAY - timedelta(days=90)
    points, followers = [], start
    for day in range(90):
        followers += 300 + (day % 3) * 20 + (25_000 if day == spike_day else 0)
        points.append(FanPoint(day=first + timedelta(days=day), followers=followers))
    return DailyFans(points=points)


def quotes(text: str = "") -> ServicePrices:
    return ServicePrices(
        quotes=[
            ServicePrice(
                video_type=1,
                yuan=15_000,
                desc="1-20s视频",
                start_time=datetime(2025, 6, 1, tzinfo=UTC),
                end_time=datetime(2038, 1, 1, tzinfo=UTC),
            ),
            ServicePrice(
                video_type=2,
                yuan=30_000,
                last_month_yuan=24_000,
                desc=text or "21-60s视频",
                start_time=datetime(2025, 9, 1, tzinfo=UTC),
                end_time=datetime(2025, 11, 30, tzinfo=UTC),
            ),
            ServicePrice(
                video_type=92, yuan=40, floor_yuan=10_000, ceiling_yuan=80_000, desc="按自然播放量结算"
            ),
        ],
        industry_tags=[text or "美妆"],
    )


def make_dive(i: int = 1, text: str = "", *, live: bool = True, **parts: Part) -> DeepDive:
    star_id = f"7{i:018d}"
    nickname = f"{text} {i}" if text else f"Sample Creator {i} 样例达人"
    defaults = {
        "base": ok(
            PartKey.BASE,
            BaseInfo(
                star_id=star_id,
                nickname=nickname,
                followers=1_000_000 + i * 150_000,
                gender=2,
                province=text or "广东",
                city="深圳",
                unique_id=f"sample_{i}",
                core_user_id=f"91{i:010d}",
                mcn_name=text or "Sample MCN 样例机构",
                verification=text or "美妆博主",
                e_commerce_enabled=True,
                tags={text or "美妆": [text or "护肤保养"]},
                created_at=datetime(2019, 3, 1, tzinfo=UTC),
            ),
        ),
        "prices": ok(PartKey.PRICES, quotes(text)),
        "audience": ok(PartKey.AUDIENCE, portrait(text, female=6_500 - i * 500)),
        "fans": ok(PartKey.FANS, portrait(text, female=7_000)),
        "daily_fans": ok(PartKey.DAILY_FANS, series()),
        "cp": ok(
            PartKey.CP,
            CostPerformance(
                cpm={Duration.SHORT: 20.0 + i, Duration.MEDIUM: 35.5 + 4 * i, Duration.LONG: 52.0},
                cpe={Duration.SHORT: 0.8, Duration.MEDIUM: 1.25 + i / 10},
                expected_plays=850_000,
            ),
        ),
        "overview": ok(
            PartKey.OVERVIEW,
            DataOverview(
                median_plays=640_000 - i * 40_000,
                avg_likes=12_300,
                avg_comments=410,
                avg_shares=150,
                items=18,
                interact_rate=RatedMetric(value=0.031 - i / 1000, beats_pct=72, industry=text or "美妆"),
                completion_rate=RatedMetric(value=0.12, beats_pct=40, industry=text or "美妆"),
                cpm={Duration.MEDIUM: 41.0 + i},
                cpe={Duration.MEDIUM: 1.5},
            ),
        ),
        "index": ok(
            PartKey.INDEX,
            XingtuIndex(
                scores=[
                    IndexScore(key="link_star_index", value=70.5 - i, avg_value=55.0, rank_pct=81),
                    IndexScore(key="link_shopping_index", value=64.2, avg_value=50.1, rank_pct=70),
                ]
            ),
        ),
    }
    dive = DeepDive(
        star_id=star_id,
        **(defaults | parts),
        calls=8,
        upstream_calls=8,
        cost_usd=0.16,
        live=live,
        fetched_at=FETCHED,
    )
    dive.flags = assess(dive, today=TODAY)
    return dive


def partial_dive() -> DeepDive:
    return make_dive(
        audience=missing(PartKey.AUDIENCE, PartStatus.UNAVAILABLE, "refused"),
        cp=missing(PartKey.CP, PartStatus.FAILED, "gateway"),
        index=missing(PartKey.INDEX, PartStatus.UNAVAILABLE, "empty"),
    )


def card(dive: DeepDive, lang: str = "en", **options: Any) -> SlackMessage:
    return deepdive_message(dive, lang, now=NOW, **options)


def section(message: SlackMessage, title: str) -> dict[str, Any]:
    return next(b for b in message.blocks if b["type"] == "section" and b["text"]["text"].startswith(title))


def field_texts(block: dict[str, Any]) -> list[str]:
    return [f["text"] for f in block.get("fields", [])]


def without_sections(blocks: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    return [b for b in blocks if b != ("section",)]


# -- golden renders ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_deepdive_golden(lang) -> None:
    message = card(make_dive(), lang, creator=make_creator(1), targets=TARGETS)
    assert_golden(f"deepdive_{lang}", message)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_compare_golden(lang) -> None:
    comparison = build_comparison(
        [make_dive(i) for i in (1, 2, 3)], Duration.MEDIUM, targets=TARGETS, today=TODAY
    )
    assert_golden(f"compare_{lang}", compare_message(comparison, lang, live=True, targets=TARGETS))


# -- what the deep-dive card shows ------------------------------------------------------------------


def test_missing_parts_are_marked_in_place_and_the_rest_still_shows() -> None:
    full, partial = card(make_dive()), card(partial_dive())
    assert structure(partial) == structure(full)  # no section disappears
    audience = section(partial, "*Audience portrait*")["text"]["text"]
    assert ":warning: audience data unavailable: Xingtu declined to share it" in audience
    costs = section(partial, "*Cost per length*")
    assert "cost performance failed: TikHub unavailable" in costs["text"]["text"]
    assert "CPM ¥42.00 / 1k plays" in field_texts(costs)[1]  # the data overview stands in
    assert (
        "Xingtu indices unavailable: no data returned" in section(partial, "*Xingtu indices*")["text"]["text"]
    )
    assert "Gender: female 70%" in section(partial, "*Follower portrait*")["text"]["text"]


def test_zh_card_marks_missing_parts_in_chinese() -> None:
    audience = section(card(partial_dive(), "zh"), "*观众画像*")["text"]["text"]
    assert "观众画像暂不可用：星图未提供" in audience


def test_every_length_has_price_cpm_and_cpe_and_the_asked_length_is_marked() -> None:
    costs = field_texts(section(card(make_dive(), duration=Duration.SHORT), "*Cost per length*"))
    assert costs[0].startswith("*1–20 s (asked for)*")
    assert "Price ¥15,000" in costs[0] and "CPM ¥21.00 / 1k plays" in costs[0] and "CPE ¥0.80" in costs[0]
    assert "Price ¥30,000" in costs[1] and "CPM ¥39.50" in costs[1] and "CPE ¥1.35" in costs[1]
    assert "Price —" in costs[2] and "CPE —" in costs[2]  # unknown is a dash, never zero
    assert costs[3] == "*Expected plays per video*\n850K"


def test_costs_say_they_are_xingtus_detail_estimates_not_the_results_cards() -> None:
    """The results card's CPE (search data) and Details' (Xingtu's detail estimate) can differ for the
    same creator and length: the section says which is which, and marks a search figure standing in."""
    dive = make_dive(cp=missing(PartKey.CP, PartStatus.FAILED, "timeout"))  # the overview has 21-60 s only
    costs = section(card(dive, creator=make_creator(1)), "*Cost per length*")
    note = "CPM and CPE here are Xingtu's detail estimates; the results card's come from search data"
    assert note + " and can differ." in costs["text"]["text"]
    short, medium = field_texts(costs)[:2]
    assert "CPM ¥42.00 / 1k plays\n" in medium and "from search results" not in medium
    assert "CPE ¥0.92 / engagement · from search results" in short


def test_indices_that_did_not_arrive_come_from_the_search_snapshot() -> None:
    indices = section(card(partial_dive(), creator=make_creator(1)), "*Xingtu indices*")
    assert "Xingtu indices unavailable: no data returned" in indices["text"]["text"]
    assert "Showing the indices from search results instead." in indices["text"]["text"]
    assert field_texts(indices)[:2] == [
        "*Xingtu index*\n71.8",
        "*Spread index*\n74.9",
    ]  # as on the results card
    assert "fields" not in section(card(partial_dive()), "*Xingtu indices*")


def test_price_list_has_labels_windows_and_changes() -> None:
    prices = section(card(make_dive()), "*Price list*")["text"]["text"]
    assert "1–20 s video: ¥15,000 · valid from 2025-06-01, no end date" in prices
    assert (
        "21–60 s video: ¥30,000 · last month ¥24,000 (+25%) · valid 2025-09-01 → 2025-11-30"
        "  ← the length you asked for"
    ) in prices
    assert "total budget ¥10,000–¥80,000" in prices
    zh = section(card(make_dive(), "zh"), "*报价*")["text"]["text"]
    assert "21-60秒视频：¥3万 · 上月 ¥2.4万（+25%） · 有效期 2025-09-01 至 2025-11-30  ← 本次时长" in zh


def test_search_snapshot_fills_in_prices_costs_and_videos() -> None:
    dive = make_dive(
        prices=missing(PartKey.PRICES, PartStatus.UNAVAILABLE, "refused"),
        cp=missing(PartKey.CP, PartStatus.FAILED, "timeout"),
        overview=missing(PartKey.OVERVIEW, PartStatus.FAILED, "timeout"),
    )
    message = card(dive, creator=make_creator(1))
    prices = section(message, "*Price list*")["text"]["text"]
    assert "price list unavailable: Xingtu declined to share it" in prices
    assert "Showing the quotes from search results instead." in prices and "¥27,500" in prices
    costs = section(message, "*Cost per length*")
    medium = field_texts(costs)[1]
    assert "Price ¥27,500" in medium and "CPE ¥1.91 / engagement · from search results" in medium
    assert "detail estimates" not in costs["text"]["text"]  # every figure here is the search's
    videos = section(message, "*Latest videos*")["text"]["text"]
    assert "Sample video 1 护肤分享" in videos and "120K plays" in videos
    alone = section(card(dive), "*Latest videos*")["text"]["text"]
    assert "No recent videos" in alone


def test_trend_sparkline_change_and_flagged_day() -> None:
    dive = make_dive()
    trend = section(card(dive), "*Follower trend*")["text"]["text"]
    spike = (TODAY - timedelta(days=90) + timedelta(days=40)).isoformat()
    assert trend.splitlines()[1].startswith("`▁") and trend.splitlines()[1].endswith("█`")
    assert "90-day change (2025-08-22 → 2025-11-19): +53,500 (+26.7%)" in trend
    assert f"Flagged days: {spike}" in trend
    flags = section(card(dive), "*Risk flags*")["text"]["text"]
    assert f"Follower spike: +25,320 ({spike}); a typical day is +320" in flags


def test_audience_fit_only_with_targets() -> None:
    dive = make_dive()
    audience = section(card(dive, targets=TARGETS), "*Audience portrait*")["text"]["text"]
    assert "Audience fit" in audience and "female ≥60%: 60%" in audience
    assert "Audience fit" not in json.dumps(card(dive).blocks)
    fans_only = make_dive(audience=missing(PartKey.AUDIENCE, PartStatus.UNAVAILABLE, "refused"))
    text = section(card(fans_only, targets=TARGETS), "*Audience portrait*")["text"]["text"]
    assert "from the follower portrait" in text and "female ≥60%: 70%" in text


def test_profile_indices_and_overview() -> None:
    message = card(make_dive())
    profile = field_texts(section(message, "*Profile*"))
    assert "*MCN*\nSample MCN 样例机构" in profile and "*Verification*\n美妆博主" in profile
    assert "*Tags*\n护肤保养, 美妆" in profile
    assert "*标签*\n护肤保养、美妆" in field_texts(section(card(make_dive(), "zh"), "*基本信息*"))
    indices = field_texts(section(message, "*Xingtu indices*"))
    assert indices[0] == "*Xingtu index*\n69.5 · peers 55.0 · beats 81%"
    overview = field_texts(section(message, "*Content, last 30 days*"))
    assert "*Engagement rate*\n3.00% · beats 72% of 美妆 creators" in overview


def test_ecommerce_ranges_with_units_next_to_the_level() -> None:
    en = field_texts(section(card(make_dive(), creator=make_creator(1)), "*E-commerce*"))
    assert en == [
        "*Level*\nL3 · shop window on",
        "*E-commerce score*\n92",
        "*GMV (30 d, ¥)*\n1K-30K",
        "*Avg order value (30 d, ¥)*\n50-200",
        "*GPM (30 d, ¥ per 1,000 plays)*\n≤80",
        "*Product-video CTR (30 d)*\n4%-6%",
        "*Product videos (30 d)*\n3",
    ]
    zh = field_texts(section(card(make_dive(), "zh", creator=make_creator(1)), "*带货*"))
    assert zh[:3] == ["*带货等级*\nL3 · 已开通橱窗", "*带货评分*\n92", "*GMV（30天，元）*\n1k-3万"]
    assert "*GPM（30天，元/千次播放）*\n≤80" in zh


def test_ecommerce_buckets_read_in_each_language() -> None:
    ecom = EcomProfile(level="L5", gmv_30d_range=">100w", video_ctr_30d_range="2%以下", product_videos_30d=0)
    creator = make_creator(1, ecom=ecom)
    en = field_texts(section(card(make_dive(), creator=creator), "*E-commerce*"))
    assert en == [
        "*Level*\nL5 · shop window on",
        "*GMV (30 d, ¥)*\n&gt;1M",
        "*Product-video CTR (30 d)*\n≤2%",
        "*Product videos (30 d)*\n0",  # none is a figure; unknown ones are left out
    ]
    zh = field_texts(section(card(make_dive(), "zh", creator=creator), "*带货*"))
    assert "*GMV（30天，元）*\n&gt;100万" in zh and "*商品视频点击率（30天）*\n2%以下" in zh


def test_ecommerce_says_why_figures_are_missing() -> None:
    no_figures = section(card(make_dive(), creator=make_creator(1, ecom=EcomProfile())), "*E-commerce*")
    assert "No e-commerce figures in the search data." in no_figures["text"]["text"]
    assert field_texts(no_figures) == ["*Level*\nshop window on"]  # the profile knows the shop window
    never_searched = section(card(make_dive(), "zh"), "*带货*")
    assert "带货数据来自搜索结果，该达人尚未出现在搜索结果中。" in never_searched["text"]["text"]
    no_base = make_dive(base=missing(PartKey.BASE, PartStatus.FAILED, "timeout"))
    assert field_texts(section(card(no_base), "*E-commerce*")) == ["*Level*\n—"]


def test_xingtu_labels_in_plain_words_only_when_known() -> None:
    def labels(creator: Creator | None, lang: str = "en") -> list[str]:
        profile = field_texts(section(card(make_dive(), lang, creator=creator), ("*Profile*", "*基本信息*")))
        return [f for f in profile if f.startswith(("*Xingtu labels*", "*星图标签*"))]

    true_ones = "rising creator (“black horse”), takes co-creation tasks, Xingtu excellent creator"
    assert labels(make_creator(1)) == [f"*Xingtu labels*\n{true_ones}"]  # short_drama=False not listed
    assert labels(make_creator(1), "zh") == ["*星图标签*\n黑马达人、接受共创任务、星图优秀达人"]
    all_false = make_creator(1, flags=XingtuFlags(black_horse=False, short_drama=False))
    assert labels(all_false) == ["*Xingtu labels*\nnone"] and labels(all_false, "zh") == ["*星图标签*\n无"]
    assert labels(make_creator(1, flags=XingtuFlags())) == [] and labels(None) == []


def test_ad_platform_licences_have_labels_in_both_languages() -> None:
    licences = ServicePrices(
        quotes=[
            ServicePrice(video_type=103, yuan=100, desc="单视频推送广告平台"),
            ServicePrice(video_type=104, yuan=150, desc="多视频推送广告平台"),
            ServicePrice(video_type=105, yuan=200),
        ]
    )
    dive = make_dive(prices=ok(PartKey.PRICES, licences))
    en = section(card(dive), "*Price list*")["text"]["text"]
    assert "Ad-platform licence, single video: ¥100" in en
    assert "Ad-platform licence, multiple videos: ¥150" in en and "Video type" not in en
    zh = section(card(dive, "zh"), "*报价*")["text"]["text"]
    assert "单视频推送广告平台：¥100" in zh and "广告平台下载授权：¥200" in zh


def test_flags_and_card_quote_the_same_china_dates() -> None:
    late_utc = timedelta(hours=16, minutes=30)  # 00:30 the next day in Beijing
    start = datetime(2025, 5, 1, tzinfo=UTC) + late_utc
    end = datetime(2025, 11, 26, tzinfo=UTC) + late_utc
    old_quote = ServicePrice(video_type=2, yuan=30_000, desc="21-60s视频", start_time=start, end_time=end)
    dive = make_dive(prices=ok(PartKey.PRICES, ServicePrices(quotes=[old_quote])))
    items = [RecentItem(item_id=str(k), views=1_000 + k, likes=30) for k in range(5)]
    items.append(
        RecentItem(item_id="9", views=900_000, likes=30, published_at=datetime(2025, 11, 9) + late_utc)
    )
    creator = make_creator(1, recent_items=items)
    dive.flags = assess(dive, creator=creator, today=TODAY)
    message = card(dive, creator=creator)
    prices = section(message, "*Price list*")["text"]["text"]
    flags = "\n".join(t for t in section_texts(message) if ":information_source:" in t or ":warning:" in t)
    assert "valid 2025-05-02 → 2025-11-27" in prices
    assert "dates from 2025-05-02 (202 days ago) and none has changed since" in flags
    assert "is valid until 2025-11-27 (in 7 days)" in flags
    assert "(2025-11-10) vs a median" in flags
    assert "2025-11-10  900K plays" in section(message, "*Latest videos*")["text"]["text"]


def test_footer_states_cost_and_cache_and_demo_says_free() -> None:
    footer = json.dumps(card(make_dive()).blocks[-2], ensure_ascii=False)
    assert "Upstream cost $0.160 for 8 calls; 0 of 8 answers from cache." in footer
    assert "$0.02 per profile endpoint call and $0.001 per id lookup" in footer
    demo = card(make_dive(live=False))
    assert "DEMO DATA" in json.dumps(demo.blocks) and "no TikHub calls" in json.dumps(demo.blocks[-2])


def test_notice_goes_on_top() -> None:
    message = card(make_dive(), notice="Only you can see this card.")
    assert message.blocks[1]["text"]["text"] == ":information_source: Only you can see this card."


def test_many_flags_stay_within_the_block_budget() -> None:
    dive = make_dive()
    dive.flags = [RiskFlag(code=f"f{i}", severity=Severity.WARN, text=Text("x" * 900)) for i in range(40)]
    message = card(dive)
    assert len(message.blocks) <= 50
    flag_text = "\n".join(t for t in section_texts(message) if ":warning: xxx" in t)
    assert flag_text.count(":warning:") == MAX_FLAGS and f"…and {40 - MAX_FLAGS} more." in flag_text


# -- comparison card --------------------------------------------------------------------------------


def test_compare_marks_one_best_per_row_and_gives_two_line_verdicts() -> None:
    comparison = build_comparison([make_dive(i) for i in (1, 2, 3)], Duration.MEDIUM, today=TODAY)
    message = compare_message(comparison, "en", live=True)
    rows = [b for b in message.blocks if b["type"] == "section" and len(b.get("fields", [])) == 3]
    assert [r["text"]["text"] for r in rows][:3] == [
        "*Followers*",
        "*Price · 21–60 s*",  # shown, not judged: a cheaper creator is not a better one
        "*CPM · 21–60 s (lower is better)*",
    ]
    cpm = field_texts(rows[2])
    assert cpm[0] == "*Sample Creator 1 样例达人*\n¥39.50 / 1k plays  :trophy: best"
    assert cpm[2].endswith("· worst of the group")
    price = field_texts(rows[1])
    assert not any(":trophy:" in t or "beats" in t for t in price)
    verdicts = [
        b["text"]["text"]
        for b in message.blocks
        if ":small_red_triangle_down:" in b.get("text", {}).get("text", "")
    ]
    assert len(verdicts) == 3 and all(len(v.splitlines()) == 3 for v in verdicts)
    assert "Upstream cost $0.480 for 24 calls; 0 answers from cache." in json.dumps(message.blocks)
    assert "CPM and CPE: Xingtu's detail estimates, as in Details." in json.dumps(message.blocks)


def test_compare_in_chinese_with_demo_badge() -> None:
    comparison = build_comparison([make_dive(i, live=False) for i in (1, 2)], Duration.SHORT, today=TODAY)
    message = compare_message(comparison, "zh", live=False)
    text = json.dumps(message.blocks, ensure_ascii=False)
    assert message.blocks[0]["text"]["text"] == "达人对比（2 位）· 1-20秒"
    assert "演示数据" in text and "CPM · 1-20秒（越低越好）" in text and "最强：" in text


# -- hostile strings --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("text", [HOSTILE, LONG], ids=["markup", "10k-chars"])
def test_deepdive_card_resists_hostile_strings(text: str, lang) -> None:
    benign = card(make_dive(1, "Plain"), lang, creator=hostile_creator(1, "Plain"))
    hostile = card(make_dive(1, text), lang, creator=hostile_creator(1, text), targets=TARGETS, notice=text)
    assert_inert(hostile)
    # The same blocks plus the notice; long flag texts may take one more risk-flag section.
    assert without_sections(structure(hostile)) == without_sections(structure(benign))
    assert len(benign.blocks) + 1 <= len(hostile.blocks) <= len(benign.blocks) + 2
    assert len(hostile.blocks[0]["text"]["text"]) <= 150
    assert "injected" not in json.dumps(hostile.blocks)


def test_hostile_ids_never_become_links() -> None:
    bad_id = '1"|<https://evil.example>'
    dive = make_dive(1).model_copy(update={"star_id": bad_id})
    dive.base.data.core_user_id = "1|<!channel>"
    message = card(dive, creator=make_creator(1, star_id=bad_id, douyin_uid="1|<!channel>"))
    assert_inert(message)
    assert "evil.example" not in "".join(_OWN_URL.findall(json.dumps(message.blocks)))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("text", [HOSTILE, LONG], ids=["markup", "10k-chars"])
def test_compare_card_resists_hostile_strings(text: str, lang) -> None:
    def message(name: str) -> SlackMessage:
        comparison = build_comparison(
            [make_dive(i, name) for i in (1, 2, 3, 4, 5)], Duration.MEDIUM, today=TODAY
        )
        return compare_message(comparison, lang, live=True, targets=TARGETS)

    benign, hostile = message("Plain"), message(text)
    assert_inert(hostile)
    assert structure(hostile) == structure(benign)


# -- the Compare button on a shortlist's parent message ----------------------------------------------


def test_shortlist_parent_offers_compare_once_two_creators_are_in_play() -> None:
    def compare_buttons(statuses: list[ItemStatus]) -> list[dict[str, Any]]:
        people = [creator(f"s{i}", f"C{i}", price=1_000, plays=1_000) for i in range(len(statuses))]
        items = [item(c, status=s) for c, s in zip(people, statuses, strict=True)]
        message = parent_message(summarize(shortlist(), items), "zh", now=NOW)
        assert validate_message(message.to_dict()) == []
        return [
            e
            for b in message.blocks
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == "kol_compare_shortlist"
        ]

    [compare] = compare_buttons([ItemStatus.PROPOSED, ItemStatus.APPROVED])
    assert ShortlistValue.decode(compare["value"]).short_id == shortlist().short_id
    assert compare["text"]["text"] == "对比"
    assert compare_buttons([ItemStatus.PROPOSED, ItemStatus.REJECTED]) == []
