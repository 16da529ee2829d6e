"""Parsing Xingtu author objects: every upstream quirk, on synthetic authors only."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.demo import synth
from bot.models import Creator, Duration, Gender
from bot.parsing import (
    MONEY_DIVISOR,
    load_json_str,
    parse_author,
    parse_search_data,
    to_bool,
    to_datetime,
    to_float,
    to_int,
)
from bot.scoring import metric_value
from bot.settings import PriceUnit

STAR_ID = "7000000000000000001"


def author(attrs: dict[str, str] | None = None, **parts: Any) -> dict[str, Any]:
    """A synthetic author with the always-present keys; `attrs` override/extend them."""
    base = {
        "author_avatar_frame_icon": "0",
        "author_status": "1",
        "author_type": "1",
        "avatar_uri": "https://p3.example-douyinpic.invalid/a.jpeg",
        "city": "",
        "core_user_id": "12345678901",
        "fans_increment_rate_within_15d": "-0.0020746388501932218",
        "fans_increment_within_15d": "-866",
        "fans_increment_within_30d": "188588.95",
        "follower": "452817",
        "game_type": "",
        "gender": "2",
        "grade": "0",
        "id": STAR_ID,
        "is_black_horse_author": "true",
        "is_cocreate_author": "false",
        "is_cpm_project_author": "1",
        "local_lower_threshold_author": "false",
        "nick_name": "测试达人✨",
        "province": "",
        "star_whispers_author": "1",
        "tags_relation": "{}",
    }
    return {
        "attribute_datas": base | (attrs or {}),
        "extra_data": {},
        "items": [],
        "star_id": STAR_ID,
        "task_infos": [],
    } | parts


def price_info(video_type: int, price: int, extra: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "end_time": "2145916800",
        "platform_source": 1,
        "price": price,
        "price_extra_info": extra or {},
        "start_time": "1726000000",
        "task_category": 1,
        "video_type": video_type,
        "video_type_status": 1,
    }


def task(*infos: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "online_status": 1,
            "platform_source": 1,
            "price_infos": list(infos),
            "task_category": 1,
            "task_status": 1,
        }
    ]


ZERO_QUOTE = {"platform_source": 1, "price": 0, "task_category": 1, "video_type": 71, "video_type_status": 1}


# -- converters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("188588.95", 188588.95),
        ("-866", -866.0),
        ("0.031415926535897934", 0.031415926535897934),
        (" 5276.5 ", 5276.5),
        (42, 42.0),
        (0.5, 0.5),
        ("", None),
        ("  ", None),
        (None, None),
        ("null", None),
        ("NaN", None),
        ("inf", None),
        ("abc", None),
        (True, None),
        ([], None),
    ],
)
def test_to_float(raw: Any, expected: float | None) -> None:
    assert to_float(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("-866", -866), ("2345678", 2345678), ("5276.5", 5276), ("188588.95", 188589), ("", None), ("x", None)],
)
def test_to_int_accepts_decimal_counts(raw: str, expected: int | None) -> None:
    assert to_int(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("false", False),
        ("1", True),
        ("0", False),
        ("TRUE", True),
        (True, True),
        (False, False),
        (1, True),
        ("", None),
        (None, None),
        ("yes", None),
        ("2", None),
    ],
)
def test_to_bool_both_upstream_styles(raw: Any, expected: bool | None) -> None:
    assert to_bool(raw) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("{}", {}),
        ("[]", []),
        ('{"美妆":["护肤保养"]}', {"美妆": ["护肤保养"]}),
        ('{"\\u5c04\\u51fb": 1.0}', {"射击": 1.0}),  # game_type style: \u escapes, space after colon
        ("", None),  # game_type for non-game creators
        ("null", None),
        ("{broken", None),
        (None, None),
        ({"already": "decoded"}, {"already": "decoded"}),
    ],
)
def test_load_json_str(raw: Any, expected: Any) -> None:
    assert load_json_str(raw) == expected


def test_to_datetime_reads_unix_second_strings() -> None:
    assert to_datetime("2145916800") == datetime(2038, 1, 1, tzinfo=UTC)
    assert to_datetime(1726000000) == datetime.fromtimestamp(1726000000, tz=UTC)
    assert to_datetime("") is None
    assert to_datetime("0") is None


# -- one author -----------------------------------------------------------------------------


def test_minimal_author_keeps_unknowns_as_none() -> None:
    c = parse_author(author(), PriceUnit.YUAN)
    assert (c.star_id, c.nickname, c.douyin_uid) == (STAR_ID, "测试达人✨", "12345678901")
    assert c.gender is Gender.FEMALE
    assert c.province is None and c.city is None
    assert c.followers == 452817
    assert c.growth_15d == -866
    assert c.growth_rate_15d == pytest.approx(-0.0020746388501932218)
    assert c.growth_30d == pytest.approx(188588.95)
    assert c.tags == {} and c.theme_labels == []
    assert c.prices == {} and c.upstream_cpm == {} and c.upstream_cpe == {}
    assert c.expected_plays is None and c.interact_rate is None and c.link_star_index is None
    assert c.recent_works() == []
    assert c.cpm(Duration.MEDIUM) is None and c.cpe(Duration.MEDIUM) is None


@pytest.mark.parametrize("bad", ["-100", "1e300", "2e10"])
def test_impossible_counts_rates_and_prices_are_unknown_not_shown(bad: str) -> None:
    """Upstream data errors (a negative follower count, a 300-digit price) are not facts to show."""
    raw = author(
        {"follower": bad, "expected_play_num": bad, "interact_rate_within_30d": bad, "price_20_60": bad},
        task_infos=task({**price_info(1, 1), "price": bad}),
    )
    c = parse_author(raw, PriceUnit.YUAN)
    assert (c.followers, c.expected_plays, c.interact_rate) == (None, None, None)
    assert c.prices == {}
    assert parse_author(author({"play_over_rate_within_30d": "1.5"}), PriceUnit.YUAN).completion_rate is None


@pytest.mark.parametrize(("raw", "gender"), [("1", Gender.MALE), ("2", Gender.FEMALE), ("0", Gender.UNKNOWN)])
def test_gender_codes(raw: str, gender: Gender) -> None:
    assert parse_author(author({"gender": raw}), PriceUnit.YUAN).gender is gender


def test_rates_are_fractions_and_indices_are_0_to_100() -> None:
    c = parse_author(
        author(
            {
                "interact_rate_within_30d": "0.0231",
                "play_over_rate_within_30d": "0.1876",
                "star_index": "63.40918311570239",
                "link_spread_index": "71.35",
                "link_shopping_index": "68.2",
                "link_convert_index": "90.04",
                "link_star_index": "75.11",
                "search_after_view_index_by_industry": "82.47",
                "vv_median_30d": "5276.5",
                "interaction_median_30d": "33.5",
                "expected_play_num": "1318207",
                "expected_natural_play_num": "926118",
                "promotion_prospective_vv": "1402511",
            }
        ),
        PriceUnit.YUAN,
    )
    assert (c.interact_rate, c.completion_rate) == (0.0231, 0.1876)
    assert (c.spread_index, c.shopping_index, c.convert_index, c.link_star_index) == (
        71.35,
        68.2,
        90.04,
        75.11,
    )
    assert c.search_after_view_index == 82.47
    assert (c.median_views_30d, c.median_interactions_30d) == (5276.5, 33.5)
    assert (c.expected_plays, c.expected_natural_plays, c.promotion_expected_plays) == (
        1318207,
        926118,
        1402511,
    )


def test_sn_and_industry_twins_fill_in_for_missing_keys() -> None:
    c = parse_author(
        author(
            {
                "sn_expected_play_num": "5000",
                "sn_interact_rate_within_30d": "0.03",
                "sn_play_over_rate_within_30d": "0.2",
                "link_recommend_index_by_industry": "61.5",
                "link_convert_index_by_industry": "55",
            }
        ),
        PriceUnit.YUAN,
    )
    assert (c.expected_plays, c.interact_rate, c.completion_rate) == (5000, 0.03, 0.2)
    assert (c.shopping_index, c.convert_index) == (61.5, 55.0)


def test_json_string_fields() -> None:
    c = parse_author(
        author(
            {
                "tags_relation": '{"测评":["美妆测评"],"美妆":["美妆测评种草"]}',
                "content_theme_labels_180d": '["护肤推荐","成分解析"]',
                "game_type": '{"\\u751f\\u5b58": 1.0}',
            }
        ),
        PriceUnit.YUAN,
    )
    assert c.tags == {"测评": ["美妆测评"], "美妆": ["美妆测评种草"]}
    assert c.theme_labels == ["护肤推荐", "成分解析"]
    assert parse_author(author({"content_theme_labels_180d": "[]"}), PriceUnit.YUAN).theme_labels == []


def test_flags_in_both_boolean_styles() -> None:
    c = parse_author(
        author(
            {
                "is_excellenct_author": "1",
                "star_excellent_author": "0",
                "star_qianchuan_high_potential": "1",
                "is_short_drama": "0",
                "is_ad_star_cur_high_quality_author": "1",
                "local_lower_threshold_author": "true",
            }
        ),
        PriceUnit.YUAN,
    )
    f = c.flags
    assert (f.black_horse, f.cocreate, f.local_lower_threshold) == (True, False, True)
    assert (f.cpm_project, f.excellent, f.star_excellent) == (True, True, False)
    assert (f.qianchuan_high_potential, f.short_drama, f.high_quality_ad) == (True, False, True)


def test_ecom_profile() -> None:
    c = parse_author(
        author(
            {
                "author_ecom_level": "L5",
                "e_commerce_enable": "1",
                "ecom_score": "60",
                "ecom_gmv_30d_range": ">100w",
                "ecom_avg_order_value_30d_range": ">200",
                "ecom_gpm_30days_range": "150以上",
                "ecom_video_ctr_30d_range": "4%-6%",
                "ecom_video_product_num_30d": "3",
            }
        ),
        PriceUnit.YUAN,
    )
    e = c.ecom
    assert (e.level, e.level_num, e.enabled, e.score) == ("L5", 5, True, 60.0)
    assert (e.gmv_30d_range, e.avg_order_value_30d_range, e.gpm_30d_range) == (">100w", ">200", "150以上")
    assert (e.video_ctr_30d_range, e.product_videos_30d) == ("4%-6%", 3)


# -- prices -----------------------------------------------------------------------------------


def test_prices_come_from_task_infos_keyed_by_video_type() -> None:
    raw = author(
        {"price_1_20": "18000", "price_20_60": "45000"},
        task_infos=task(
            price_info(91, 1400),
            price_info(2, 45000, {"price_discount_range": "20", "price_last_month": "56250"}),
            price_info(1, 18000, {"price_last_month": "16500"}),
            price_info(92, 37, {"ceiling_price": "96000", "floor_price": "12800"}),
            price_info(73, 90000),
            price_info(150, 70000),
            ZERO_QUOTE,
        ),
    )
    c = parse_author(raw, PriceUnit.YUAN)
    assert sorted(c.prices) == [1, 2, 73, 91, 92, 150]  # the zero 71 quote is skipped
    assert c.price(Duration.LONG) is None
    medium = c.prices[2]
    assert (medium.yuan, medium.last_month_yuan, medium.discount_pct) == (45000, 56250, 20)
    assert medium.start_time == datetime.fromtimestamp(1726000000, tz=UTC)
    assert medium.end_time == datetime(2038, 1, 1, tzinfo=UTC)
    assert c.prices[1].last_month_yuan == 16500
    cpm_settled = c.prices[92]
    assert (cpm_settled.yuan, cpm_settled.floor_yuan, cpm_settled.ceiling_yuan) == (37, 12800, 96000)


def test_task_prices_win_over_mirrored_attributes() -> None:
    raw = author({"price_20_60": "99999"}, task_infos=task(price_info(2, 45000)))
    assert parse_author(raw, PriceUnit.YUAN).price(Duration.MEDIUM) == 45000


@pytest.mark.parametrize(
    "task_infos",
    [[], task(), [{"online_status": 1, "platform_source": 1, "task_category": 1, "task_status": 1}]],
    ids=["no task", "price_infos []", "no price_infos key"],
)
def test_mirrored_price_attributes_are_the_fallback(task_infos: list[dict[str, Any]]) -> None:
    raw = author({"price_1_20": "12500", "price_20_60": "26000", "price_60": "0"}, task_infos=task_infos)
    c = parse_author(raw, PriceUnit.YUAN)
    assert {vt: p.yuan for vt, p in c.prices.items()} == {1: 12500, 2: 26000}
    assert c.prices[1].start_time is None


def test_upstream_cpm_and_cpe_with_their_twins() -> None:
    raw = author(
        {
            "prospective_1_20_cpm": "15.1722",
            "sn_prospective_20_60_cpm": "34.1373",  # only the sn_ twin
            "sn_prospective_1_20_cpe": "0.8127",
            "prospective_60_cpe": "6.9034",  # a non-sn CPE, should it ever appear
            "sn_prospective_60_cpm": "0",  # zero means unknown, not free
        }
    )
    c = parse_author(raw, PriceUnit.YUAN)
    assert c.upstream_cpm == {Duration.SHORT: 15.1722, Duration.MEDIUM: 34.1373}
    assert c.upstream_cpe == {Duration.SHORT: 0.8127, Duration.LONG: 6.9034}


def test_fen_divides_every_money_field_by_100() -> None:
    attrs = {
        "price_60": "30000",
        "prospective_20_60_cpm": "34.1373",
        "sn_prospective_20_60_cpe": "2.0518",
        "interact_rate_within_30d": "0.0231",
        "link_star_index": "66.5",
    }
    infos = task(
        price_info(2, 45000, {"price_discount_range": "20", "price_last_month": "56250"}),
        price_info(92, 37, {"ceiling_price": "96000", "floor_price": "12800"}),
    )
    yuan = parse_author(author(attrs, task_infos=infos), PriceUnit.YUAN)
    fen = parse_author(author(attrs, task_infos=infos), PriceUnit.FEN)
    assert MONEY_DIVISOR[PriceUnit.FEN] == 100
    assert fen.prices[2].yuan == 450 and fen.prices[2].last_month_yuan == 562.5
    assert fen.prices[2].discount_pct == yuan.prices[2].discount_pct == 20  # a percentage, not money
    assert (fen.prices[92].yuan, fen.prices[92].floor_yuan, fen.prices[92].ceiling_yuan) == (0.37, 128, 960)
    assert fen.price(Duration.LONG) == 300  # mirrored fallback too
    assert fen.cpm(Duration.MEDIUM) == pytest.approx(0.341373)
    assert fen.cpe(Duration.MEDIUM) == pytest.approx(0.020518)
    assert (fen.interact_rate, fen.link_star_index) == (yuan.interact_rate, yuan.link_star_index)


def test_cpm_prefers_upstream_else_computes_price_per_thousand_expected_plays() -> None:
    attrs = {"expected_play_num": "1318207", "interact_rate_within_30d": "0.0231"}
    infos = task(price_info(2, 45000))
    computed = parse_author(author(attrs, task_infos=infos), PriceUnit.YUAN)
    assert computed.upstream_cpm == {}
    assert computed.cpm(Duration.MEDIUM) == pytest.approx(45000 * 1000 / 1318207)
    assert computed.cpe(Duration.MEDIUM) == pytest.approx(45000 / (1318207 * 0.0231))
    upstream = parse_author(
        author(attrs | {"prospective_20_60_cpm": "34.1373"}, task_infos=infos), PriceUnit.YUAN
    )
    assert upstream.cpm(Duration.MEDIUM) == 34.1373
    assert upstream.cpm(Duration.MEDIUM) == pytest.approx(computed.cpm(Duration.MEDIUM), abs=5e-5)


def test_synthetic_upstream_cpm_matches_the_identity() -> None:
    """Across generated authors: Creator.cpm (upstream) == price × 1000 / expected plays, to 4 dp."""
    checked = 0
    for raw in (
        synth.search_body("美妆", 1)["data"]["authors"] + synth.search_body("数码", 2)["data"]["authors"]
    ):
        c = parse_author(raw, PriceUnit.YUAN)
        for d in Duration:
            if d in c.upstream_cpm:
                assert c.cpm(d) == pytest.approx(round(c.price(d) * 1000 / c.expected_plays, 4), abs=1e-9)
                checked += 1
    assert checked >= 5


# -- recent works ---------------------------------------------------------------------------


def test_last_10_items_all_strings_with_junk_null_keys() -> None:
    items = [
        {
            "comment_cnt": "412",
            "is_high_quality_item": "1",
            "item_create_time": "1793001200",
            "item_id": "7700583925510214401",
            "item_publish_time": "1793001234",
            "item_title": "买一送一",
            "like_cnt": "9320",
            "share_cnt": "2230",
            "vv": "603117",
            "第二件半价": None,
        },
        {"item_id": "7700583925510214402", "vv": "42.5", "item_create_time": "1792990000"},
        {"vv": "1"},  # no id: dropped
        "not an object",
    ]
    c = parse_author(author({"last_10_items": json.dumps(items, ensure_ascii=False)}), PriceUnit.YUAN)
    first, second = c.recent_works()
    assert (first.item_id, first.title, first.views, first.likes) == (
        "7700583925510214401",
        "买一送一",
        603117,
        9320,
    )
    assert (first.comments, first.shares, first.high_quality) == (412, 2230, True)
    assert first.published_at == datetime.fromtimestamp(1793001234, tz=UTC)
    assert (second.title, second.views, second.likes, second.high_quality) == ("", 42, None, None)
    assert second.published_at == datetime.fromtimestamp(1792990000, tz=UTC)


def test_recent_works_stay_text_until_read_and_survive_a_snapshot_round_trip() -> None:
    """A search never parses recent works; the deep-dive reads them, also from a stored snapshot."""
    text = json.dumps([{"item_id": "1", "vv": "10"}, {"item_id": "2", "like_cnt": "3"}])
    c = parse_author(author({"last_10_items": text}), PriceUnit.YUAN)
    assert c.recent_items == text  # not parsed by the search
    stored = Creator.model_validate_json(c.model_dump_json())
    assert [(i.item_id, i.views, i.likes) for i in stored.recent_works()] == [("1", 10, None), ("2", None, 3)]
    assert isinstance(stored.recent_items, list)  # parsed once, then kept
    legacy = Creator.model_validate_json(stored.model_dump_json())  # snapshots written before: a list
    assert legacy.recent_works() == stored.recent_works()


# -- malformed authors and pages ------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "not an object",
        author({"id": ""}) | {"star_id": ""},
        {k: v for k, v in author().items() if k != "star_id"} | {"attribute_datas": {"nick_name": "x"}},
        author() | {"attribute_datas": []},
        author() | {"attribute_datas": "{}"},
        author({"nick_name": ""}),
        author({"nick_name": None}),
    ],
    ids=[
        "not a dict",
        "empty star_id",
        "no star_id",
        "attrs list",
        "attrs string",
        "empty name",
        "null name",
    ],
)
def test_malformed_author_raises_value_error(raw: Any) -> None:
    with pytest.raises(ValueError):
        parse_author(raw, PriceUnit.YUAN)


def test_star_id_falls_back_to_attribute_id() -> None:
    raw = {k: v for k, v in author().items() if k != "star_id"}
    assert parse_author(raw, PriceUnit.YUAN).star_id == STAR_ID


def test_page_skips_and_counts_malformed_authors() -> None:
    good = author()
    data = {
        "authors": [
            good,
            author() | {"attribute_datas": None},
            "junk",
            author({"city": "杭州"}),
        ],
        "pagination": {"has_more": True, "limit": 20, "page": 3, "total_count": 2903},
    }
    page = parse_search_data(data, PriceUnit.YUAN)
    assert [c.star_id for c in page.creators] == [STAR_ID, STAR_ID]
    assert (page.skipped, page.total_count, page.has_more) == (2, 2903, True)


def test_empty_page_and_missing_pagination() -> None:
    page = parse_search_data({"authors": []}, PriceUnit.YUAN)
    assert (page.creators, page.skipped, page.total_count, page.has_more) == ([], 0, None, False)


def test_data_without_authors_is_rejected() -> None:
    with pytest.raises(ValueError):
        parse_search_data({"base_resp": {"status_code": 0}}, PriceUnit.YUAN)


def test_a_whole_synthetic_page_parses_without_skips() -> None:
    body = synth.search_body("护肤", 1)
    page = parse_search_data(body["data"], PriceUnit.YUAN)
    assert len(page.creators) == 20 and page.skipped == 0
    assert page.total_count == body["data"]["pagination"]["total_count"] and page.has_more


def test_the_xingtu_index_is_link_star_index_never_the_legacy_star_index() -> None:
    """星图指数 as Xingtu shows it today is `link_star_index` (else its `_by_industry` twin). The legacy
    `star_index` (few creators, another number) is not read: the cards, the score and `star>=` agree
    with the deep-dive."""
    attrs = {"star_index": "63.40918311570239", "link_star_index": "75.11"}
    both = parse_author(author(attrs), PriceUnit.YUAN)
    assert both.link_star_index == 75.11 and metric_value(both, "star", Duration.MEDIUM) == 75.11
    legacy_only = parse_author(author({"star_index": "63.40918311570239"}), PriceUnit.YUAN)
    assert metric_value(legacy_only, "star", Duration.MEDIUM) is None
    twin = parse_author(author({"link_star_index_by_industry": "71.82"}), PriceUnit.YUAN)
    assert twin.link_star_index == 71.82
    assert "star_index" not in Creator.model_fields
