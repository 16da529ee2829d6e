"""`audience_*=` tokens in the search grammar: carried on the query for the Details audience fit."""

from __future__ import annotations

import pytest

from bot.audience import parse_audience_targets
from bot.errors import QueryError
from bot.grammar import describe_filters, parse_query, usage
from bot.i18n import tr
from bot.models import Gender, GenderTarget, RangeTarget, TargetKind


def test_audience_tokens_are_carried_not_searched() -> None:
    query = parse_query("护肤 audience_gender=female>=70% audience_age=18-30 audience_city_tier=1-2 cpm<=80")
    assert query.keywords == ["护肤"]
    targets = query.audience.targets
    assert [t.kind for t in targets] == [TargetKind.GENDER, TargetKind.AGE, TargetKind.CITY_TIER]
    assert targets[0] == GenderTarget(gender=Gender.FEMALE, min_share=0.7)
    assert targets[2] == RangeTarget(kind=TargetKind.CITY_TIER, low=1, high=2)
    assert query.cpm is not None and not parse_query("护肤").audience


def test_chinese_names_and_full_width_symbols() -> None:
    query = parse_query("美妆 受众性别=女≥60％ 受众年龄＝18-30 受众城市等级=1-2")
    assert query.audience == parse_audience_targets(
        ["audience_gender=女>=60%", "audience_age=18-30", "audience_city_tier=1-2"]
    )
    assert query.audience.targets[0].min_share == pytest.approx(0.6)


def described(query, lang) -> list[str]:
    return [tr(lang, text) for text in describe_filters(query)]


def test_filters_line_says_the_targets_screen_by_portrait() -> None:
    query = parse_query("护肤 audience_gender=female>=70% audience_age=18-30")
    assert "audience (screened by portrait): female ≥70%, age 18-30 ≥50%" in [
        tr("en", t) for t in describe_filters(query)
    ]
    assert "受众（按画像筛查）：女性 ≥70%、18-30岁 ≥50%" in [tr("zh", t) for t in describe_filters(query)]
    assert not any(
        "audience" in line for line in [tr("en", t) for t in describe_filters(parse_query("护肤"))]
    )
    assert not any(
        "audience" in line for line in [tr("en", t) for t in describe_filters(parse_query("护肤 screen=5"))]
    )


@pytest.mark.parametrize(
    ("text", "token", "message"),
    [
        ("护肤 audience_gender=robot", "audience_gender=robot", "Audience gender must be female or male"),
        ("护肤 audience_age=30-18", "audience_age=30-18", "The range must run low-high within 0-120"),
        ("护肤 audience_city_tier=0-9", "audience_city_tier=0-9", "within 1-5"),
        ("护肤 audience_age=18-30 audience_age=20-25", "audience_age=20-25", "given twice"),
        ("护肤 audience_age>=18", "audience_age>=18", "only takes `=`"),
        ("护肤 audience_gender=female>=0%", "audience_gender=female>=0%", "between 1% and 100%"),
        # an alias is quoted as typed, not as the canonical name
        ("护肤 受众年龄=18-300", "受众年龄=18-300", "within 0-120"),
        ("护肤 受众城市 = 二线-一线", "受众城市 = 二线-一线", "from higher to lower"),
        ("护肤 受众性别：机器人", "受众性别:机器人", "female or male"),
        ("护肤 受众年龄=18-30 受众年龄=20-25", "受众年龄=20-25", "given twice"),
        ("护肤 筛查=99", "筛查=99", "from 1 to 50"),
    ],
)
def test_bad_targets_name_the_token(text: str, token: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    assert (
        caught.value.token == token and message in tr("en", caught.value.what) and tr("zh", caught.value.what)
    )
    assert f"`{token}`" in tr("en", caught.value.what)


def test_a_search_still_needs_a_keyword() -> None:
    with pytest.raises(QueryError, match="at least one keyword"):
        parse_query("audience_gender=female")


def test_usage_mentions_the_audience_targets() -> None:
    assert "audience_gender=female>=70%" in tr("en", usage()) and "受众性别=女>=70%" in tr("zh", usage())
