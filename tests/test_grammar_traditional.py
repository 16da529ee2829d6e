"""Traditional Chinese input: every Chinese word kolbot accepts (filter names, option values, units,
bound words, city tiers, audience names, subcommands) works in its Traditional forms too, as
written in Taiwan (s2tw) and Hong Kong (s2hk); messages quote what was typed."""

from __future__ import annotations

from typing import Any

import pytest
from opencc import OpenCC

from bot import vocabulary as vocab
from bot.cards.errors import error_text
from bot.errors import QueryError
from bot.grammar import parse_query
from bot.models import Query
from handlers.commands import digest, kol, plan, shortlist

_TO_TRADITIONAL = [OpenCC("s2tw"), OpenCC("s2hk")]


def traditional(text: str) -> list[str]:
    """`text` as Taiwan and Hong Kong write it (`一线`: `一線`, `一綫`), where that differs."""
    return sorted({c.convert(text) for c in _TO_TRADITIONAL} - {text})


def chinese(words: tuple[str, ...] | list[str]) -> list[str]:
    return [w for w in words if not w.isascii()]


def understood(query: Query) -> dict[str, Any]:
    """What a query searches for, leaving out the text as typed."""
    return query.model_dump(exclude={"raw", "notes"})


def same_as_simplified(simple: str) -> None:
    forms = traditional(simple)
    for typed in forms:
        assert understood(parse_query(typed)) == understood(parse_query(simple)), typed


# A valid value for each filter, to try each Chinese name of it with.
VALUES = {
    "followers": "10万",
    "price": "5000",
    "er": "3%",
    "completion": "15%",
    "star": "60",
    "growth": "2%",
    "ecom": "L3",
    "gender": "女",
    "region": "广东",
    "tag": "护肤保养",
    "duration": "长视频",
    "sort": "价格",
    "goal": "种草",
    "pages": "2",
    "top": "5",
    "brands": "是",
    "unknowns": "否",
    "lang": "英文",
    "view": "详细",
    "keyword": "美发",
    "audience_gender": "女>=60%",
    "audience_age": "18-30",
    "audience_city_tier": "二线城市",
    "screen": "10",
}
NAMES = [(name, alias) for name, aliases in vocab.ALIASES.items() for alias in chinese(aliases)]


@pytest.mark.parametrize(("name", "alias"), NAMES, ids=[a for _, a in NAMES])
def test_every_chinese_filter_name_works_in_traditional(name: str, alias: str) -> None:
    same_as_simplified(f"护肤 {alias}={VALUES[name]}")


OPTION_TABLES = {
    "sort": vocab.SORTS,
    "goal": vocab.GOALS,
    "duration": vocab.DURATIONS,
    "gender": vocab.GENDERS,
    "brands": vocab.BOOLS,
    "lang": vocab.LANGS,
    "view": vocab.VIEWS,
}
OPTIONS = [
    (option, word)
    for option, table in OPTION_TABLES.items()
    for aliases in table.values()
    for word in chinese(aliases)
]


@pytest.mark.parametrize(("option", "word"), OPTIONS, ids=[f"{o}={w}" for o, w in OPTIONS])
def test_every_chinese_option_value_works_in_traditional(option: str, word: str) -> None:
    same_as_simplified(f"护肤 {option}={word}")


@pytest.mark.parametrize("word", list(vocab.BOUND_BEFORE))
def test_bound_words_before_the_value(word: str) -> None:
    same_as_simplified(f"护肤 粉丝{word}10万")


@pytest.mark.parametrize("word", chinese([w for w, _ in vocab.BOUND_AFTER]))
def test_bound_words_after_the_value(word: str) -> None:
    same_as_simplified(f"护肤 粉丝10万{word}")
    same_as_simplified(f"护肤 10万粉{word}")


@pytest.mark.parametrize(
    "text",
    [
        "护肤 粉丝>=10万 报价<=5千 cpm<=1亿",  # units
        "护肤 粉丝>=10 万",  # a unit after a space
        "护肤 粉丝10万-50万",  # a name then its value
        "护肤 1-5万粉",  # the value, then the name
        "护肤 粉丝 超过 10万",  # over three words
        "护肤，粉丝>=10w、互动率>=3%",  # separators before filters
        "护肤 受众城市=新一线-三线",  # city tiers
        "护肤 受众城市等级=二线及以上",
        "护肤 受众城市=五线城市",
    ],
)
def test_units_shorthands_and_tiers_work_in_traditional(text: str) -> None:
    assert traditional(text)
    same_as_simplified(text)


def test_the_reviewed_examples() -> None:
    query = parse_query("護膚 粉絲>=10w 價格<=5萬 互動率>=3% 地區=廣東 標籤=護膚保養")
    assert query.followers is not None and query.followers.low == 100_000
    assert query.price is not None and query.price.high == 50_000
    assert query.er is not None and query.er.low == pytest.approx(0.03)
    assert not query.notes  # nothing was taken for a keyword


def test_keywords_tags_and_regions_are_searched_in_simplified() -> None:
    """Xingtu writes Simplified: 護膚 finds what 护肤 finds; the line stays as typed."""
    query = parse_query("護膚 「美髮 教程」 地區=臺灣,廣東 標籤=護膚保養")
    assert query.keywords == ["护肤", "美发 教程"]
    assert (query.regions, query.tags) == (["台湾", "广东"], ["护肤保养"])
    assert query.raw == "護膚 「美髮 教程」 地區=臺灣,廣東 標籤=護膚保養"


def test_notes_quote_what_was_typed() -> None:
    notes = parse_query("護膚 粉絲=10萬 互動率>=0.03 粉絲10w++").notes
    assert [(n.kind, n.token, n.suggestion) for n in notes] == [
        ("keyword", "粉絲10w++", ""),
        ("exact", "粉絲=10萬", "粉絲>=10萬"),
        ("ratio", "互動率>=0.03", "互動率>=3%"),
    ]


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("護膚 頁數=0", "頁數=0"),
        ("護膚 排序=熱門", "排序=熱門"),
        ("護膚 受眾年齡=18-300", "受眾年齡=18-300"),
        ("護膚 受眾城市=二線-一線", "受眾城市=二線-一線"),
        ("護膚 粉絲>=", "粉絲>="),
    ],
)
def test_refusals_quote_what_was_typed(text: str, token: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    assert f"`{token}`" in error_text(caught.value, "en")


FAMILIES: dict[str, Any] = {
    "kol": kol.SUBCOMMANDS,
    "shortlist": shortlist.SUBCOMMANDS,
    "digest": digest.SUBCOMMANDS,
    "plan": plan.SUBCOMMANDS,
}
SUBCOMMANDS = [
    (family, word)
    for family, commands in FAMILIES.items()
    for word in sorted(commands.words)
    if not word.isascii()
]


@pytest.mark.parametrize(("family", "word"), SUBCOMMANDS, ids=[f"{f} {w}" for f, w in SUBCOMMANDS])
def test_every_chinese_subcommand_and_help_word_works_in_traditional(family: str, word: str) -> None:
    commands = FAMILIES[family]
    simple = commands.match(f"{word} 护肤")
    assert simple.subcommand is not None or simple.help
    for typed in traditional(word):
        match = commands.match(f"{typed} 護膚")
        assert (match.subcommand, match.help) == (simple.subcommand, simple.help), typed
        assert (match.verb, match.rest) == (typed, "護膚")  # handed on as typed
