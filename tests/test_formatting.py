"""Numbers as marketers read them: yuan, 万/亿 in Chinese, K/M in English, units, and — for unknown."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from bot import formatting as fmt
from bot.models import Duration


@pytest.mark.parametrize(
    ("value", "en", "zh"),
    [
        (0, "¥0", "¥0"),
        (200, "¥200", "¥200"),
        (8000, "¥8,000", "¥8,000"),
        (9999, "¥9,999", "¥9,999"),
        (9999.6, "¥10,000", "¥1万"),
        (10_000, "¥10,000", "¥1万"),
        (27_500, "¥27,500", "¥2.75万"),
        (315_000, "¥315,000", "¥31.5万"),
        (1_234_567, "¥1,234,567", "¥123.46万"),
        (99_999_999, "¥99,999,999", "¥1亿"),
        (100_000_000, "¥100,000,000", "¥1亿"),
        (120_000_000, "¥120,000,000", "¥1.2亿"),
        (49.5, "¥49.50", "¥49.50"),
        (-500, "-¥500", "-¥500"),
        (-27_500, "-¥27,500", "-¥2.75万"),
    ],
)
def test_yuan(value: float, en: str, zh: str) -> None:
    assert fmt.yuan(value, "en") == en
    assert fmt.yuan(value, "zh") == zh


@pytest.mark.parametrize(
    ("value", "en", "zh"),
    [
        (0, "0", "0"),
        (866, "866", "866"),
        (999.6, "1K", "1,000"),
        (9999, "10K", "9,999"),
        (10_000, "10K", "1万"),
        (439_139, "439.1K", "43.9万"),
        (999_960, "1M", "100万"),
        (1_234_567, "1.2M", "123.5万"),
        (99_999_999, "100M", "1亿"),
        (123_456_789, "123.5M", "1.2亿"),
        (999_960_000, "1B", "10亿"),
        (-866, "-866", "-866"),
        (-12_345, "-12.3K", "-1.2万"),
    ],
)
def test_count(value: float, en: str, zh: str) -> None:
    assert fmt.count(value, "en") == en
    assert fmt.count(value, "zh") == zh


@pytest.mark.parametrize(
    ("value", "en", "zh"),
    [
        (34.05, "¥34.05 / 1k plays", "¥34.05/千次播放"),
        (257.2281, "¥257.23 / 1k plays", "¥257.23/千次播放"),
        (0.0042, "<¥0.01 / 1k plays", "<¥0.01/千次播放"),
        (0.0, "¥0.00 / 1k plays", "¥0.00/千次播放"),
        (9065, "¥9,065 / 1k plays", "¥9,065/千次播放"),
        (123_456, "¥123,456 / 1k plays", "¥12.35万/千次播放"),
    ],
)
def test_cpm_carries_its_unit(value: float, en: str, zh: str) -> None:
    assert fmt.cpm(value, "en") == en
    assert fmt.cpm(value, "zh") == zh


def test_cpe_carries_its_unit() -> None:
    assert fmt.cpe(1.9124, "en") == "¥1.91 / engagement"
    assert fmt.cpe(1.9124, "zh") == "¥1.91/次互动"
    assert fmt.cpe(5339.2, "en") == "¥5,339 / engagement"


@pytest.mark.parametrize(
    "show",
    [
        lambda v: fmt.yuan(v, "en"),
        lambda v: fmt.yuan(v, "zh"),
        lambda v: fmt.count(v, "en"),
        lambda v: fmt.count(v, "zh"),
        lambda v: fmt.cpm(v, "en"),
        lambda v: fmt.cpe(v, "zh"),
        fmt.pct,
        fmt.index,
        fmt.usd,
        lambda v: fmt.growth(v, v, "en"),
    ],
)
@pytest.mark.parametrize("unknown", [None, math.nan, math.inf])
def test_unknown_is_a_dash_never_zero(show, unknown) -> None:
    assert show(unknown) == fmt.DASH == "—"


def test_rates_are_percentages() -> None:
    assert fmt.pct(0.0196) == "1.96%"
    assert fmt.pct(0.1138) == "11.38%"
    assert fmt.pct(1) == "100.00%"
    assert fmt.pct(0) == "0.00%"
    assert fmt.pct(0.00001) == "<0.01%"
    assert fmt.pct(-0.0019679537144558245) == "-0.20%"
    assert fmt.pct(0.028, digits=1) == "2.8%"


def test_growth_has_a_sign() -> None:
    assert fmt.growth(32_778, 0.028, "en") == "+32,778 (+2.8%)"
    assert fmt.growth(32_778, 0.028, "zh") == "+3.3万（+2.8%）"
    assert fmt.growth(-866, -0.0019679537144558245, "en") == "-866 (-0.2%)"
    assert fmt.growth(-866, None, "zh") == "-866"
    assert fmt.growth(0, 0.0, "en") == "+0 (+0.0%)"
    assert fmt.growth(None, 0.01, "en") == "+1.0%"
    assert fmt.growth(188_588.95, None, "en") == "+188,589"


def test_index_usd_duration() -> None:
    assert fmt.index(66.71750302170152) == "66.7"
    assert fmt.index(0) == "0.0"
    assert fmt.usd(0.06) == "$0.06"
    assert fmt.usd(0) == "$0.00"
    assert fmt.usd(1234.5) == "$1,234.50"
    assert [fmt.duration_label(d, "en") for d in Duration] == ["1–20 s", "21–60 s", "60 s+"]
    assert [fmt.duration_label(d, "zh") for d in Duration] == ["1-20秒", "21-60秒", "60秒以上"]


def test_wan_range_spells_out_w() -> None:
    assert fmt.wan_range("1k-3w", "en") == "1K-30K"
    assert fmt.wan_range(">100w", "en") == ">1M"
    assert fmt.wan_range("20w-100w", "zh") == "20万-100万"
    assert fmt.wan_range("<=1k", "zh") == "<=1k"


NOW = datetime(2025, 11, 20, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("age", "en", "zh"),
    [
        (timedelta(seconds=-30), "just now", "刚刚"),
        (timedelta(seconds=59), "just now", "刚刚"),
        (timedelta(minutes=12), "12 min ago", "12分钟前"),
        (timedelta(hours=2, minutes=5), "2 h ago", "2小时前"),
        (timedelta(hours=47), "47 h ago", "47小时前"),
        (timedelta(days=3), "3 d ago", "3天前"),
    ],
)
def test_ago(age: timedelta, en: str, zh: str) -> None:
    assert fmt.ago(NOW - age, NOW, "en") == en
    assert fmt.ago(NOW - age, NOW, "zh") == zh


def test_times_without_zone_are_utc() -> None:
    naive = datetime(2025, 11, 20, 6, 0)
    assert fmt.ago(naive, NOW, "en") == "2 h ago"
    assert fmt.utc_minute(naive) == "2025-11-20 06:00 UTC"
    assert fmt.ago(None, NOW, "en") == fmt.DASH


def test_places_read_in_english_for_english_readers() -> None:
    from bot.formatting import place

    assert place(["广东省", "深圳市"], "en") == "Guangdong Shenzhen"
    assert place(["上海", "上海"], "en") == "Shanghai"  # a municipality is its own province
    assert place(["广东", "揭阳"], "en") == "Guangdong 揭阳"  # a city kolbot has no name for stays
    assert place(["广东", None, ""], "zh") == "广东"
