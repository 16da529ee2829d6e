"""The `/kol` query grammar: filters, units, aliases, errors and descriptions."""

from __future__ import annotations

import random
import re

import pytest

from bot.cards.errors import error_text
from bot.errors import QueryError
from bot.grammar import (
    MAX_QUERY_CHARS,
    describe_filters,
    lang_words,
    parse_creator_args,
    parse_query,
    usage,
)
from bot.i18n import tr
from bot.models import Duration, Gender, Goal, NumRange, QueryNote, SortKey


def q(text: str, **kw):
    return parse_query(text, **kw)


# -- numbers and units ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("护肤 followers>=10w", NumRange(low=100_000)),
        ("护肤 followers>=10万", NumRange(low=100_000)),
        ("护肤 followers>=10W", NumRange(low=100_000)),
        ("护肤 followers>=5k", NumRange(low=5_000)),
        ("护肤 followers>=1.5m", NumRange(low=1_500_000)),
        ("护肤 followers>=1亿", NumRange(low=100_000_000)),
        ("护肤 followers>=100,000", NumRange(low=100_000)),
        ("护肤 followers>100000", NumRange(low=100_000, low_inclusive=False)),
        ("护肤 followers<50w", NumRange(high=500_000, high_inclusive=False)),
        ("护肤 followers<=50w", NumRange(high=500_000)),
        ("护肤 followers=10w", NumRange(low=100_000, high=100_000)),
        ("护肤 followers=10w-50w", NumRange(low=100_000, high=500_000)),
        ("护肤 followers:10w~50w", NumRange(low=100_000, high=500_000)),
        ("护肤 粉丝10w-50w", NumRange(low=100_000, high=500_000)),
        ("护肤 粉丝＞１０万", NumRange(low=100_000, low_inclusive=False)),
        ("护肤 粉丝≥10万", NumRange(low=100_000)),
        ("护肤 粉丝：>=10万", NumRange(low=100_000)),
        ("护肤 粉丝 >= 10万", NumRange(low=100_000)),
        ("护肤 followers=>10w", NumRange(low=100_000)),
        ("护肤 followers>=10w followers<=50w", NumRange(low=100_000, high=500_000)),
        ("护肤 followers>=10w followers>20w", NumRange(low=200_000, low_inclusive=False)),
    ],
)
def test_follower_counts_and_operators(text, expected):
    assert q(text).followers == expected


@pytest.mark.parametrize(
    ("text", "attr", "expected"),
    [
        ("护肤 price<=2万", "price", NumRange(high=20_000)),
        ("护肤 报价<=5k", "price", NumRange(high=5_000)),
        ("护肤 报价＜2万元", "price", NumRange(high=20_000, high_inclusive=False)),
        ("护肤 price=1万-2万", "price", NumRange(low=10_000, high=20_000)),
        ("护肤 cpm<=¥60", "cpm", NumRange(high=60)),
        ("护肤 cpe<=1.5", "cpe", NumRange(high=1.5)),
        ("护肤 er>=3%", "er", NumRange(low=0.03)),
        ("护肤 er>=3", "er", NumRange(low=0.03)),
        ("护肤 互动率≥2.5％", "er", NumRange(low=0.025)),
        ("护肤 completion>=15%", "completion", NumRange(low=0.15)),
        ("护肤 完播率=10%-20%", "completion", NumRange(low=0.10, high=0.20)),
        ("护肤 star>=60", "star", NumRange(low=60)),
        ("护肤 星图指数≥70", "star", NumRange(low=70)),
        ("护肤 growth>0", "growth", NumRange(low=0, low_inclusive=False)),
        ("护肤 涨粉=-5%-10%", "growth", NumRange(low=-0.05, high=0.10)),
        ("护肤 ecom>=L3", "ecom", NumRange(low=3)),
        ("护肤 带货等级>=3", "ecom", NumRange(low=3)),
        ("护肤 ecom=L2-L4", "ecom", NumRange(low=2, high=4)),
    ],
)
def test_metric_filters(text, attr, expected):
    assert getattr(q(text), attr).model_dump() == pytest.approx(expected.model_dump())


GE, GT, LE, LT = ("low", True), ("low", False), ("high", True), ("high", False)


def _bound(side: tuple[str, bool], value: float) -> NumRange:
    return (
        NumRange(low=value, low_inclusive=side[1])
        if side[0] == "low"
        else NumRange(high=value, high_inclusive=side[1])
    )


@pytest.mark.parametrize(
    ("text", "attr", "expected"),
    [
        # what marketers type (issue 11)
        ("护肤 粉丝10w+", "followers", _bound(GE, 100_000)),
        ("护肤 粉丝10万以上", "followers", _bound(GE, 100_000)),
        ("护肤 粉丝10万及以上", "followers", _bound(GE, 100_000)),
        ("护肤 10w粉以上", "followers", _bound(GE, 100_000)),
        ("护肤 10万粉丝+", "followers", _bound(GE, 100_000)),
        ("护肤 10w+粉", "followers", _bound(GE, 100_000)),
        ("护肤 粉丝>10万", "followers", _bound(GT, 100_000)),
        ("护肤 粉丝超过10万", "followers", _bound(GT, 100_000)),
        ("护肤 粉丝不低于10万", "followers", _bound(GE, 100_000)),
        ("护肤 报价5000以内", "price", _bound(LE, 5_000)),
        ("护肤 报价5千以下", "price", _bound(LE, 5_000)),
        ("护肤 报价5000起", "price", _bound(GE, 5_000)),
        ("护肤 报价不超过2万", "price", _bound(LE, 20_000)),
        ("护肤 1-5万粉", "followers", NumRange(low=10_000, high=50_000)),
        ("护肤 粉丝1-5万", "followers", NumRange(low=10_000, high=50_000)),
        ("护肤 cpm低于50", "cpm", _bound(LT, 50)),
        ("护肤 CPE小于2", "cpe", _bound(LT, 2)),
        ("护肤 互动率3%以上", "er", _bound(GE, 0.03)),
        ("护肤 完播率高于15%", "completion", _bound(GT, 0.15)),
        ("护肤 粉丝：10w+", "followers", _bound(GE, 100_000)),
        ("护肤 粉丝 10w+", "followers", _bound(GE, 100_000)),
        # English equivalents
        ("skin followers=10w+", "followers", _bound(GE, 100_000)),
        ("skin followers:100k+", "followers", _bound(GE, 100_000)),
        ("skin followers 10w+", "followers", _bound(GE, 100_000)),
        ("skin 100k+ followers", "followers", _bound(GE, 100_000)),
        ("skin 100k+ fans", "followers", _bound(GE, 100_000)),
        ("skin followers over 100k", "followers", _bound(GT, 100_000)),
        ("skin followers above 1m", "followers", _bound(GT, 1_000_000)),
        ("skin cpm under 50", "cpm", _bound(LT, 50)),
        ("skin price below 5k", "price", _bound(LT, 5_000)),
        ("skin er 3%+", "er", _bound(GE, 0.03)),
        ("skin Price=5000以内", "price", _bound(LE, 5_000)),
    ],
)
def test_shorthands(text, attr, expected):
    query = q(text)
    assert getattr(query, attr).model_dump() == pytest.approx(expected.model_dump())
    assert len(query.keywords) == 1
    assert [n for n in query.notes if n.kind == "keyword"] == []


@pytest.mark.parametrize(
    ("text", "keywords"),
    [
        ("涨粉10万秘籍", ["涨粉10万秘籍"]),
        ("护肤 粉丝10w++", ["护肤", "粉丝10w++"]),
        ("护肤 粉丝超过10万以上", ["护肤", "粉丝超过10万以上"]),
        ("护肤 cpm50", ["护肤", "cpm50"]),
        ("护肤 followers10w+", ["护肤", "followers10w+"]),
        ("护肤 5-1万粉", ["护肤", "5-1万粉"]),
        ("护肤 >=10w", ["护肤", ">=10w"]),  # no filter name
        ("护肤 ＜5万", ["护肤", "<5万"]),
    ],
)
def test_words_that_look_like_filters_stay_keywords_and_are_noted(text, keywords):
    query = q(text)
    assert query.keywords == keywords
    assert query.notes == [QueryNote(kind="keyword", token=keywords[-1])]


@pytest.mark.parametrize(
    ("text", "token"), [("护肤 粉丝 10万", "粉丝 10万"), ("skin followers 100k", "followers 100k")]
)
def test_a_filter_name_then_a_bare_number_is_noted(text, token):
    query = q(text)
    assert query.keywords == text.split() and query.followers is None
    assert query.notes == [QueryNote(kind="keyword", token=token)]


@pytest.mark.parametrize(
    "text",
    [
        "护肤 蜜粉 奶粉",
        "over 50 under 10",
        "growth hacking",
        "skin followers",
        "粉丝 美妆",
        "3合1奶粉 粉底",
        "2024粉丝节",
        "era2024",
    ],
)
def test_ordinary_words_stay_keywords_without_a_note(text):
    query = q(text)
    assert query.keywords == text.split()
    assert query.notes == []
    assert query.followers is None and query.growth is None


@pytest.mark.parametrize(
    ("text", "attr", "expected", "note"),
    [
        (
            "护肤 粉丝:10w",
            "followers",
            NumRange(low=100_000, high=100_000),
            ("exact", "粉丝:10w", "粉丝>=10w"),
        ),
        ("护肤 粉丝10w", "followers", NumRange(low=100_000, high=100_000), ("exact", "粉丝10w", "粉丝>=10w")),
        ("护肤 10w粉", "followers", NumRange(low=100_000, high=100_000), ("exact", "10w粉", "粉丝>=10w")),
        ("skin cpm=50", "cpm", NumRange(low=50, high=50), ("exact", "cpm=50", "cpm>=50")),
        ("skin price:2万", "price", NumRange(low=20_000, high=20_000), ("exact", "price:2万", "price>=2万")),
        ("护肤 互动率>=0.03", "er", NumRange(low=0.0003), ("ratio", "互动率>=0.03", "互动率>=3%")),
        ("skin er=0.01-0.05", "er", NumRange(low=0.0001, high=0.0005), ("ratio", "er=0.01-0.05", "er=1%-5%")),
        (
            "skin completion>0.2",
            "completion",
            NumRange(low=0.002, low_inclusive=False),
            ("ratio", "completion>0.2", "completion>20%"),
        ),
    ],
)
def test_exact_and_ratio_values_keep_their_meaning_and_are_noted(text, attr, expected, note):
    query = q(text)
    assert getattr(query, attr).model_dump() == pytest.approx(expected.model_dump())
    assert query.notes == [QueryNote(kind=note[0], token=note[1], suggestion=note[2])]


@pytest.mark.parametrize(
    "text",
    [
        "护肤 粉丝=10w-50w",
        "护肤 粉丝>=10w",
        "护肤 er>=3",
        "护肤 er>=3%",
        "护肤 er>=0.5%",
        "护肤 star=60",
        "护肤 ecom=L3",
    ],
)
def test_ranges_bounds_and_percents_need_no_note(text):
    assert q(text).notes == []


def test_bare_chinese_name_only_when_the_value_parses():
    assert q("涨粉10万秘籍").keywords == ["涨粉10万秘籍"]
    assert q("涨粉10万秘籍").growth is None
    assert q("护肤 粉丝10w").followers == NumRange(low=100_000, high=100_000)


# -- options and keywords ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "attr", "expected"),
    [
        ("护肤 gender=female", "gender", Gender.FEMALE),
        ("护肤 性别：女", "gender", Gender.FEMALE),
        ("护肤 sex=M", "gender", Gender.MALE),
        ("护肤 duration=1-20", "duration", Duration.SHORT),
        ("护肤 时长=短", "duration", Duration.SHORT),
        ("护肤 duration=21-60s", "duration", Duration.MEDIUM),
        ("护肤 duration=60+", "duration", Duration.LONG),
        ("护肤 时长=长视频", "duration", Duration.LONG),
        ("护肤 sort=cpe", "sort", SortKey.CPE),
        ("护肤 排序=粉丝", "sort", SortKey.FOLLOWERS),
        ("护肤 排序=综合", "sort", SortKey.SCORE),
        ("护肤 goal=awareness", "goal", Goal.AWARENESS),
        ("护肤 目标=品牌曝光", "goal", Goal.AWARENESS),
        ("护肤 目标=种草", "goal", Goal.SEEDING),
        ("护肤 目标=行动转化", "goal", Goal.CONVERSION),
        ("护肤 pages=5", "pages", 5),
        ("护肤 页数=1", "pages", 1),
        ("护肤 top=20", "top", 20),
        ("护肤 brands=yes", "brands", True),
        ("护肤 品牌号=是", "brands", True),
        ("护肤 unknowns=yes", "unknowns", True),
        ("护肤 未知=否", "unknowns", False),
        ("护肤 lang=en", "lang", "en"),
        ("护肤 语言=中文", "lang", "zh"),
        ("护肤", "view", "compact"),
        ("护肤 view=full", "view", "full"),
        ("护肤 视图=完整", "view", "full"),
        ("护肤 view=full view=compact", "view", "compact"),
    ],
)
def test_options(text, attr, expected):
    assert getattr(q(text), attr) == expected


def test_defaults():
    query = q("护肤", default_pages=4, default_top=7)
    assert (query.pages, query.top, query.sort, query.goal, query.duration) == (
        4,
        7,
        SortKey.SCORE,
        Goal.SEEDING,
        Duration.MEDIUM,
    )
    assert (query.brands, query.unknowns, query.lang) == (False, False, None)
    assert query.page_numbers == [1, 2, 3, 4]


def test_default_pages_never_exceed_max():
    assert q("护肤", default_pages=8, max_pages=5).pages == 5


def test_last_option_wins_and_lists_collect():
    query = q("护肤 sort=cpm sort=er tag=护肤保养 标签=美妆教程、妆容展示 city=上海 province=浙江")
    assert query.sort is SortKey.ER
    assert query.tags == ["护肤保养", "美妆教程", "妆容展示"]
    assert query.regions == ["上海", "浙江"]


@pytest.mark.parametrize(
    "text",
    [
        "护肤，粉丝>=10w，cpm<=60",  # full-width commas
        "护肤,粉丝>=10w,cpm<=60",
        "护肤、粉丝>=10w、cpm<=60",
        "护肤 粉丝>=10w，cpm<=60",  # a comma glued to a filter's value
        "护肤；粉丝>=10w; cpm<=60",
        "护肤 , followers >= 10w , cpm<=60",
    ],
)
def test_commas_and_semicolons_between_terms_separate_them(text):
    query = q(text)
    assert query.keywords == ["护肤"] and query.notes == []
    assert query.followers == NumRange(low=100_000) and query.cpm == NumRange(high=60)


def test_commas_inside_values_and_keywords_stay():
    assert q("护肤 标签=美妆,护肤 city=上海，北京").regions == ["上海", "北京"]
    assert q("护肤 price<=¥5,000").price == NumRange(high=5_000)
    assert q("a,b 粉丝>=1w").keywords == ["a,b"]


def test_keywords_and_quoted_phrases():
    query = q('"skin care" 护肤 “美妆 教程” keyword=口红 followers>=1w')
    assert query.keywords == ["skin care", "护肤", "美妆 教程", "口红"]
    assert query.keyword == "skin care 护肤 美妆 教程 口红"


def test_quoted_filter_value():
    assert q('护肤 tag="护肤 保养"').tags == ["护肤 保养"]


def test_words_with_operator_characters_that_are_not_filters_stay_keywords():
    assert q("1+1=2 https://example.com").keywords == ["1+1=2", "https://example.com"]


def test_raw_is_kept():
    assert q("  护肤 er>=3  ").raw == "护肤 er>=3"


# -- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "token", "why"),
    [
        ("护肤 followers>=-5", "followers>=-5", "negative"),
        ("护肤 followers>=abc", "followers>=abc", "number"),
        ("护肤 followers=50w-10w", "followers=50w-10w", "backwards"),
        ("护肤 followers>=10w followers<5w", "followers<5w", "contradicts"),
        ("护肤 er>=101%", "er>=101%", "100%"),
        ("护肤 er>=3w", "er>=3w", "unit"),
        ("护肤 star>=120", "star>=120", "0 to 100"),
        ("护肤 ecom>=L9", "ecom>=L9", "L0 to L6"),
        ("护肤 pages=0", "pages=0", "1 to 10"),
        ("护肤 pages=11", "pages=11", "1 to 10"),
        ("护肤 top=99", "top=99", "1 to 20"),
        ("护肤 sort=random", "sort=random", "score | cpm"),
        ("护肤 goal=fame", "goal=fame", "awareness"),
        ("护肤 gender=x", "gender=x", "female"),
        ("护肤 duration=0", "duration=0", "1-20"),
        ("护肤 brands=maybe", "brands=maybe", "yes | no"),
        ("护肤 view=tiny", "view=tiny", "compact | full"),
        ("护肤 sort>cpm", "sort>cpm", "only takes"),
        ("护肤 followers=", "followers=", "no value"),
        ("护肤 keyword=", "keyword=", "no value"),
        ("护肤 cpm<=", "cpm<=", "write it like `cpm<=…`"),  # as typed, not the `=` form
        ("护肤 city=", "city=", "write it like `city=…`"),  # the name typed, not `region`
        ("护肤 folowers>=10w", "folowers>=10w", "`followers`"),
        ("护肤 budget=5000", "budget=5000", "no filter called `budget`"),
        ('护肤 "skin care', '"skin care', "never closed"),
    ],
)
def test_errors_name_the_bad_part(text, token, why):
    with pytest.raises(QueryError) as info:
        q(text)
    err = info.value
    assert err.token == token
    assert why in tr("en", err.what)
    assert token in tr("zh", err.what)
    assert re.search(r"[\u4e00-\u9fff]", tr("zh", err.what))
    assert tr("en", err.hint) == tr("en", usage()) and tr("zh", err.hint) == tr("zh", usage())
    assert "Traceback" not in error_text(err, "en")


@pytest.mark.parametrize("text", ["", "   ", "followers>=10w sort=cpm", '"" er>=3'])
def test_a_search_needs_a_keyword(text):
    with pytest.raises(QueryError) as info:
        q(text)
    assert "at least one keyword" in tr("en", info.value.what)
    assert "关键词" in tr("zh", info.value.what)


def test_max_pages_setting_is_enforced():
    with pytest.raises(QueryError, match="1 to 4"):
        q("护肤 pages=5", max_pages=4)


def test_input_length_cap():
    with pytest.raises(QueryError) as info:
        q("护肤 " + "x" * MAX_QUERY_CHARS)
    assert str(MAX_QUERY_CHARS) in tr("en", info.value.what) and str(MAX_QUERY_CHARS) in tr(
        "zh", info.value.what
    )
    assert len(info.value.token) <= 21


def test_backticks_in_tokens_cannot_break_code_spans():
    with pytest.raises(QueryError) as info:
        q("护肤 sort=`boom`")
    assert "`" not in info.value.token


_FUZZ_ALPHABET = [
    *"护肤粉丝报价互动率万wkm%=:<>≥≤＞＜＝：-~.,、\"'“”「」`L0123456789 \t\n",
    "followers",
    "er",
    "tag",
    "sort",
    "pages",
    "top",
    "ecom",
    "growth",
    "duration",
    "\u0000",
    "🙂",
    "9" * 400,
]


def test_fuzz_only_query_errors():
    rng = random.Random(20240601)
    for _ in range(3000):
        text = "".join(rng.choice(_FUZZ_ALPHABET) for _ in range(rng.randint(0, 25)))
        try:
            query = parse_query(text)
        except QueryError as err:
            assert tr("en", err.what) and tr("zh", err.what)
        else:
            assert query.keywords and all(k for k in query.keywords)
            assert 1 <= query.pages <= 10 and 1 <= query.top <= 20


# -- help and descriptions -----------------------------------------------------------------------


def usage_examples(lang) -> list[str]:
    """The searches on the lines after "Examples:" in the help text."""
    tail = re.split(r"^(?:Examples:|示例：)$", tr(lang, usage()), flags=re.M)[1]
    return re.findall(r"`([^`]+)`", tail)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_usage_examples_parse(lang):
    examples = usage_examples(lang)
    assert len(examples) == 3
    for example in examples:
        assert parse_query(example).keywords


def test_describe_filters_english():
    query = q("护肤 followers>=10w cpm<=60 er>=3 gender=female city=上海 tag=护肤保养 brands=yes")
    assert [tr("en", t) for t in describe_filters(query)] == [
        "followers ≥ 100,000",
        "CPM ≤ ¥60 / 1k plays",
        "engagement rate ≥ 3%",
        "female creators",
        "region: Shanghai",  # places in English for English readers
        "tag: 护肤保养",
        "brand & store accounts included",
        "21–60 s video",
    ]


def test_describe_filters_chinese():
    query = q("护肤 粉丝10w-50w 报价<2万 cpe<=1.5 带货等级>=L3 unknowns=yes 时长=短")
    assert [tr("zh", t) for t in describe_filters(query)] == [
        "粉丝 10万–50万",
        "报价 < ¥2万",
        "CPE ≤ ¥1.5/次互动",
        "带货等级 ≥ L3",
        "含数据未知的达人",
        "1-20秒视频",
    ]


def test_describe_mixed_bounds():
    query = q("护肤 followers>10w followers<=50w growth=-5%-10%")
    assert [tr("en", t) for t in describe_filters(query)][:2] == [
        "100,000 < followers ≤ 500,000",
        "15-day follower growth -5%–10%",
    ]


@pytest.mark.parametrize(
    ("text", "attr", "expected"),
    [
        ("护肤 粉丝>=10 万", "followers", NumRange(low=100_000)),
        ("护肤 报价<=5 千", "price", NumRange(high=5_000)),
        ("护肤 followers>=100 k", "followers", NumRange(low=100_000)),
        ("护肤 10 万粉以上", "followers", NumRange(low=100_000)),
    ],
)
def test_a_unit_typed_after_a_space_belongs_to_its_number(text, attr, expected):
    query = parse_query(text)
    assert getattr(query, attr) == expected and query.keywords == ["护肤"]


@pytest.mark.parametrize("text", ["护肤 万人迷", "护肤 2 千岛湖", "护肤 5 kids"])
def test_a_unit_like_word_that_is_a_word_stays_a_keyword(text):
    assert len(parse_query(text).keywords) >= 2


@pytest.mark.parametrize(
    "text", ["护肤 cpm<0", "护肤 er<0", "护肤 er>100%", "护肤 followers<0", "护肤 粉丝>=1e30"]
)
def test_filters_no_creator_can_match_are_refused_naming_the_filter(text):
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    assert text.split()[1] in error_text(caught.value, "en")


@pytest.mark.parametrize(
    "text", ["护肤 price<=0", "护肤 cpm<=0", "护肤 cpe=0", "护肤 报价<=0", "护肤 price=0-0"]
)
def test_a_money_limit_of_zero_is_refused_naming_the_filter(text):
    """A zero price, CPM or CPE counts as unknown, so `price<=0` could never match anyone."""
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    assert text.split()[1] in tr("en", caught.value.what) and "more than 0" in tr("en", caught.value.what)
    assert text.split()[1] in tr("zh", caught.value.what)
    assert parse_query("护肤 price=0-5000").price == NumRange(
        low=0, high=5000
    )  # a range up to a price is fine


def test_zero_width_characters_are_not_a_keyword():
    with pytest.raises(QueryError):
        parse_query("\u200b")
    assert parse_query("护\u200b肤").keywords == ["护肤"]


def test_creator_args_are_ids_and_the_options_that_apply_to_creators() -> None:
    args = parse_creator_args("6912345678901234567 @dy_abc duration=1-20 lang=en audience_age=18-30")
    assert args.identifiers == ["6912345678901234567", "@dy_abc"]
    assert (args.duration, args.lang) == (Duration.SHORT, "en")
    assert args.audience and not parse_creator_args("6912345678901234567").audience
    assert parse_creator_args("").identifiers == []


@pytest.mark.parametrize(
    "text",
    [
        "6912345678901234567,@dy_abc",
        "６９１２３４５６７８９０１２３４５６７，@dy_abc",
        "6912345678901234567、 @dy_abc",
    ],
)
def test_creator_ids_may_be_separated_by_commas(text: str) -> None:
    assert parse_creator_args(text).identifiers == ["6912345678901234567", "@dy_abc"]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("6912345678901234567 followers>=10w sort=cpm", "followers>=10w, sort=cpm"),
        ("6912345678901234567 粉丝10w+ 城市=上海", "粉丝10w+, 城市=上海"),  # not "followers, regions"
    ],
)
def test_creator_args_refuse_search_options_as_typed(text: str, named: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_creator_args(text)
    assert f"Search options do not apply here: {named}." in error_text(caught.value, "en")
    assert caught.value.token == named


@pytest.mark.parametrize(
    ("text", "lang", "rest", "bad"),
    [
        ("digest list lang=zh", "zh", "digest list", None),
        ("Language:EN usage", "en", "usage", None),
        ("help 語言=中文", "zh", "help", None),  # Traditional Chinese reads as Simplified
        ("help LANG＝ZH", "zh", "help", None),  # full-width
        ("help lang=fr", None, "help", "lang=fr"),  # not a language: named as typed
        ("help lang=", None, "help", "lang="),
        ("new Autumn lang=zh lang=en", None, "new Autumn", "lang=en"),  # two languages
        ("new Autumn lang=zh 语言=中文", "zh", "new Autumn", None),  # the same one twice
        ('new "春季 lang=en 上新"', None, 'new "春季 lang=en 上新"', None),  # a quoted name stays whole
        ("护肤 lang", None, "护肤 lang", None),
    ],
)
def test_lang_words_are_read_and_taken_out(text: str, lang: str | None, rest: str, bad: str | None) -> None:
    words = lang_words(text)
    assert (words.lang, words.rest, words.bad) == (lang, rest, bad)


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        ("护肤 排序=xyz", "综合 | cpm | cpe | 粉丝 | 互动率 | 涨粉 | 报价", "score | cpm | cpe | followers"),
        ("护肤 性别=其他", "女 | 男", "female | male"),
        ("护肤 品牌号=也许", "是 | 否", "yes | no"),
    ],
)
def test_a_bad_choice_lists_the_choices_in_the_readers_language(text: str, zh: str, en: str) -> None:
    """The zh help teaches 性别=女: the zh error lists 女 | 男, not female | male."""
    with pytest.raises(QueryError) as refused:
        parse_query(text)
    assert zh in tr("zh", refused.value.what) and en in tr("en", refused.value.what)


@pytest.mark.parametrize(
    ("text", "example"), [("cpm<=abc", "`60`"), ("cpe<=abc", "`2`"), ("price<=abc", "`2万`")]
)
def test_a_bad_amount_is_answered_with_an_example_of_its_own_kind(text: str, example: str) -> None:
    """A CPM of 2万 would be absurd: each money filter suggests a number of its own size."""
    with pytest.raises(QueryError) as refused:
        parse_query(f"护肤 {text}")
    assert f"expected a number such as {example}." in tr("en", refused.value.what)


@pytest.mark.parametrize(
    ("typed", "duration"),
    [
        ("30秒", Duration.MEDIUM),
        ("15s", Duration.SHORT),
        ("60", Duration.MEDIUM),
        ("61", Duration.LONG),
        ("60s+", Duration.LONG),
        ("21-60秒", Duration.MEDIUM),
        ("60秒以上", Duration.LONG),
        ("20 seconds", Duration.SHORT),
    ],
)
def test_a_video_length_in_seconds_is_the_range_that_holds_it(typed: str, duration: Duration) -> None:
    assert parse_query(f"护肤 duration={typed}").duration is duration
    assert parse_query(f"护肤 时长={typed}").duration is duration


def test_a_bad_video_length_is_refused_with_the_ranges_in_each_language() -> None:
    with pytest.raises(QueryError) as caught:
        parse_query("护肤 duration=0")
    assert "1-20 | 21-60 | 60+" in tr("en", caught.value.what)
    assert "1-20秒 | 21-60秒 | 60秒以上" in tr("zh", caught.value.what)


@pytest.mark.parametrize(
    ("text", "token"),
    [("护肤 lang=en lang=zh", "lang=zh"), ("护肤 语言=中文 language=english", "language=english")],
)
def test_a_lang_word_contradicting_another_is_refused_by_name(text: str, token: str) -> None:
    with pytest.raises(QueryError) as refused:
        parse_query(text)
    assert f"Can't use `{token}`: another lang word asks for another language" in tr("en", refused.value.what)
    with pytest.raises(QueryError):
        parse_creator_args(f"6912345678901234567 {text.removeprefix('护肤 ')}")
    assert parse_query("护肤 lang=en language=english").lang == "en"  # two words, one language


@pytest.mark.parametrize(
    ("text", "keywords"),
    [
        ("护肤 报价<=5000 元", ["护肤"]),  # the currency after a space belongs to the number
        ("beauty price<=5k RMB", ["beauty"]),
        ("beauty price under 5000 yuan", ["beauty"]),
        ("skincare followers>=10w and cpm<=60", ["skincare"]),  # a word joining two filters
        ("护肤 粉丝>=10w 和 cpm<=60", ["护肤"]),
        ("护肤 粉丝>=10w 並且 cpm<=60", ["护肤"]),
        ("护肤 和 美妆", ["护肤", "和", "美妆"]),  # between keywords it is the user's to search for
        ("护肤 粉丝>=10w 和 美妆", ["护肤", "和", "美妆"]),
        ("new yuan beauty", ["new", "yuan", "beauty"]),  # no number before it: a keyword
        ("护肤 city=Xi'an 彩妆，粉丝>=10w", ["护肤", "彩妆"]),  # an apostrophe in a word opens no quote
    ],
)
def test_units_and_joining_words_are_no_paid_keywords(text: str, keywords: list[str]) -> None:
    assert parse_query(text).keywords == keywords


@pytest.mark.parametrize(
    ("text", "regions"),
    [
        ("skincare city=Shanghai", ["上海"]),
        ("skincare region=guangdong,Xi'an", ["广东", "西安"]),
        ("skincare city=Hong Kong", None),  # a space ends the value: "Hong" is no place
        ("skincare city=HongKong", ["香港"]),
        ("护肤 城市=上海", ["上海"]),
    ],
)
def test_regions_typed_in_english_are_searched_in_chinese(text: str, regions: list[str] | None) -> None:
    if regions is None:
        with pytest.raises(QueryError) as refused:
            parse_query(text)
        assert "write the province or city in Chinese" in tr("en", refused.value.what)
        assert "中文" in tr("zh", refused.value.what)
    else:
        assert parse_query(text).regions == regions


def test_english_and_chinese_names_of_a_language_are_read() -> None:
    assert parse_query("护肤 语言=英语").lang == "en" and lang_words("help 语言=汉语").lang == "zh"


@pytest.mark.parametrize(
    ("line", "field", "value"),
    [("护肤 目标=带货", "goal", "conversion"), ("护肤 目标=卖货", "goal", "conversion")],
)
def test_trade_words_for_the_goal(line: str, field: str, value: str) -> None:
    """带货 is what the trade calls selling through creators: it was refused as no goal."""
    assert getattr(parse_query(line), field) == value


def test_an_ecommerce_level_with_its_measure_word() -> None:
    assert parse_query("护肤 带货等级>=3级").ecom.low == 3


@pytest.mark.parametrize("typed", ["3级", "3級", "三级", "L3"])
def test_an_ecommerce_level_however_written(typed: str) -> None:
    assert parse_query(f"护肤 带货等级>={typed}").ecom.low == 3
