"""Cards: golden renders in both languages, block budgets, and the plain-text fallback.

All creators here are synthetic. Refresh the golden files after an intended change with
`KOLBOT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_cards.py` and review the diff.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jinja2 import StrictUndefined, UndefinedError, meta

from bot.cards.actions import ActionId, AddToShortlistValue, DetailsValue, PageValue, SortValue
from bot.cards.env import clip, get_env, is_safe_url, link, mrkdwn, to_json
from bot.cards.render import SlackMessage, render
from bot.cards.validate import validate_message
from bot.cards.views import error_message, help_message, notice_message, results_message
from bot.errors import KolbotError, QueryError, UpstreamError, UpstreamKind
from bot.grammar import parse_query
from bot.i18n import WrittenOut
from bot.models import (
    Creator,
    Duration,
    EcomProfile,
    FilterStat,
    Gender,
    NumRange,
    Price,
    Query,
    QueryNote,
    RecentItem,
    ScoreComponent,
    ScoredCreator,
    SearchResult,
    SearchStats,
    SortKey,
    XingtuFlags,
)
from bot.search import SearchService
from bot.sources.demo import DemoSource

GOLDEN = Path(__file__).parent / "golden"
NOW = datetime(2025, 11, 20, 8, 0, tzinfo=UTC)
FETCHED = NOW - timedelta(hours=2, minutes=5)


# -- synthetic data -----------------------------------------------------------------------------


def make_creator(i: int = 1, **overrides: Any) -> Creator:
    fields: dict[str, Any] = {
        "star_id": f"7{i:018d}",
        "nickname": f"Sample Creator {i} 样例达人",
        "douyin_uid": f"91{i:010d}",
        "gender": Gender.FEMALE,
        "province": "广东",
        "city": "深圳",
        "followers": 1_234_567 - i * 10_000,
        "growth_15d": 32_778,
        "growth_rate_15d": 0.028,
        "growth_30d": 51_234.5,
        "tags": {"美妆": ["护肤保养", "彩妆"], "生活": []},
        "theme_labels": ["护肤推荐"],
        "expected_plays": 807_600,
        "expected_natural_plays": 301_200,
        "promotion_expected_plays": 1_029_300,
        "interact_rate": 0.0196,
        "completion_rate": 0.1138,
        "median_views_30d": 612_345.5,
        "median_interactions_30d": 7_929,
        "spread_index": 74.87,
        "shopping_index": 76.02,
        "convert_index": 65.38,
        "link_star_index": 71.82,
        "prices": {
            1: Price(video_type=1, yuan=14_500, start_time=datetime(2025, 10, 1, tzinfo=UTC)),
            2: Price(video_type=2, yuan=27_500, last_month_yuan=35_000, discount_pct=20),
            71: Price(video_type=71, yuan=30_000, end_time=datetime(2038, 1, 1, tzinfo=UTC)),
            92: Price(video_type=92, yuan=49, floor_yuan=16_000, ceiling_yuan=120_000),
        },
        "upstream_cpe": {Duration.MEDIUM: 1.91},
        "ecom": EcomProfile(
            level="L3",
            enabled=True,
            score=92,
            gmv_30d_range="1k-3w",
            avg_order_value_30d_range="50-200",
            gpm_30d_range="<=80",
            video_ctr_30d_range="4%-6%",
            product_videos_30d=3,
        ),
        "flags": XingtuFlags(black_horse=True, cocreate=True, star_excellent=True, short_drama=False),
        "recent_items": [
            RecentItem(
                item_id=f"{i}{k:04d}",
                title=f"Sample video {k} 护肤分享",
                views=120_000 * k,
                likes=3_400 * k,
                comments=120 * k,
                shares=45 * k,
                published_at=NOW - timedelta(days=3 * k),
            )
            for k in range(1, 4)
        ],
    }
    return Creator(**(fields | overrides))


def make_scored(creator: Creator, rank: int = 1) -> ScoredCreator:
    components = [
        ScoreComponent(key="cpe", value=creator.cpe(Duration.MEDIUM), percentile=88.0, weight=0.25),
        ScoreComponent(key="er", value=creator.interact_rate, percentile=80.0, weight=0.2),
        ScoreComponent(key="completion", value=creator.completion_rate, percentile=30.0, weight=0.05),
        ScoreComponent(key="shopping", value=None, percentile=None, weight=0.2),
    ]
    return ScoredCreator(
        creator=creator,
        score=78.4,
        rank=rank,
        components=components,
        strengths=["cpe", "er"],
        weakest="completion",
        unknown=["shopping"],
        coverage=0.8,
    )


def make_query(**overrides: Any) -> Query:
    fields: dict[str, Any] = {
        "raw": "护肤 followers>=10w cpm<=80",
        "keywords": ["护肤"],
        "followers": NumRange(low=100_000),
        "cpm": NumRange(high=80),
        "top": 10,
    }
    return Query(**(fields | overrides))


def make_stats(**overrides: Any) -> SearchStats:
    fields: dict[str, Any] = {
        "pages_requested": [1, 2, 3],
        "pages_fetched": 2,
        "pages_failed": [2],
        "creators_seen": 57,
        "matched": 12,
        "filters": [
            FilterStat(name="followers", description="followers ≥ 100,000", excluded=23),
            FilterStat(name="cpm", description="CPM ≤ ¥80 / 1k plays", excluded=4, unknown=18),
        ],
        "upstream_calls": 3,
        "cost_usd": 0.06,
        "data_time": FETCHED,
        "has_more": True,
    }
    return SearchStats(**(fields | overrides))


def make_result(n: int = 2, *, creators: list[Creator] | None = None, **query: Any) -> SearchResult:
    people = creators if creators is not None else [make_creator(i) for i in range(1, n + 1)]
    return SearchResult(
        query=make_query(top=max(1, len(people)), **query),
        creators=[make_scored(c, rank) for rank, c in enumerate(people, start=1)],
        stats=make_stats(matched=len(people)) if people else make_stats(matched=0),
        warnings=["pages_failed"],
    )


# -- helpers --------------------------------------------------------------------------------------


def assert_golden(name: str, message: SlackMessage) -> None:
    assert message.blocks, f"{name} fell back to plain text"
    assert validate_message(message.to_dict()) == []
    path = GOLDEN / f"{name}.json"
    actual = json.dumps(message.to_dict(), ensure_ascii=False, indent=2) + "\n"
    if os.environ.get("KOLBOT_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run with KOLBOT_UPDATE_GOLDEN=1 and review it"
    assert actual == path.read_text(encoding="utf-8"), f"{name} changed; see the module docstring"


def texts(message: SlackMessage) -> str:
    return json.dumps(message.blocks, ensure_ascii=False)


def action_ids(message: SlackMessage) -> list[str]:
    return [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


def section_texts(message: SlackMessage) -> list[str]:
    return [b["text"]["text"] for b in message.blocks if b["type"] == "section" and "text" in b]


# -- golden renders -----------------------------------------------------------------------------


NOTES = [
    QueryNote(kind="keyword", token="粉丝10w++"),
    QueryNote(kind="exact", token="cpm=50", suggestion="cpm>=50"),
    QueryNote(kind="ratio", token="互动率>=0.03", suggestion="互动率>=3%"),
]


def golden_result(view: str) -> SearchResult:
    """Three creators: a full row, one without a Douyin link, one whose score rests on little data."""
    result = make_result(3, view=view, notes=NOTES, completion=NumRange(low=0.1))
    result.stats.filters.append(FilterStat(name="completion", description="completion ≥ 10%", unknown=2))
    result.creators[1].creator = make_creator(2, douyin_uid=None, city=None, gender=Gender.UNKNOWN)
    thin = result.creators[2]
    thin.score, thin.coverage, thin.weakest = 46.0, 0.35, None
    return result


@pytest.mark.parametrize("view", ["compact", "full"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_results_golden(lang, view) -> None:
    name = f"results_{lang}" if view == "compact" else f"results_full_{lang}"
    assert_golden(name, results_message(golden_result(view), lang, search_ref="s42", now=NOW))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_empty_results_golden(lang) -> None:
    assert_golden(f"results_empty_{lang}", results_message(make_result(0), lang, search_ref="s42", now=NOW))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_help_golden(lang) -> None:
    assert_golden(f"help_{lang}", help_message(lang))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_error_golden(lang) -> None:
    assert_golden(
        f"error_{lang}", error_message(UpstreamError(UpstreamKind.REFUSED, upstream_code=10003), lang)
    )


def test_notice_golden() -> None:
    assert_golden("notice", notice_message("Searching… / 正在搜索…"))


# -- results card -------------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["compact", "full"])
def test_twenty_creators_fit_in_fifty_blocks_with_every_optional_block(view) -> None:
    result = make_result(20, view=view, notes=NOTES)
    result.stats.live = False  # adds the demo badge
    result.stats.skipped_malformed = 2
    message = results_message(result, "en", search_ref="s42", now=NOW)
    assert message.blocks, "fell back to plain text"
    assert len(message.blocks) <= 50
    assert action_ids(message).count("kol_details") == 20
    assert validate_message(message.to_dict()) == []


def test_more_than_twenty_creators_are_capped() -> None:
    result = make_result(25)
    message = results_message(result, "en", search_ref="s42", now=NOW)
    assert action_ids(message).count("kol_add_to_shortlist") == 20


def test_only_the_requested_top_is_shown() -> None:
    result = make_result(5)
    result.query.top = 3
    message = results_message(result, "en", search_ref="s42", now=NOW)
    assert action_ids(message).count("kol_details") == 3
    assert "showing top 3" in texts(message)


def test_buttons_carry_star_ids_and_paging_values() -> None:
    result = make_result(2, sort=SortKey.CPM, start_page=4, pages=2)
    result.stats.pages_requested = [4, 5]
    message = results_message(result, "en", search_ref="abc", now=NOW)
    buttons = {
        (e["action_id"], e["value"])
        for b in message.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["type"] == "button"
    }
    details = DetailsValue(star_id=make_creator(1).star_id, search_ref="abc")
    assert (ActionId.DETAILS, details.encode()) in buttons
    add = AddToShortlistValue(star_id=make_creator(2).star_id, search_ref="abc")
    assert (ActionId.ADD_TO_SHORTLIST, add.encode()) in buttons
    assert (ActionId.MORE, PageValue(search_ref="abc", start=6, shown=2).encode()) in buttons
    select = next(
        e
        for b in message.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ActionId.SORT
    )
    options = [SortValue.decode(o["value"]) for o in select["options"]]
    assert options == [SortValue(search_ref="abc", sort=k) for k in SortKey]
    assert SortValue.decode(select["initial_option"]["value"]).sort is SortKey.CPM


def test_a_more_results_card_numbers_on_from_where_the_last_stopped() -> None:
    result = make_result(25)
    result.query.top = 10
    result.offset = 10
    message = results_message(result, "en", search_ref="s", now=NOW)
    sections = section_texts(message)
    assert [t.split(".", 1)[0] for t in sections if t.startswith("*1")][:2] == ["*11", "*12"]
    assert "showing #11–20" in texts(message)
    assert message.text.splitlines()[1].startswith("11. ")
    assert PageValue.decode(next_more(message)).shown == 20
    result.new_pages, result.rescored_from = [4, 5, 6], 13
    assert "Fetched pages 4–6: from #14 on, creators are scored against all 57" in texts(
        results_message(result, "en", search_ref="s", now=NOW)
    )


def test_more_button_while_the_list_has_unshown_matches() -> None:
    result = make_result(5)
    result.query.top = 3
    result.stats.has_more = False  # no further page, but #4 and #5 are not on the card yet
    message = results_message(result, "en", search_ref="s", now=NOW)
    assert PageValue.decode(next_more(message)).shown == 3


def next_more(message: SlackMessage) -> str:
    return next(
        e["value"]
        for b in message.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e.get("action_id") == "kol_more"
    )


def test_no_more_button_without_more_pages() -> None:
    result = make_result(2)
    result.stats.has_more = False
    assert "kol_more" not in action_ids(results_message(result, "en", search_ref="s", now=NOW))


def test_summary_shows_cost_age_and_demo_badge() -> None:
    live = results_message(make_result(1), "en", search_ref="s", now=NOW)
    assert "API calls: 3 ($0.06)" in texts(live)
    assert "data from 2 h ago" in texts(live)
    assert "2025-11-20 05:55 UTC" in texts(live)
    assert "DEMO DATA" not in texts(live)
    cached = make_result(1)
    cached.stats.upstream_calls, cached.stats.cost_usd, cached.stats.live = 0, 0.0, False
    demo = results_message(cached, "zh", search_ref="s", now=NOW)
    assert "演示数据" in texts(demo)
    assert "数据时间：2小时前" in texts(demo)
    cached.stats.live = True
    assert "API calls: 0 (cache)" in texts(results_message(cached, "en", search_ref="s", now=NOW))


@pytest.mark.parametrize(
    ("n", "en", "zh"),
    [
        (1, "1 brand account hidden  ·  1 unreadable record skipped", "已隐藏 1 个品牌号"),
        (3, "3 brand accounts hidden  ·  3 unreadable records skipped", "跳过 3 条无法解析的数据"),
    ],
)
def test_summary_counts_agree_with_their_nouns(n: int, en: str, zh: str) -> None:
    result = make_result(1)
    result.stats.excluded_brands = result.stats.skipped_malformed = n
    assert en in texts(results_message(result, "en", search_ref="s", now=NOW))
    assert zh in texts(results_message(result, "zh", search_ref="s", now=NOW))


def test_failed_pages_are_named() -> None:
    result = make_result(1)
    result.stats.pages_failed = [2, 5]
    assert "Page(s) 2, 5 could not be loaded" in texts(results_message(result, "en", search_ref="s", now=NOW))


def test_creator_numbers_are_in_yuan_with_units_and_chosen_duration_bold() -> None:
    message = results_message(make_result(1, view="full"), "en", search_ref="s", now=NOW)
    fields = [f["text"] for f in message.blocks[4]["fields"]]
    assert fields[0] == "*Followers*\n1.2M  ·  15 d: +32,778 (+2.8%)"
    assert fields[1] == "*Price* 1–20 s / 21–60 s / 60 s+\n¥14,500 / *¥27,500* / ¥30,000"
    assert fields[2] == "*CPM* · 21–60 s\n¥34.05 / 1k plays"
    assert fields[3] == "*CPE* · 21–60 s\n¥1.91 / engagement"
    assert fields[4] == "*ER · completion* (30 d)\n1.96% · 11.38%"


def test_unknown_metrics_show_a_dash_not_zero() -> None:
    bare = Creator(star_id="7000000000000000099", nickname="No Data")
    result = make_result(creators=[bare], view="full")
    result.creators[0] = ScoredCreator(creator=bare, score=None, unknown=["cpe", "er"])
    message = results_message(result, "en", search_ref="s", now=NOW)
    section = message.blocks[4]
    assert (
        "<https://www.xingtu.cn/ad/creator/author/douyin/7000000000000000099/1|No Data>"
        in section["text"]["text"]
    )
    assert "Score —" in section["text"]["text"]
    assert "Unknown: CPE, Engagement rate" in section["text"]["text"]
    values = [f["text"].split("\n", 1)[1] for f in section["fields"]]
    assert values == ["—  ·  15 d: —", "— / *—* / —", "—", "—", "— · —", "—", "—"]
    assert "¥0" not in texts(message)


def test_empty_results_explain_what_excluded_whom() -> None:
    message = results_message(make_result(0), "en", search_ref="s42", now=NOW)
    text = section_texts(message)[-1]
    assert "None of the 57 creators seen matched your filters." in text
    assert "• followers ≥ 100,000: 23 excluded, 0 unknown" in text
    assert "• CPM ≤ ¥80 / 1k plays: 4 excluded, 18 unknown" in text
    assert "`/kol 护肤 followers&gt;=10w cpm&lt;=80 unknowns=yes`" in text
    assert action_ids(message) == ["kol_more", "kol_edit_search"]


def test_empty_search_suggests_another_keyword() -> None:
    result = make_result(0)
    result.stats = make_stats(creators_seen=0, matched=0, filters=[], has_more=False)
    message = results_message(result, "zh", search_ref="s", now=NOW)
    assert "星图没有返回“护肤”的达人" in section_texts(message)[-1]
    assert action_ids(message) == ["kol_edit_search"]  # the search can still be changed


@pytest.mark.parametrize(
    ("raw", "upstream", "named", "not_named"),
    [
        ("护肤 粉丝>=5000w", ["followers"], ["`粉丝&gt;=5000w`"], ["标签", "tag"]),
        ("护肤 tag=美妆", ["tag"], ["`tag=美妆`"], ["粉丝"]),
        ("护肤 粉丝>=5000w 标签=美妆", ["followers", "tag"], ["`粉丝&gt;=5000w`", "`标签=美妆`"], []),
    ],
)
def test_upstream_empty_hint_names_only_the_filters_the_search_had(
    raw: str, upstream: list[str], named: list[str], not_named: list[str]
) -> None:
    """Xingtu applied the filters and found nobody: the hint quotes those filters as typed, no others."""
    query = parse_query(raw)
    result = SearchResult(
        query=query,
        creators=[],
        stats=make_stats(creators_seen=0, matched=0, filters=[], has_more=False, upstream_filters=upstream),
    )
    hint = section_texts(results_message(result, "zh", search_ref="s", now=NOW))[-1].split("*", 2)[2]
    for token in named:
        assert token in hint
    for word in not_named:
        assert word not in hint
    assert "去掉标签" not in hint and "降低粉丝下限" not in hint


# -- compact view (default) --------------------------------------------------------------------


def visible_text(message: SlackMessage) -> str:
    """What a reader sees: every text on the card (a select's options only show when opened),
    links as their labels, entities decoded, no mrkdwn markers."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                parts.append(node["text"])
            for key, value in node.items():
                if key != "options":
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.blocks)
    text = re.sub(r"<[^|>]*\|([^>]*)>", r"\1", "\n".join(parts))
    text = re.sub(r":[a-z0-9_+-]+:", "◆", text)  # an emoji code shows as one picture
    return html.unescape(re.sub(r"[*_`]", "", text))


def creator_sections(message: SlackMessage) -> list[str]:
    return [t for t in section_texts(message) if re.match(r"\*\d+\. ", t)]


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        (
            "en",
            [
                "*1. <https://www.iesdouyin.com/share/user/910000000001|Sample Creator 1 样例达人>*  "
                "<https://www.xingtu.cn/ad/creator/author/douyin/7000000000000000001/1|Xingtu>"
                "   score *78*/100",
                "1.2M followers · 15 d +32,778 (+2.8%)  ·  21–60 s: ¥27,500 · CPM ¥34.05 · CPE ¥1.91 · "
                "ER 1.96% · expected plays 807.6K",
                "Guangdong Shenzhen · female · e-commerce L3 · Xingtu index 71.8 · tags 护肤保养, 彩妆, 生活",
            ],
        ),
        (
            "zh",
            [
                "*1. <https://www.iesdouyin.com/share/user/910000000001|Sample Creator 1 样例达人>*  "
                "<https://www.xingtu.cn/ad/creator/author/douyin/7000000000000000001/1|星图>   评分 *78*/100",
                "粉丝 122.5万 · 15天 +3.3万（+2.8%）  ·  21-60秒报价 ¥2.75万 · CPM ¥34.05 · CPE ¥1.91 · "
                "互动率 1.96% · 预期播放 80.8万",
                "广东 深圳 · 女 · 带货 L3 · 星图指数 71.8 · 标签 护肤保养、彩妆、生活",
            ],
        ),
    ],
)
def test_compact_row_shows_cost_size_who_and_every_filtered_value(lang, lines) -> None:
    result = make_result(1, star=NumRange(low=60), tags=["护肤"], regions=["深圳"])
    result.stats.filters += [FilterStat(name=n, description=n) for n in ("star", "tag", "region")]
    row = creator_sections(results_message(result, lang, search_ref="s", now=NOW))[0]
    assert row.split("\n")[:3] == lines
    assert "¥14,500" not in row and "¥1.45万" not in row  # other durations' prices are behind Details


def test_compact_row_without_douyin_link_or_data_shows_dashes_and_no_weakness() -> None:
    bare = Creator(star_id="7000000000000000099", nickname="No Data")
    result = make_result(creators=[bare])
    result.creators[0] = ScoredCreator(creator=bare, score=None, unknown=["cpe", "er"])
    [row] = creator_sections(results_message(result, "en", search_ref="s", now=NOW))
    assert row == (
        "*1. <https://www.xingtu.cn/ad/creator/author/douyin/7000000000000000099/1|No Data>*   score —\n"
        "— followers · 15 d —  ·  21–60 s: — · CPM — · CPE — · ER — · expected plays —\n"
        "e-commerce —"
    )


def test_low_confidence_is_marked_and_a_missing_weakness_is_not_invented() -> None:
    result = golden_result("compact")
    for lang, mark in (("en", "low confidence: 35% of the data"), ("zh", "低置信度：仅 35% 的加权数据")):
        rows = creator_sections(results_message(result, lang, search_ref="s", now=NOW))
        assert mark in rows[2] and mark not in rows[0]
        assert ":small_red_triangle_down:" in rows[0] and ":small_red_triangle_down:" not in rows[2]
    full = creator_sections(results_message(golden_result("full"), "en", search_ref="s", now=NOW))
    assert "_(low confidence)_" in full[2] and "low confidence" not in full[0]


def top_ten(lang: str, **query: Any) -> SearchResult:
    """A worst case: ten long-named creators with every optional line, notes and a failed page."""
    people = [
        make_creator(i, nickname=f"{'长名字达人' * 20}{i}", tags={"美妆": ["护肤保养"] * 3})
        for i in range(1, 11)
    ]
    result = make_result(
        creators=people,
        notes=NOTES,
        completion=NumRange(low=0.1),
        star=NumRange(low=60),
        tags=["护肤"],
        **query,
    )
    result.stats.live = False
    result.stats.filters += [
        FilterStat(name=n, description=n, unknown=3) for n in ("completion", "star", "tag")
    ]
    for scored in result.creators:
        scored.coverage = 0.3
    return result


@pytest.mark.parametrize(("lang", "limit"), [("zh", 4_000), ("en", 5_000)])  # English words run longer
def test_a_compact_top_ten_stays_short(lang, limit) -> None:
    message = results_message(top_ten(lang), lang, search_ref="s42", now=NOW)
    assert validate_message(message.to_dict()) == []
    assert len(creator_sections(message)) == 10
    assert len(message.blocks) < 25
    assert len(visible_text(message)) < limit


@pytest.mark.parametrize(
    ("lang", "text"), [("zh", "护肤 粉丝10w+ top=10"), ("en", "skin care followers 10w+ top=10")]
)
def test_a_demo_top_ten_reads_short(lang, text) -> None:
    result = SearchService(DemoSource()).search(parse_query(text))
    message = results_message(result, lang, search_ref="s42", now=NOW)
    assert len(creator_sections(message)) == 10
    assert len(message.blocks) < 25
    assert len(visible_text(message)) < 4_000
    full = results_message(
        result.model_copy(update={"query": result.query.model_copy(update={"view": "full"})}),
        lang,
        search_ref="s42",
        now=NOW,
    )
    assert len(visible_text(full)) > len(
        visible_text(message)
    )  # view=full adds the price list and reasons back


def test_full_view_keeps_the_long_rows() -> None:
    message = results_message(golden_result("full"), "en", search_ref="s", now=NOW)
    rows = [b for b in message.blocks if b["type"] == "section" and "fields" in b]
    assert len(rows) == 3
    assert "¥14,500 / *¥27,500* / ¥30,000" in rows[0]["fields"][1]["text"]
    assert ":white_check_mark: CPE in the best 12% of this search" in rows[0]["text"]["text"]
    assert {"type": "divider"} in message.blocks


@pytest.mark.parametrize("view", ["compact", "full"])
@pytest.mark.parametrize(
    ("lang", "unknowns", "line"),
    [
        (
            "en",
            False,
            ":grey_question: Left out for unknown data: 18 without CPM (`unknowns=yes` keeps them)",
        ),
        ("zh", False, ":grey_question: 因数据未知未列入：18 位无CPM数据（加 `未知=是` 可保留）"),
        ("en", True, ":grey_question: Kept with unknown data: 18 without CPM"),
        ("zh", True, ":grey_question: 已保留数据未知的达人：18 位无CPM数据"),
    ],
)
def test_every_results_card_counts_the_unknowns_per_filter(view, lang, unknowns, line) -> None:
    message = results_message(make_result(2, view=view, unknowns=unknowns), lang, search_ref="s", now=NOW)
    assert line in texts(message).replace("\\n", "\n")


def test_no_unknown_line_when_every_value_was_known() -> None:
    result = make_result(2)
    for stat in result.stats.filters:
        stat.unknown = 0
    assert ":grey_question:" not in texts(results_message(result, "en", search_ref="s", now=NOW))


@pytest.mark.parametrize("view", ["compact", "full"])
def test_the_card_names_what_the_grammar_read_differently(view) -> None:
    query = parse_query("护肤 粉丝10w++ cpm=50 互动率>=0.03")
    result = make_result(1, view=view, notes=query.notes)
    zh = visible_text(results_message(result, "zh", search_ref="s", now=NOW))
    assert "按关键词处理：粉丝10w++" in zh
    assert "cpm=50 表示恰好等于该值；如需“不低于”，请写 cpm>=50" in zh
    assert "互动率>=0.03 会按百分比读作不到 1%：是否想写 互动率>=3%？" in zh
    en = visible_text(results_message(result, "en", search_ref="s", now=NOW))
    assert "Treated as a keyword: 粉丝10w++" in en
    assert "did you mean 互动率>=3%?" in en


def test_cost_orders_say_priced_creators_come_first() -> None:
    assert "creators with a 21–60 s price first" in texts(
        results_message(make_result(1), "en", search_ref="s", now=NOW)
    )
    by_er = results_message(make_result(1, sort=SortKey.ER), "en", search_ref="s", now=NOW)
    assert "price first" not in texts(by_er)


# -- help, errors, notices ----------------------------------------------------------------------


def test_query_error_shows_what_and_how() -> None:
    err = QueryError(
        "cpm<<5",
        WrittenOut("Can't use `cpm<<5`", "无法使用 `cpm<<5`"),
        usage=WrittenOut("Try `cpm<=5`.", "试试 `cpm<=5`。"),
    )
    message = error_message(err, "en")
    assert section_texts(message) == [":warning: *Can't use `cpm&lt;&lt;5`*", "Try `cpm&lt;=5`."]
    assert message.text == "Can't use `cpm&lt;&lt;5`\nTry `cpm&lt;=5`."


def test_error_without_hint_is_one_block() -> None:
    message = error_message(KolbotError(WrittenOut("Nope.", "不行。")), "zh")
    assert section_texts(message) == [":warning: *不行。*"]


def test_help_splits_long_usage_into_sections(monkeypatch: pytest.MonkeyPatch) -> None:
    usage = "\n".join(f"line {i} " + "x" * 500 for i in range(20))
    monkeypatch.setattr("bot.cards.views.usage", lambda: WrittenOut(usage, usage))
    message = help_message("en")
    assert message.blocks
    sections = section_texts(message)[:-2]  # the last two: more commands, what the numbers mean
    assert len(sections) == 4
    assert all(len(s) <= 3000 for s in sections)
    assert "\n".join(sections) == usage


# -- the renderer's safety net -----------------------------------------------------------------


@pytest.mark.card_fallback
def test_too_many_blocks_fall_back_to_plain_text_and_log(caplog, monkeypatch: pytest.MonkeyPatch) -> None:
    usage = "\n".join("x" * 2900 for _ in range(60))  # one section per line: 60+ blocks
    monkeypatch.setattr("bot.cards.views.usage", lambda: WrittenOut(usage, usage))
    with caplog.at_level(logging.ERROR, logger="bot.cards.render"):
        message = help_message("en")
    assert message.blocks == []
    assert message.text.startswith("/kol\nxxx")
    assert "failed validation" in caplog.text and "blocks (max 50 per message)" in caplog.text


def _needs_more_than_lang(name: str) -> bool:
    """Whether the template reads a variable other than `lang` and the rendering context's `command`."""
    env = get_env()
    source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
    return bool(meta.find_undeclared_variables(env.parse(source)) - set(env.globals) - {"lang", "command"})


@pytest.mark.card_fallback
@pytest.mark.parametrize(
    "template",
    [
        n
        for n in get_env().list_templates(extensions=["j2"])
        if not n.startswith("_") and _needs_more_than_lang(n)
    ],
)
def test_every_template_refuses_missing_variables(template, caplog) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.cards.render"):
        message = render(template, {"lang": "en"}, fallback_text="plain <fallback>")
    assert message == SlackMessage(text="plain &lt;fallback&gt;", blocks=[])
    assert "is undefined" in caplog.text


def test_outputs_must_be_json_values() -> None:
    assert to_json('a "b"\n') == '"a \\"b\\"\\n"'
    with pytest.raises(TypeError, match="format it first"):
        to_json(NOW)
    with pytest.raises(UndefinedError, match="'x' is undefined"):
        to_json(StrictUndefined(name="x"))


@pytest.mark.card_fallback
def test_missing_template_falls_back(caplog) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.cards.render"):
        assert render("nope.json.j2", {}, fallback_text="x").blocks == []
    assert "TemplateNotFound" in caplog.text


def test_message_unpacks_into_respond_kwargs() -> None:
    message = notice_message("hi")
    assert dict(**message) == message.to_dict() == {"text": "hi", "blocks": message.blocks}


# -- validation ---------------------------------------------------------------------------------


def _section(text: str = "ok", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def _field(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        ({"blocks": [_section()]}, "top-level text fallback is missing"),
        ({"text": " ", "blocks": [_section()]}, "top-level text fallback is missing"),
        ({"text": "x" * 40_001, "blocks": []}, "top-level text has 40001 characters"),
        ({"text": "t", "blocks": [{"type": "divider"}] * 51}, "51 blocks (max 50 per message)"),
        ({"text": "t", "blocks": [_section(fields=[_field("f" * 2001)])]}, "field 0 has 2001 characters"),
        ({"text": "t", "blocks": [_section(fields=[_field("f")] * 11)]}, "slack_sdk rejected"),
        ({"text": "t", "blocks": [_section("s" * 3001)]}, "slack_sdk rejected"),
        ({"text": "t", "blocks": [_section("")]}, "empty mrkdwn text"),
        (
            {"text": "t", "blocks": [{"type": "context", "elements": [_field("c" * 3001)]}]},
            "mrkdwn text has 3001 characters",
        ),
        ({"text": "t", "blocks": [{"type": "sectoin"}]}, "unknown block type 'sectoin'"),
        ({"text": "t", "blocks": [_section(acessory={})]}, "does not recognise"),
        ({"text": "t", "blocks": ["divider"]}, "blocks must be a list of objects"),
        (
            {"text": "t", "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]},
            "slack_sdk rejected",
        ),
    ],
)
def test_validation_finds_problems(message, problem) -> None:
    assert any(problem in p for p in validate_message(message)), validate_message(message)


def test_valid_message_has_no_problems() -> None:
    message = {"text": "t", "blocks": [_section(fields=[_field("f" * 2000)] * 10), {"type": "divider"}] * 25}
    assert validate_message(message) == []


# -- filters ------------------------------------------------------------------------------------


def test_mrkdwn_escapes_only_slack_control_characters() -> None:
    assert mrkdwn('<!channel> & "quotes" *bold*') == '&lt;!channel&gt; &amp; "quotes" *bold*'


@pytest.mark.parametrize(
    "url",
    [
        "http://x.example",
        "javascript:alert(1)",
        "https://x.example|y",
        "https://x.example>",
        "https://",
        None,
        "//x",
    ],
)
def test_links_need_a_clean_https_url(url) -> None:
    assert not is_safe_url(url)
    assert link(url, "<b>") == "&lt;b&gt;"


def test_link_escapes_its_label() -> None:
    assert link("https://x.example/a?b=1", "A & <B>") == "<https://x.example/a?b=1|A &amp; &lt;B&gt;>"


def test_clip() -> None:
    assert clip("abc", 3) == "abc"
    assert clip("abcdef", 4) == "abc…"
    assert clip("ab &amp; cd", 6) == "ab …"  # never half an entity
    assert clip("see <https://x.example|here> now", 20) == "see …"  # never half a link
    assert len(clip("x" * 10_000, 150)) == 150


def test_a_separator_places_commas_only_between_the_elements_that_are_there() -> None:
    template = get_env().from_string(
        "{% set sep = separator() %}[{% if first %}{{ sep() }}{{ 1 }}{% endif %}"
        "{% for n in rest %}{{ sep() }}{{ n }}{% endfor %}{{ sep() }}{{ text }}]"
    )
    assert json.loads(template.render(first=False, rest=[2, 3], text=",")) == [2, 3, ","]
    assert json.loads(template.render(first=True, rest=[], text="x")) == [1, "x"]


@pytest.mark.parametrize(("seen", "cautioned"), [(7, True), (19, True), (20, False), (1, False)])
def test_a_small_cohort_is_read_as_a_rough_order(seen: int, cautioned: bool) -> None:
    """Scores are percentiles among the creators fetched: among 7 a 100 is no grade."""
    from tests.test_search import creator, run

    people = [creator(f"70000000000000000{i:02d}", followers=10_000 * (i + 1)) for i in range(seen)]
    result, _ = run("护肤", {1: people})
    text = json.dumps(results_message(result, "en", search_ref="r").to_dict())
    assert (f"Scores rank these {seen} creators against each other only" in text) is cautioned
