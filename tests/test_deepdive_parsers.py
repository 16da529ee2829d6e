"""Deep-dive route parsers on edge bodies: int vs string types, fen vs yuan, missing and junk keys."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.deepdive import parsers
from bot.deepdive.models import DistributionKind, ServicePrice
from bot.demo import synth_detail
from bot.errors import UpstreamError, UpstreamKind
from bot.i18n import tr
from bot.models import Duration

STAR_ID = "7000000000000000001"


def body(data: dict[str, Any], status: int = 0) -> dict[str, Any]:
    return {"code": 200, "data": {"base_resp": {"status_code": status, "status_message": ""}, **data}}


# -- envelope ----------------------------------------------------------------------------


def test_refusal_inside_http_200_raises_refused() -> None:
    with pytest.raises(UpstreamError) as err:
        parsers.parse_cp_info(body({}, status=10003))
    assert err.value.kind is UpstreamKind.REFUSED
    assert err.value.upstream_code == 10003


@pytest.mark.parametrize("bad", [{}, {"code": 200, "data": None}, {"code": 200, "data": []}])
def test_body_without_data_object_is_malformed(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        parsers.parse_base_info(bad)


# -- base info ---------------------------------------------------------------------------


def test_base_info_reads_real_types_and_tolerates_search_style_strings() -> None:
    native = body(
        {
            "id": STAR_ID,
            "nick_name": "测试达人",
            "follower": 12345678,
            "author_type": 2,
            "gender": 1,
            "e_commerce_enable": True,
            "tags_relation": {"美妆": ["护肤保养"]},
            "mcn_id": "6600000000000000042",
            "mcn_name": "示例MCN",
            "create_time": "1541000000",
            "custom_verify": "美妆领域创作者",
        }
    )
    stringy = body(
        {
            "id": STAR_ID,
            "follower": "12345678",
            "author_type": "2",
            "e_commerce_enable": "1",
            "tags_relation": json.dumps({"美妆": ["护肤保养"]}),
            "mcn_id": "0",
        }
    )
    a, b = parsers.parse_base_info(native), parsers.parse_base_info(stringy)
    assert (a.followers, a.author_type, a.e_commerce_enabled, a.tags) == (
        12345678,
        2,
        True,
        {"美妆": ["护肤保养"]},
    )
    assert (b.followers, b.author_type, b.e_commerce_enabled, b.tags) == (
        12345678,
        2,
        True,
        {"美妆": ["护肤保养"]},
    )
    assert a.mcn_name == "示例MCN" and a.verification == "美妆领域创作者"
    assert a.created_at == datetime.fromtimestamp(1541000000, UTC)
    assert b.mcn_id is None  # "0" means no MCN


@pytest.mark.parametrize("bad", ["-5", "1e300"])
def test_an_impossible_follower_count_is_unknown(bad: str) -> None:
    assert parsers.parse_base_info(body({"id": STAR_ID, "follower": bad})).followers is None


def test_base_info_without_id_has_no_data() -> None:
    with pytest.raises(parsers.NoData):
        parsers.parse_base_info(body({"nick_name": "x"}))


# -- service price -----------------------------------------------------------------------


def test_service_price_is_yuan_with_labels_windows_and_changes() -> None:
    data = {
        "industry_tags": ["美妆-护肤"],
        "price_info": [
            {"video_type": 2, "desc": "21-60s视频", "price": 70000, "start_time": "1700000000",
             "end_time": "2145916800",
             "price_extra_info": {"price_last_month": "88000", "price_discount_range": "20"}},
            {"video_type": 71, "price": 0},  # not offered: no times, dropped
            {"video_type": 92, "desc": "按自然播放量结算", "price": 49, "settlement_type": 30,
             "price_extra_info": json.dumps({"ceiling_price": "120000", "floor_price": "16000"})},
            {"video_type": 1, "desc": "1-20s视频", "price": "30000", "end_time": 1765000000},
            {"desc": "no type"},
        ],
    }  # fmt: skip
    prices = parsers.parse_service_price(body(data))
    assert [q.video_type for q in prices.quotes] == [1, 2, 92]
    medium = prices.for_duration(Duration.MEDIUM)
    assert medium.yuan == 70000 and medium.last_month_yuan == 88000 and medium.discount_pct == 20
    assert medium.change_pct == pytest.approx(70000 / 88000 - 1)
    assert medium.start_time == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert medium.end_time is None  # 2038-01-01 means open-ended
    assert prices.for_duration(Duration.SHORT).end_time == datetime(2025, 12, 6, 5, 46, 40, tzinfo=UTC)
    assert prices.for_duration(Duration.LONG) is None
    cpm92 = prices.quotes[-1]
    assert (cpm92.yuan, cpm92.floor_yuan, cpm92.ceiling_yuan) == (49, 16000, 120000)
    assert tr("zh", medium.wording()) == "21-60秒视频" and tr("en", medium.wording()) == "21–60 s video"
    unnamed = ServicePrice(video_type=4242, yuan=100, desc="星图新任务")  # a type kolbot has no name for
    assert tr("zh", unnamed.wording()) == "星图新任务" and tr("en", unnamed.wording()).endswith(
        "(星图新任务)"
    )
    assert prices.industry_tags == ["美妆-护肤"]


def test_service_price_without_any_quote_has_no_data() -> None:
    with pytest.raises(parsers.NoData):
        parsers.parse_service_price(body({"price_info": [{"video_type": 1, "price": 0}]}))


# -- portraits ---------------------------------------------------------------------------


def test_portrait_counts_become_shares_by_kind() -> None:
    data = {
        "distributions": [
            {"type": 1, "type_display": "性别分布", "distribution_list": [
                {"distribution_key": "male", "distribution_value": "2000"},
                {"distribution_key": "female", "distribution_value": "6000"}]},
            {"type": 999, "type_display": "年龄分布", "distribution_list": [
                {"distribution_key": "18-23", "distribution_value": 300},
                {"distribution_key": "24-30", "distribution_value": "junk"}]},
            {"type": 12345, "type_display": "未知", "distribution_list": [
                {"distribution_key": "x", "distribution_value": "1"}]},
            {"type": 32, "distribution_list": []},
        ],
        "last_update_time": "1790000000",
    }  # fmt: skip
    portrait = parsers.parse_portrait(body(data))
    assert set(portrait.distributions) == {DistributionKind.GENDER, DistributionKind.AGE}
    assert portrait.get(DistributionKind.GENDER).shares() == {"male": 0.25, "female": 0.75}
    assert portrait.get(DistributionKind.AGE).counts == {"18-23": 300}  # junk count dropped
    assert portrait.updated_at is not None


def test_portrait_without_distributions_has_no_data() -> None:
    with pytest.raises(parsers.NoData):
        parsers.parse_portrait(body({"distributions": []}))


# -- daily fans --------------------------------------------------------------------------


def test_daily_fans_sorted_by_day_in_either_shape() -> None:
    documented = body(
        {"daily_fans": [{"date": "2026-10-02", "fans_cnt": 1100}, {"date": "2026-10-01", "fans_cnt": "1000"}]}
    )
    alternative = body(
        {"list": [{"time": "1790784000", "follower": 1000}, {"time": 1790870400, "follower": 1100}]}
    )
    for raw in (documented, alternative):
        series = parsers.parse_daily_fans(raw)
        assert [(p.day, p.followers) for p in series.points] == [
            (date(2026, 10, 1), 1000),
            (date(2026, 10, 2), 1100),
        ]
        assert series.changes() == [(date(2026, 10, 2), 100)]


def test_daily_fans_needs_two_days() -> None:
    with pytest.raises(parsers.NoData):
        parsers.parse_daily_fans(
            body({"daily_fans": [{"date": "2026-10-01", "fans_cnt": 5}, {"date": "bad"}]})
        )


# -- fen endpoints -----------------------------------------------------------------------


def test_cp_info_converts_fen_to_yuan_and_zero_to_unknown() -> None:
    cp = parsers.parse_cp_info(
        body(
            {
                "expect_cpm": {"cpm_1_20": "20000", "cpm_21_60": "0", "cpm_60": "150050"},
                "expect_cpe": {"cpe_1_20": "1500", "cpe_21_60": "3001"},
                "expect_vv": {"value": 700000},
            }
        )
    )
    assert cp.cpm == {Duration.SHORT: 200.0, Duration.LONG: 1500.5}
    assert cp.cpe == {Duration.SHORT: 15.0, Duration.MEDIUM: 30.01}
    assert cp.expected_plays == 700000


def test_data_overview_rates_are_per_ten_thousand_and_money_is_fen() -> None:
    overview = parsers.parse_data_overview(
        body(
            {
                "play_mid": "300000",
                "like_avg": "12000",
                "item_num": "5",
                "interact_rate": {"label": "美妆", "overtake": 8100, "value": 400},
                "play_over_rate": {"label": "美妆", "overtake": -2000, "value": "350"},
                "expect_cpm": {"cpm_1_20": "40000", "cpm_21_60": "70050", "cpm_60": "90000"},
            }
        )
    )
    assert overview.median_plays == 300000 and overview.items == 5
    assert overview.interact_rate.value == pytest.approx(0.04)
    assert overview.interact_rate.beats_pct == pytest.approx(81.0)
    assert overview.completion_rate.value == pytest.approx(0.035)
    assert overview.completion_rate.beats_pct is None  # negative overtake = unknown
    assert overview.cpm[Duration.MEDIUM] == pytest.approx(700.5)


# -- indices and lookups -----------------------------------------------------------------


def test_xingtu_index_object_and_list_forms() -> None:
    as_object = body(
        {
            "link_spread_index": {"value": "61.2", "avg_value": 55, "rank_percent": "92"},
            "link_star_index": {"value": 72.65, "avg_value": "50.1", "rank_percent": "0.83"},
            "broken": {"value": ""},
        }
    )
    as_list = body({"indices": [{"key": "link_star_index", "value": 72.65, "rank_percent": 0.83}]})
    index = parsers.parse_xingtu_index(as_object)
    assert [s.key for s in index.scores] == ["link_star_index", "link_spread_index"]
    assert index.get("link_star_index").rank_pct == pytest.approx(83)
    assert index.get("link_spread_index").rank_pct == 92
    assert parsers.parse_xingtu_index(as_list).get("link_star_index").value == 72.65


@pytest.mark.parametrize(
    "data",
    [
        {"star_id": STAR_ID},
        {"kol_id": int(STAR_ID)},
        {"data": {"id": STAR_ID}},
        {"author": {"kolId": STAR_ID}},
    ],
)
def test_kolid_found_under_any_known_key(data: dict[str, Any]) -> None:
    assert parsers.parse_kolid(body(data)) == STAR_ID


def test_kolid_missing_has_no_data() -> None:
    with pytest.raises(parsers.NoData):
        parsers.parse_kolid(body({"id": "0"}))


# -- synthetic bodies round-trip ---------------------------------------------------------

_PARSERS = {
    synth_detail.BASE_INFO: parsers.parse_base_info,
    synth_detail.SERVICE_PRICE: parsers.parse_service_price,
    synth_detail.AUDIENCE: parsers.parse_portrait,
    synth_detail.FANS: parsers.parse_portrait,
    synth_detail.DAILY_FANS: parsers.parse_daily_fans,
    synth_detail.CP_INFO: parsers.parse_cp_info,
    synth_detail.DATA_OVERVIEW: parsers.parse_data_overview,
    synth_detail.XINGTU_INDEX: parsers.parse_xingtu_index,
}


def test_every_synthetic_body_parses_or_is_a_clean_refusal() -> None:
    outcomes: dict[str, set[str]] = {route: set() for route in _PARSERS}
    for star_id in synth_detail.demo_star_ids()[:80]:
        for route, parse in _PARSERS.items():
            params = {"kolId": star_id, "startDate": "2026-08-01", "endDate": "2026-10-29"}
            try:
                parse(synth_detail.detail_body(route, params))
                outcomes[route].add("ok")
            except UpstreamError as exc:
                assert exc.kind is UpstreamKind.REFUSED and synth_detail.is_refused(route, star_id)
                outcomes[route].add("refused")
            except parsers.NoData:
                outcomes[route].add("empty")
    assert all("ok" in seen for seen in outcomes.values())
    assert "refused" in outcomes[synth_detail.AUDIENCE]
    assert "empty" in outcomes[synth_detail.SERVICE_PRICE]  # unpriced creators


def test_synthetic_bodies_keep_endpoint_types() -> None:
    star_id = synth_detail.demo_star_ids()[0]
    base = synth_detail.detail_data(synth_detail.BASE_INFO, {"kolId": star_id})
    assert isinstance(base["follower"], int) and isinstance(base["tags_relation"], dict)
    assert isinstance(base["e_commerce_enable"], bool)
    cp = synth_detail.detail_data(synth_detail.CP_INFO, {"kolId": star_id})
    assert all(isinstance(v, str) for v in cp["expect_cpm"].values())
    assert isinstance(cp["expect_vv"]["value"], int)


def test_unknown_star_id_gets_empty_successful_answers() -> None:
    data = synth_detail.detail_data(synth_detail.BASE_INFO, {"kolId": STAR_ID})
    assert data == {"base_resp": {"status_code": 0, "status_message": ""}}
