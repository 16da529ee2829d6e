"""Amounts and rebates typed into shortlist forms and plans: forgiving, never silently misread."""

from __future__ import annotations

import pytest

from bot.errors import KolbotError
from bot.i18n import tr
from bot.shortlists.inputs import clean_name, parse_budget, parse_rebate


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("200000", 200_000),
        ("200,000", 200_000),
        ("¥200,000", 200_000),
        ("２０万", 200_000),  # full-width digits
        ("20 万", 200_000),  # a unit after a space
        ("1.5k元", 1_500),
        ("15萬", 150_000),  # Traditional Chinese, as searches read it
        ("1.5億", 150_000_000),
    ],
)
def test_budgets_people_type(text: str, yuan: float) -> None:
    assert parse_budget(text) == yuan


@pytest.mark.parametrize("text", ["1,2,3", "12,34", "abc", "-5"])
def test_misplaced_commas_and_non_numbers_are_refused(text: str) -> None:
    with pytest.raises(KolbotError):
        parse_budget(text)


@pytest.mark.parametrize("text", ["15", "15%", "15 %", "１５％"])
def test_rebates_in_any_width(text: str) -> None:
    assert parse_rebate(text) == 15


def test_an_invisible_name_is_no_name() -> None:
    with pytest.raises(KolbotError):
        clean_name("\u200b \u200d")


def test_new_list_options_in_any_script_and_the_name_around_them() -> None:
    from bot.shortlists.inputs import new_list_args

    assert new_list_args(["618", "護膚", "預算=15萬", "时长=60+"]) == (
        "618 護膚",
        {"budget": "15萬", "duration": "60+"},
    )
    assert new_list_args(["a=b", "Spring"]) == ("a=b Spring", {})  # too short to be a mistyped option


def test_a_mistyped_option_is_refused_not_made_part_of_the_name() -> None:
    from bot.shortlists.inputs import new_list_args

    with pytest.raises(KolbotError) as caught:
        new_list_args(["春季H", "budgt=5万"])
    assert "`budgt=5万` is not an option of a new shortlist" in str(caught.value)
    assert "预算= 和 时长=" in tr("zh", caught.value.hint)


def test_a_chinese_option_written_without_equals_is_an_option_not_part_of_the_name() -> None:
    """`/kol 候选名单 新建 618 美妆 预算15万 时长21-60` made a list called "618 美妆 预算15万 时长21-60"."""
    from bot.shortlists.inputs import new_list_args

    assert new_list_args(["618", "美妆", "预算15万", "时长21-60"]) == (
        "618 美妆",
        {"budget": "15万", "duration": "21-60"},
    )
    assert new_list_args(["618", "預算¥15萬"]) == ("618", {"budget": "¥15万"})
    assert new_list_args(["预算会议"]) == ("预算会议", {})  # no value after it: a name
    assert new_list_args(["双11", "预算十五万"]) == ("双11", {"budget": "十五万"})  # numerals too
    assert new_list_args(["预算2025 规划"]) == ("预算2025 规划", {})  # a quoted name stays a name
    with pytest.raises(KolbotError) as mistyped:
        new_list_args(["Q4", "预算额=15万"])
    assert "`预算额=15万` is not an option of a new shortlist" in str(mistyped.value)


def test_new_list_options_forgive_full_width_and_colons_but_not_repeats() -> None:
    from bot.shortlists.inputs import new_list_args

    assert new_list_args(["B9", "預算＝15萬"]) == ("B9", {"budget": "15萬"})
    assert new_list_args(["B10", "预算：15万"]) == ("B10", {"budget": "15万"})
    assert new_list_args(["Q3:美妆"]) == ("Q3:美妆", {})  # not an option: part of the name
    with pytest.raises(KolbotError) as twice:
        new_list_args(["B14", "budget=15万", "budget=20万"])
    assert "`budget=20万` is given twice" in str(twice.value)


def test_a_budget_beyond_any_campaign_is_refused() -> None:
    assert parse_budget("10亿") == 1e9
    with pytest.raises(KolbotError):
        parse_budget("99999999999999999999亿")
