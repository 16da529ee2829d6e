"""Amounts in Chinese numerals: `粉丝十万以上` is a filter, not a paid search for the words."""

from __future__ import annotations

import pytest

from bot.chinese_numerals import arabic
from bot.grammar import parse_query


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("十万", "10万"),
        ("十万以上", "10万以上"),
        ("百万", "100万"),
        ("一百万", "100万"),
        ("两万", "2万"),
        ("五千", "5000"),
        ("三十五万", "35万"),
        ("一百五十万", "150万"),
        ("一百零五", "105"),
        ("1百万", "100万"),
        ("两千五", "2500"),  # a digit after a unit counts in the unit below it
        ("一百五", "150"),
        ("一万五", "15000"),
        ("十万零五百", "100500"),
        ("千万", "1000万"),
        ("一亿五千万", "15000万"),
        ("一两万", "一两万"),  # a spoken range is no one number: left to be a keyword
        ("三五千", "三五千"),
        ("十十", "十十"),
        ("五零万", "五零万"),
        ("5千", "5千"),  # the digit grammar reads it already
        ("10万", "10万"),
        ("护肤", "护肤"),
    ],
)
def test_a_leading_amount_in_numerals_is_written_in_digits(typed: str, read: str) -> None:
    assert arabic(typed) == read


@pytest.mark.parametrize(
    ("line", "field", "low", "high"),
    [
        ("护肤 粉丝十万以上", "followers", 100_000, None),
        ("护肤 粉丝百万以上", "followers", 1_000_000, None),
        ("护肤 粉丝 一百万以上", "followers", 1_000_000, None),
        ("护肤 粉丝>=十万", "followers", 100_000, None),
        ("护肤 报价五千以内", "price", None, 5_000),
        ("护肤 报价两千五以内", "price", None, 2_500),
        ("护肤 粉丝一万五以上", "followers", 15_000, None),
        ("护肤 粉丝千万以上", "followers", 10_000_000, None),
        ("护肤 粉丝一到五万", "followers", 10_000, 50_000),  # the upper end's 万 for both, as `1到5万`
        ("護膚 粉絲十萬以上", "followers", 100_000, None),
    ],
)
def test_filters_written_with_numerals_are_filters(
    line: str, field: str, low: float | None, high: float | None
) -> None:
    query = parse_query(line)
    bounds = getattr(query, field)
    assert query.keywords == ["护肤"] and (bounds.low, bounds.high) == (low, high)


def test_a_keyword_with_numerals_in_it_stays_as_typed() -> None:
    assert parse_query("十万个为什么 粉丝>=1w").keywords == ["十万个为什么"]
