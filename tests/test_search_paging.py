"""Paying only for pages that can hold creators (issue 11 §4), against the fake TikHub over HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.cards.views import results_message
from bot.grammar import parse_query
from bot.models import PageFetch
from bot.search import SearchService
from bot.settings import PriceUnit
from bot.sources.base import SearchRequest
from bot.sources.cache import MemoryCache
from bot.sources.extents import Extent, SearchExtents, extent_key
from bot.sources.tikhub import TikHubClient, TikHubSource
from bot.store.http_cache import SqlResponseCache
from tests.fakes.tikhub_server import FakeTikHub, Fault

_T = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def tikhub() -> Iterator[FakeTikHub]:
    with FakeTikHub() as fake:
        yield fake


@pytest.fixture
def source(tikhub: FakeTikHub) -> Iterator[TikHubSource]:
    # Response cache off: every page asked for reaches the fake, so its request log is the bill.
    client = TikHubClient(tikhub.settings(kolbot_cache_ttl_s=0, tikhub_max_retries=0), sleep=lambda s: None)
    yield TikHubSource(client, PriceUnit.YUAN)
    client.close()


class Gate:
    """Wraps a source; the pages in `together` each wait until all of them are in flight."""

    def __init__(self, inner: TikHubSource, together: int) -> None:
        self.inner, self.live = inner, inner.live
        self.barrier = threading.Barrier(together, timeout=5) if together > 1 else None

    def search_page(self, request: SearchRequest) -> PageFetch:
        if self.barrier is not None:
            self.barrier.wait()  # raises BrokenBarrierError when the pages arrive one by one
        return self.inner.search_page(request)


def pages_asked(tikhub: FakeTikHub) -> list[int]:
    return sorted(int(r.params["page"]) for r in tikhub.requests)


def test_an_empty_first_page_costs_one_call(tikhub, source):
    result = SearchService(source).search(parse_query("护肤 粉丝>=1亿 pages=3"))
    assert tikhub.calls == 1
    assert result.stats.upstream_calls == 1
    assert result.stats.cost_usd == pytest.approx(0.02)
    assert result.stats.pages_skipped == [2, 3]
    assert result.stats.matched == 0


def test_a_first_time_search_fetches_only_the_pages_page_one_promises(tikhub, source):
    # 7 creators have ≥500万 followers: page 1 says has_more=false, total_count=7.
    result = SearchService(source).search(parse_query("护肤 粉丝>=500w pages=5"))
    assert pages_asked(tikhub) == [1]
    assert result.stats.matched == 7
    assert result.stats.pages_skipped == [2, 3, 4, 5]


def test_a_first_time_search_fetches_page_one_then_the_rest_together(tikhub, source):
    result = SearchService(Gate(source, together=1)).search(parse_query("护肤 粉丝>=100w pages=5"))
    # total_count 23 → 2 pages exist; page 1 alone first, then page 2
    assert [int(r.params["page"]) for r in tikhub.requests] == [1, 2]
    assert result.stats.pages_skipped == [3, 4, 5]


def test_a_known_search_fetches_its_existing_pages_at_once(tikhub, source):
    extents = SearchExtents(MemoryCache())
    SearchService(source, extents=extents).search(parse_query("护肤 粉丝>=100w pages=5"))
    tikhub.reset()
    # Both existing pages must be in flight together, or the barrier breaks.
    gated = Gate(source, together=2)
    result = SearchService(gated, extents=extents).search(parse_query("护肤 粉丝>=100w pages=5"))
    assert pages_asked(tikhub) == [1, 2]
    assert result.stats.pages_skipped == [3, 4, 5]


def test_a_known_search_with_many_pages_fetches_them_all_at_once(tikhub, source):
    extents = SearchExtents(MemoryCache())
    SearchService(source, extents=extents).search(parse_query("护肤 pages=1"))
    tikhub.reset()
    result = SearchService(Gate(source, together=3), extents=extents).search(parse_query("护肤 pages=3"))
    assert pages_asked(tikhub) == [1, 2, 3]
    assert result.stats.pages_fetched == 3


def test_a_page_that_said_no_more_wins_over_total_count():
    pages = [
        PageFetch(keyword="k", page=1, creators=[], total_count=400, has_more=True, fetched_at=_T),
        PageFetch(keyword="k", page=3, creators=[], total_count=400, has_more=False, fetched_at=_T),
    ]
    extent = Extent.from_pages(pages)
    assert extent == Extent(total_count=400, last_page=0)  # an empty page 1: nothing exists
    assert Extent(total_count=45).exists(3) and not Extent(total_count=40).exists(3)
    assert Extent().exists(99)


def test_extents_are_keyed_by_keyword_and_upstream_filters_only():
    a = SearchRequest("护肤", 1, follower_range_wan=(10, None))
    assert extent_key(a) == extent_key(SearchRequest(" 护肤 ", 4, follower_range_wan=(10, None)))
    assert extent_key(a) != extent_key(SearchRequest("护肤", 1))
    assert extent_key(a) != extent_key(
        SearchRequest("护肤", 1, follower_range_wan=(10, None), content_tag="t")
    )


def test_extents_survive_in_the_database(tikhub, source, sessions):
    first = SearchService(source, extents=SearchExtents(SqlResponseCache(sessions)))
    first.search(parse_query("护肤 粉丝>=500w pages=5"))
    later = SearchExtents(SqlResponseCache(sessions))  # as after a restart
    known = later.get(SearchRequest("护肤", 1, follower_range_wan=(500, None)))
    assert known == Extent(total_count=7, last_page=1)


def test_a_broken_extent_store_costs_only_the_shortcut(tikhub, source):
    class Broken:
        def get(self, key):
            raise RuntimeError("db down")

        def set(self, *args):
            raise RuntimeError("db down")

    result = SearchService(source, extents=SearchExtents(Broken())).search(parse_query("护肤 pages=2"))
    assert result.stats.pages_fetched == 2


def test_a_v2_rejection_searches_again_on_v1_with_the_filters_applied_here(tikhub, source):
    tikhub.inject(Fault.INVALID, route="search_kol_v2", times=None)
    result = SearchService(source).search(parse_query("护肤 粉丝>=100w pages=2"))
    routes = [r.route for r in tikhub.requests]
    assert routes == ["search_kol_v2", "search_kol_v1", "search_kol_v1"]  # rejected once, not per page
    assert result.warnings == ["v2_rejected"]
    assert result.stats.route == "search_kol_v1"
    assert result.stats.upstream_calls == 3
    assert result.creators and all(s.creator.followers >= 1_000_000 for s in result.creators)


def test_other_v2_failures_are_not_retried_on_v1(tikhub, source):
    tikhub.inject(Fault.FORBIDDEN, route="search_kol_v2", times=None)
    with pytest.raises(Exception) as info:
        SearchService(source).search(parse_query("护肤 粉丝>=100w pages=2"))
    assert info.value.status == 403
    assert {r.route for r in tikhub.requests} == {"search_kol_v2"}


def test_an_empty_v2_search_names_the_filters_sent_upstream(tikhub, source):
    result = SearchService(source).search(parse_query("护肤 粉丝>=1亿 tag=护肤保养"))
    assert result.stats.upstream_filters == ["followers", "tag"]
    assert SearchService(source).search(parse_query("护肤 pages=1")).stats.upstream_filters == []


def test_a_known_search_that_grew_fetches_the_new_pages_too(tikhub, source):
    extents = SearchExtents(MemoryCache())
    extents.record(SearchRequest("护肤", 1), Extent(total_count=15, last_page=1))  # stale: one page
    result = SearchService(source, extents=extents).search(parse_query("护肤 pages=3"))
    pages = [int(r.params["page"]) for r in tikhub.requests]
    assert pages[0] == 1 and sorted(pages[1:]) == [2, 3]  # 2 and 3 are fetched together, in any order
    assert result.stats.pages_fetched == 3
    assert extents.get(SearchRequest("护肤", 1)).last_page is None  # learnt anew


def card_text(message) -> str:
    return json.dumps(message.to_dict()["blocks"], ensure_ascii=False)


@pytest.mark.parametrize(
    ("lang", "named", "not_blamed"),
    [("en", "followers ≥ 100,000,000", "different keyword"), ("zh", "粉丝", "换一个")],
)
def test_the_empty_v2_card_names_the_upstream_filter_not_the_keyword(tikhub, source, lang, named, not_blamed):
    result = SearchService(source).search(parse_query("护肤 粉丝>=1亿"))
    text = card_text(results_message(result, lang, search_ref="r1"))
    assert named in text and "护肤" in text
    assert not_blamed not in text


def test_the_card_says_when_v2_was_rejected_and_v1_used(tikhub, source):
    tikhub.inject(Fault.INVALID, route="search_kol_v2", times=None)
    result = SearchService(source).search(parse_query("护肤 粉丝>=100w pages=1"))
    assert "rejected the filtered search" in card_text(results_message(result, "en", search_ref="r1"))
    assert "星图拒绝了带筛选的搜索" in card_text(results_message(result, "zh", search_ref="r1"))


def test_v2_pages_paid_before_a_rejection_count_in_the_cost(tikhub, source):
    tikhub.inject(Fault.INVALID, route="search_kol_v2", page=2, times=None)  # page 1 fine, page 2 rejected
    result = SearchService(source).search(parse_query("护肤 粉丝>=10w pages=2"))
    assert [r.route for r in tikhub.requests].count("search_kol_v2") == 2
    assert result.warnings == ["v2_rejected"] and result.stats.route == "search_kol_v1"
    billed_v2 = 1  # the 422 is not billed; the page 1 answer was
    assert result.stats.cost_usd == pytest.approx(0.02 * (billed_v2 + 2))
