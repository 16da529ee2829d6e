"""Demo data a marketer would believe (issue 11 §8): tags fit the category, one documented failing page."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest

from bot.demo import synth, synth_detail
from bot.demo.synth import CAPTURED_AT
from bot.grammar import parse_query
from bot.models import Creator, Price
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


def test_a_demo_deep_dive_agrees_with_its_own_data_time() -> None:
    """The follower series ends on the day the card says the data is from, and the account came
    to Xingtu before its earliest quote."""
    today = CAPTURED_AT.date() + timedelta(days=35)
    asked = {"startDate": (today - timedelta(days=29)).isoformat(), "endDate": today.isoformat()}
    start, end = synth_detail._window(asked)
    assert end == CAPTURED_AT.date() and (end - start).days == 29
    quote = Price(video_type=2, yuan=5000, start_time=CAPTURED_AT - timedelta(days=2000))
    creator = Creator(star_id="1" * 19, nickname="x", prices={2: quote})
    started = CAPTURED_AT - timedelta(days=2000)
    assert synth_detail._created_ts(creator, random.Random(1)) < int(started.timestamp())
