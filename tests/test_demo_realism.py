"""Demo data a marketer would believe (issue 11 §8): tags fit the category, one documented failing page."""

from __future__ import annotations

import json

import pytest

from bot.demo import synth
from bot.grammar import parse_query
from bot.search import SearchService
from bot.sources.demo import DemoSource


def tags_of(author: dict) -> dict[str, list[str]]:
    return json.loads(author["attribute_datas"].get("tags_relation") or "{}")


@pytest.mark.parametrize("keyword", synth.DEMO_KEYWORDS)
def test_every_tagged_creator_carries_its_keywords_category(keyword: str) -> None:
    main = synth._theme(keyword).tag[0]
    allowed = {main, *(side for side, _ in synth._theme(keyword).side_tags)}
    for page in range(1, synth._theme(keyword).pages + 1):
        for author in synth.search_body(keyword, page)["data"]["authors"]:
            tags = tags_of(author)
            if not tags:
                continue  # Xingtu leaves some creators untagged
            assert main in tags, (keyword, author["attribute_datas"]["nick_name"], tags)
            assert set(tags) <= allowed | {main}, (keyword, tags)


def test_a_mother_and_baby_search_shows_no_food_or_travel_creator() -> None:
    result = SearchService(DemoSource()).search(parse_query("母婴 pages=5 unknowns=yes"))
    labels = {t for s in result.creators for t in s.creator.tag_list}
    assert labels and not labels & {"美食教程", "美食探店", "旅行推荐", "美食"}


def test_only_the_documented_fault_keyword_has_a_failing_page() -> None:
    ordinary = SearchService(DemoSource()).search(parse_query("护肤 pages=5"))
    assert ordinary.stats.pages_failed == [] and ordinary.warnings == []
    failing = SearchService(DemoSource()).search(parse_query(f"{synth.FAILING_KEYWORD} 粉丝>=1w"))
    assert failing.stats.pages_failed == [2] and failing.creators
