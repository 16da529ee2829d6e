"""*Edit search*: the search form filled in from a search puts each filter in the box that holds it
exactly, the rest in More filters as typed, so submitting it unchanged runs the same search."""

from __future__ import annotations

import pytest

from bot.cards.form_views import search_form_modal
from bot.cards.validate import validate_message
from bot.grammar import parse_query
from bot.search_form import FormErrors, SearchForm, form_query
from bot.search_form_fill import filled_form

SEARCHES = [
    "护肤",
    "护肤 粉丝>=10w cpm<=60",
    "护肤 followers=10w-50w price<=20000 duration=60+ goal=conversion sort=cpm",
    "口红 er=2%-5% cpe<1.5 followers<1w tag=火星",
    "美食 followers<=50w cpm=10-60 sort=er",
    "美食 粉丝>10w 价格>=1000 star>=60 growth>=5% 完播率>=30% ecom>=L3",
    '护肤 "spring sale" audience_city_tier=1-2 audience_gender=female pages=2 top=20 lang=en view=full',
    "护肤 brands=yes unknowns=yes er>=3% region=Shanghai,杭州 tag=美妆 gender=female",
    "护肤 followers=123456-2000000 cpm<=55.5 er>=0.5% sort=growth",
    "護膚 粉絲>=10萬 報價<=5000 sort=cpm sort=price",  # Traditional; a re-sort appended twice
    '"美妆:口红" 粉丝>=1w',  # a quoted keyword that reads like a filter stays quoted
    '"粉丝10w+" 护肤',
    "护肤 followers<=0",
    "护肤 cpm<=12.3456789 er>=0.123456%",
]


def _meaning(raw: str) -> dict[str, object]:
    query = parse_query(raw)
    return {"keyword": query.keyword, **query.model_dump(exclude={"raw", "notes", "keywords"})}


@pytest.mark.parametrize("raw", SEARCHES)
def test_the_filled_form_submitted_unchanged_runs_the_same_search(raw: str) -> None:
    made = form_query(filled_form(parse_query(raw)), parse_query)
    assert _meaning(made.text) == _meaning(raw)


@pytest.mark.parametrize(
    ("raw", "boxes", "more"),
    [
        ("护肤 粉丝>=10w cpm<=60", {"followers_custom": "10w+", "max_cpm": "60"}, ""),
        ("护肤 followers=10w-50w", {"followers": "10w-50w", "followers_custom": ""}, ""),
        ("护肤 followers<=50w price<=2万", {"followers_custom": "≤50w", "max_price": "20000"}, ""),
        ("护肤 er>=3% cpe<=2", {"min_er": "3%", "max_cpe": "2"}, ""),
        (
            "护肤 价格>=1000 cpm<60",
            {"max_price": "", "max_cpm": ""},
            "价格>=1000 cpm<60",
        ),  # no box holds them
        ("护肤 region=Shanghai,杭州 tag=美妆", {"region": "上海, 杭州", "tags": ("美妆",)}, ""),
        ("护肤 tag=火星 star>=60 pages=5", {"tags": ()}, "tag=火星 star>=60 pages=5"),
        (
            "护肤 gender=female goal=awareness sort=cpm",
            {"gender": "female", "goal": "awareness", "sort": "cpm"},
            "",
        ),
    ],
)
def test_each_filter_goes_in_the_box_that_holds_it(raw: str, boxes: dict[str, object], more: str) -> None:
    form = filled_form(parse_query(raw))
    assert {name: getattr(form, name) for name in boxes} == boxes
    assert form.more == more


def test_more_tags_than_the_menu_takes_go_to_more_filters() -> None:
    many = "美妆,护肤保养,穿搭,美食,旅行,母婴亲子,汽车,游戏,科技,健身,家居"
    form = filled_form(parse_query(f"护肤 tag={many}"))
    assert form.tags == () and form.more == f"tag={many}"


def test_the_more_filters_box_takes_filters_and_refuses_a_keyword() -> None:
    made = form_query(SearchForm(keyword="护肤", more="star>=60 pages=2"), parse_query)
    assert made.text == "护肤 star>=60 pages=2" and made.query.pages == 2
    with pytest.raises(FormErrors) as keyword:
        form_query(SearchForm(keyword="护肤", more="star>=60 口红"), parse_query)
    assert set(keyword.value.errors) == {"more"} and "`口红`" in str(keyword.value.errors["more"].what)
    with pytest.raises(FormErrors) as bad:
        form_query(SearchForm(keyword="护肤", more="star>=abc"), parse_query)
    assert set(bad.value.errors) == {"more"} and "star>=abc" in str(bad.value.errors["more"].what)


def test_the_filled_modal_is_valid_and_shows_the_search() -> None:
    long_keyword = "护肤 " * 120  # a whole search's worth of keyword: more than a number box takes
    raw = f'"{long_keyword.strip()}" 粉丝>=10w tag=美妆 sort=cpm star>=60 duration=60+'
    view = search_form_modal("{}", pick_channel=False, form=filled_form(parse_query(raw)))
    assert view is not None and validate_message({"text": "form", "blocks": view["blocks"]}) == []
    elements = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert elements["keyword"]["initial_value"] == long_keyword.strip()
    assert elements["followers_custom"]["initial_value"] == "10w+"
    assert elements["more"]["initial_value"] == "star>=60"
    assert elements["sort"]["initial_option"]["value"] == "cpm"
    assert elements["duration"]["initial_option"]["value"] == "60+"
    assert [o["value"] for o in elements["tags"]["initial_options"]] == ["美妆"]
    assert "initial_value" not in elements["max_price"] and "initial_option" not in elements["gender"]


def test_an_initial_value_longer_than_its_box_is_a_validation_problem() -> None:
    block = {
        "type": "input",
        "block_id": "b",
        "label": {"type": "plain_text", "text": "Keyword"},
        "element": {
            "type": "plain_text_input",
            "action_id": "v",
            "max_length": 5,
            "initial_value": "护肤护肤护肤",
        },
    }
    assert any("max_length 5" in p for p in validate_message({"text": "x", "blocks": [block]}))


@pytest.mark.parametrize(
    ("raw", "box", "shown"),
    [
        ("护肤 粉丝>=4.1m", "followers_custom", "410w+"),
        ("护肤 粉丝<=2.01m", "followers_custom", "≤201w"),
        ("护肤 粉丝=1.5w-2.5w", "followers_custom", "15000-25000"),
        ("护肤 价格<=129.14万", "max_price", "1291400"),
    ],
)
def test_numbers_are_written_in_full_not_in_exponents(raw: str, box: str, shown: str) -> None:
    """`粉丝>=4.1m` filled the box with `4.1e+06+`, which the form then refused."""
    form = filled_form(parse_query(raw))
    assert getattr(form, box) == shown
    form_query(form, parse_query)  # accepted as it was filled
