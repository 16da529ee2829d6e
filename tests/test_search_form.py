"""The search form as a one-line query: canonical text for every field, parsed by the grammar."""

from __future__ import annotations

import pytest

from bot.grammar import parse_query
from bot.i18n import tr
from bot.models import Duration, Gender, Goal, SortKey
from bot.search_form import FOLLOWER_BRACKETS, FormErrors, SearchForm, form_query


def parse(text: str):
    return parse_query(text, default_pages=3, max_pages=10, default_top=10)


@pytest.mark.parametrize(
    ("form", "text"),
    [
        (SearchForm(keyword="护肤"), "护肤"),
        (SearchForm(keyword=" skin  care "), '"skin care"'),
        (SearchForm(keyword="护肤", followers="1000w+"), "护肤 followers>=1000w"),
        (SearchForm(keyword="护肤", followers_custom="20w - 80w"), "护肤 followers=20w-80w"),
        (SearchForm(keyword="护肤", followers_custom="30万以上"), "护肤 followers>=30万"),
        (SearchForm(keyword="护肤", followers_custom="30w"), "护肤 followers>=30w"),
        (SearchForm(keyword="护肤", duration="21-60"), "护肤"),  # the default length goes unsaid…
        (
            SearchForm(keyword="护肤", duration="21-60", max_cpe="2"),
            "护肤 duration=21-60 cpe<=2",
        ),  # …unless priced
        (SearchForm(keyword="护肤", duration="1-20", min_er="3"), "护肤 duration=1-20 er>=3%"),
        (SearchForm(keyword="护肤", goal="seeding", sort="score"), "护肤"),
        (SearchForm(keyword="护肤", region="上海， 浙江", gender="male"), "护肤 city=上海,浙江 gender=male"),
        (SearchForm(keyword="护肤", tags=("护肤保养", "not a tag")), "护肤 tag=护肤保养"),
    ],
)
def test_fields_become_the_canonical_line(form: SearchForm, text: str) -> None:
    assert form_query(form, parse).text == text


def test_the_line_parses_to_what_the_form_says() -> None:
    form = SearchForm(
        keyword="护肤",
        followers="10w-50w",
        duration="60+",
        max_price="2万",
        max_cpm="60",
        goal="conversion",
        gender="female",
        sort="cpe",
    )
    query = form_query(form, parse).query
    assert (query.followers.low, query.followers.high) == (100_000, 500_000)
    assert query.price.high == 20_000 and query.cpm.high == 60 and query.duration is Duration.LONG
    assert (query.goal, query.gender, query.sort) == (Goal.CONVERSION, Gender.FEMALE, SortKey.CPE)


def test_every_bracket_parses() -> None:
    for value, _, _ in FOLLOWER_BRACKETS:
        assert form_query(SearchForm(keyword="x", followers=value), parse).query.followers is not None


@pytest.mark.parametrize("region", ["北京 上 海", "上 海 杭州", "深圳 '", "深圳 -", "-"])
def test_a_place_split_by_a_typo_is_refused_not_searched_for_in_pieces(region: str) -> None:
    """`上 海` as two places would search for 海, which 海南, 青海 and 珠海 all contain."""
    refused = form_errors(SearchForm(keyword="护肤", region=region))["region"]
    assert "is not a place: write each place whole, separated by commas or spaces" in refused


def test_each_bad_field_is_named() -> None:
    with pytest.raises(FormErrors) as caught:
        form_query(SearchForm(keyword="cpm<=5", max_cpm="-1", region="上 海"), parse)
    messages = {block: tr("en", what) for block, what in caught.value.messages().items()}
    assert set(messages) == {"keyword", "max_cpm", "region"}
    assert "`cpm<=5` → the Max CPM box" in messages["keyword"] and "negative" in messages["max_cpm"]


def form_errors(form: SearchForm, lang: str = "en") -> dict[str, str]:
    with pytest.raises(FormErrors) as caught:
        form_query(form, parse)
    return {block: tr(lang, what) for block, what in caught.value.messages().items()}


@pytest.mark.parametrize(
    ("form", "text"),
    [
        # Full-width input is read as the grammar reads it (NFKC) before looking at its ending.
        (SearchForm(keyword="护肤", followers_custom="１０ｗ＋"), "护肤 followers>=10w"),
        (SearchForm(keyword="护肤", min_er="３％"), "护肤 er>=3%"),
        (SearchForm(keyword="护肤", max_price="５０００"), "护肤 price<=5000"),
        # Chinese bound words that fit the box are dropped; the followers box takes either.
        (SearchForm(keyword="护肤", followers_custom="10万及以上"), "护肤 followers>=10万"),
        (SearchForm(keyword="护肤", followers_custom="10w起"), "护肤 followers>=10w"),
        (SearchForm(keyword="护肤", followers_custom="50w以下"), "护肤 followers<=50w"),
        (SearchForm(keyword="护肤", max_price="5000以内"), "护肤 price<=5000"),
        (SearchForm(keyword="护肤", max_price="5千以下"), "护肤 price<=5千"),
        (SearchForm(keyword="护肤", max_price="5000以內"), "护肤 price<=5000"),  # Traditional
        (SearchForm(keyword="护肤", max_cpe="2内"), "护肤 cpe<=2"),
        (SearchForm(keyword="护肤", min_er="3%以上"), "护肤 er>=3%"),
        (SearchForm(keyword='"iphone:15"'), '"iphone:15"'),  # quoted in the box: one keyword, as typed
        # a comparison before the value that fits the box is dropped too
        (SearchForm(keyword="护肤", max_price="≤2万"), "护肤 price<=2万"),
        (SearchForm(keyword="护肤", max_price="不超过3万"), "护肤 price<=3万"),
        (SearchForm(keyword="护肤", max_cpm="<60"), "护肤 cpm<=60"),
        (SearchForm(keyword="护肤", min_er="至少3%"), "护肤 er>=3%"),
        (SearchForm(keyword="护肤", min_er="＞＝３％"), "护肤 er>=3%"),
        # places as the cards write them, or in English with a space or an apostrophe
        (SearchForm(keyword="护肤", region="广东省 深圳市"), "护肤 city=广东省,深圳市"),
        (SearchForm(keyword="护肤", region="上海 杭州"), "护肤 city=上海,杭州"),
        (SearchForm(keyword="护肤", region="Hong Kong, Xi'an"), "护肤 city=香港,西安"),
        (
            SearchForm(keyword="护肤", region="Shaanxi Xi'an"),
            "护肤 city=陕西,西安",
        ),  # as English cards write it
        (SearchForm(keyword="护肤", region="Inner Mongolia 呼和浩特"), "护肤 city=内蒙古,呼和浩特"),
        (SearchForm(keyword="护肤", region="Guangdong深圳"), "护肤 city=广东,深圳"),
        (SearchForm(keyword="护肤", followers_custom="≤50w"), "护肤 followers<=50w"),
        (SearchForm(keyword="护肤", followers_custom="不超过50w"), "护肤 followers<=50w"),
        (SearchForm(keyword="护肤", followers_custom="<50w"), "护肤 followers<50w"),  # strict stays strict
    ],
)
def test_boxes_are_read_like_the_grammar_reads_a_value(form: SearchForm, text: str) -> None:
    assert form_query(form, parse).text == text


@pytest.mark.parametrize(
    ("form", "block", "quoted", "why"),
    [
        (
            SearchForm(keyword="护肤", max_price="5000以上"),
            "max_price",
            "`5000以上`",
            "this box is a maximum",
        ),
        (SearchForm(keyword="护肤", min_er="3%以下"), "min_er", "`3%以下`", "this box is a minimum"),
        (SearchForm(keyword="护肤", max_price="≥2万"), "max_price", "`≥2万`", "this box is a maximum"),
        (SearchForm(keyword="护肤", max_price="10万左右"), "max_price", "`10万左右`", "only a number"),
        (
            SearchForm(keyword="护肤", followers_custom="10万多"),
            "followers_custom",
            "`10万多`",
            "only a number",
        ),
        (SearchForm(keyword="护肤", max_cpm="abc"), "max_cpm", "`abc`", "a number"),
        (SearchForm(keyword="护肤", max_price="0"), "max_price", "`0`", "more than 0"),
        (SearchForm(keyword="护肤", max_cpm="0"), "max_cpm", "`0`", "more than 0"),
        (SearchForm(keyword="护肤", max_cpe="０"), "max_cpe", "`０`", "more than 0"),
    ],
)
def test_a_bad_box_is_quoted_as_typed(form: SearchForm, block: str, quoted: str, why: str) -> None:
    errors = form_errors(form)
    assert set(errors) == {block}
    assert quoted in errors[block] and why in errors[block]
    assert "<=" not in errors[block] and ">=" not in errors[block]  # not the line the form wrote
    assert quoted in form_errors(form, "zh")[block]


def test_an_interaction_rate_below_one_asks_whether_percent_was_meant() -> None:
    """`0.03` in a percent box is 0.03 %: a typed search notes "did you mean 3%?"; the form asks."""
    errors = form_errors(SearchForm(keyword="护肤", min_er="0.03"))
    assert set(errors) == {"min_er"}
    assert "`0.03`" in errors["min_er"] and "did you mean 3%?" in errors["min_er"]
    assert "%%" not in errors["min_er"]
    assert "3%" in form_errors(SearchForm(keyword="护肤", min_er="0.03"), "zh")["min_er"]
    assert form_query(SearchForm(keyword="护肤", min_er="0.03%"), parse).text == "护肤 er>=0.03%"  # as typed


@pytest.mark.parametrize(
    ("keyword", "named"),
    [
        ("护肤 粉丝>=10w", ["`粉丝>=10w` → the Followers box"]),
        ("粉丝10w+", ["`粉丝10w+` → the Followers box"]),
        ("sort=cpm", ["`sort=cpm` → the Sort by box"]),
        ("护肤，粉丝>=10w", ["`粉丝>=10w` → the Followers box"]),
        (
            "美妆 报价5000以内 city=上海",
            ["`报价5000以内` → the Max price box", "`city=上海` → the Region box"],
        ),
        ("护肤 lang=en", ["`lang=en` → the More filters box"]),
    ],
)
def test_a_filter_typed_in_the_keyword_box_is_named_with_its_box(keyword: str, named: list[str]) -> None:
    errors = form_errors(SearchForm(keyword=keyword))
    assert set(errors) == {"keyword"}
    assert all(part in errors["keyword"] for part in named), errors["keyword"]
    assert "at least one keyword" not in errors["keyword"]
    zh = form_errors(SearchForm(keyword=keyword), "zh")["keyword"]
    assert named[0].split(" → ")[0] in zh and "关键词" in zh


def test_the_modal_labels_read_in_both_languages():
    from bot.cards.form_views import search_form_modal

    view = search_form_modal("m", pick_channel=False)
    assert view is not None
    labels = {b["block_id"]: b["label"]["text"] for b in view["blocks"]}
    assert labels["followers"] == "Followers · 粉丝"
    assert labels["keyword"] == "Keyword · 关键词"
    sort = next(b for b in view["blocks"] if b["block_id"] == "sort")["element"]
    assert [o["text"]["text"] for o in sort["options"]][4] == "Followers · 粉丝最多"
    assert sort["placeholder"]["text"] == "Any · 不限"
    assert view["title"]["text"] == "Find creators · 找达人"
    duration = next(b for b in view["blocks"] if b["block_id"] == "duration")["element"]
    assert duration["initial_option"]["text"]["text"] == "21–60 s · 21-60秒"


def test_a_chinese_form_teaches_the_chinese_filter_names_for_the_same_search() -> None:
    """The "same search, typed" line under a Chinese card read `followers=…`, `city=…`, `sort=cpm`."""
    form = SearchForm(
        keyword="护肤",
        followers="10w-50w",
        max_price="5000元以内",
        min_er="3",
        region="上海，杭州",
        goal="conversion",
        sort="cpm",
        gender="female",
        tags=("美妆",),
        more="unknowns=yes",
    )
    zh, en = form_query(form, parse_query, "zh"), form_query(form, parse_query, "en")
    assert zh.text == (
        "护肤 粉丝=10w-50w 报价<=5000元 互动率>=3% 标签=美妆 地区=上海,杭州 性别=女 目标=转化 "
        "unknowns=yes 排序=cpm"
    )
    assert zh.query.model_dump(exclude={"raw", "notes"}) == en.query.model_dump(exclude={"raw", "notes"})
