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


def test_each_bad_field_is_named() -> None:
    with pytest.raises(FormErrors) as caught:
        form_query(SearchForm(keyword="cpm<=5", max_cpm="-1", region="上 海"), parse)
    messages = {block: tr("en", what) for block, what in caught.value.messages().items()}
    assert set(messages) == {"keyword", "max_cpm", "region"}
    assert "keyword" in messages["keyword"] and "negative" in messages["max_cpm"]


def test_the_modal_labels_read_in_both_languages():
    from bot.cards.form_views import search_form_modal

    view = search_form_modal("m", pick_channel=False)
    assert view is not None
    labels = {b["block_id"]: b["label"]["text"] for b in view["blocks"]}
    assert labels["followers"] == "Followers · 粉丝量"
    assert labels["keyword"] == "Keyword · 关键词"
    sort = next(b for b in view["blocks"] if b["block_id"] == "sort")["element"]
    assert [o["text"]["text"] for o in sort["options"]][4] == "Followers · 粉丝最多"
    assert sort["placeholder"]["text"] == "Any · 不限"
    assert view["title"]["text"] == "Find creators · 找达人"
    duration = next(b for b in view["blocks"] if b["block_id"] == "duration")["element"]
    assert duration["initial_option"]["text"]["text"] == "21–60 s · 21-60秒"
