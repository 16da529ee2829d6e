"""The search service over an in-test source of synthetic creators."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest

from bot.brands import is_brand_account
from bot.cards.errors import error_text
from bot.errors import KolbotError, UpstreamError, UpstreamKind
from bot.grammar import active_filters, parse_query
from bot.i18n import tr
from bot.models import Creator, Duration, EcomProfile, Gender, NumRange, PageFetch, Price, SortKey
from bot.search import SearchService, follower_range_wan, search_request
from bot.sources.base import SearchRequest
from bot.sources.demo import DemoSource
from bot.xingtu_tags import tag_id

T0 = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
MID = Duration.MEDIUM


def creator(star_id: str, nickname: str | None = None, **kw) -> Creator:
    return Creator(star_id=star_id, nickname=nickname or f"测试达人{star_id}", **kw)


class FakeSource:
    """`CreatorSource` serving fixed pages; a page may be an `UpstreamError` to raise.

    Each page says `has_more` until the last one given, unless `has_more` says otherwise.
    """

    def __init__(
        self,
        pages: dict[int, list[Creator] | UpstreamError],
        *,
        live: bool = False,
        cached: frozenset[int] = frozenset(),
        skipped: int = 0,
        has_more: bool | None = None,
        barrier: threading.Barrier | None = None,
    ) -> None:
        self.pages, self.live, self.cached, self.skipped = pages, live, cached, skipped
        self.has_more, self.barrier = has_more, barrier
        self.requests: list[SearchRequest] = []
        self._lock = threading.Lock()

    def search_page(self, request: SearchRequest) -> PageFetch:
        with self._lock:
            self.requests.append(request)
        if self.barrier is not None and request.page > 1:
            self.barrier.wait()
        outcome = self.pages.get(request.page, [])
        if isinstance(outcome, UpstreamError):
            raise outcome
        from_cache = request.page in self.cached
        return PageFetch(
            keyword=request.keyword,
            page=request.page,
            creators=outcome,
            skipped=self.skipped,
            has_more=request.page < max(self.pages) if self.has_more is None else self.has_more,
            fetched_at=T0 - timedelta(minutes=request.page),
            upstream_calls=0 if from_cache else 1,
            cost_usd=0.0 if from_cache else 0.02,
            from_cache=from_cache,
            live=self.live,
            route="search_kol_v2" if request.uses_v2 else "search_kol_v1",
        )


def run(text: str, pages: dict, **source_kw):
    source = FakeSource(pages, **source_kw)
    return SearchService(source).search(parse_query(text)), source


def ids(result) -> list[str]:
    return [s.creator.star_id for s in result.creators]


# -- fetching, de-duplication, failures ----------------------------------------------------------


def test_duplicates_across_pages_keep_the_most_complete_copy():
    sparse = creator("a")
    complete = creator("a", followers=120_000, interact_rate=0.03, city="上海")
    result, _ = run("护肤", {1: [sparse, creator("b")], 2: [complete, creator("c")], 3: [creator("b")]})
    assert ids(result).count("a") == 1
    assert sorted(ids(result)) == ["a", "b", "c"]
    assert result.stats.creators_seen == 3
    assert result.stats.duplicates == 2
    kept = next(s.creator for s in result.creators if s.creator.star_id == "a")
    assert kept.followers == 120_000


def test_partial_failure_keeps_the_other_pages():
    refused = UpstreamError(
        UpstreamKind.REFUSED, upstream_code=10003, billed=True, upstream_calls=1, cost_usd=0.02
    )
    result, _ = run("护肤", {1: [creator("a")], 2: refused, 3: [creator("c")]})
    assert sorted(ids(result)) == ["a", "c"]
    assert result.warnings == ["pages_failed"]
    assert result.stats.pages_failed == [2]
    assert result.stats.pages_fetched == 2
    assert result.stats.pages_requested == [1, 2, 3]
    assert result.stats.upstream_calls == 3  # the refused page was billed too
    assert result.stats.cost_usd == pytest.approx(0.06)


def test_all_pages_failing_raises_the_first_pages_error():
    first = UpstreamError(UpstreamKind.GATEWAY, status=502)
    pages = {1: first, 2: UpstreamError(UpstreamKind.TIMEOUT), 3: UpstreamError(UpstreamKind.REFUSED)}
    with pytest.raises(UpstreamError) as info:
        run("护肤", pages)
    assert info.value is first


def test_no_warning_when_every_page_arrives():
    result, _ = run("护肤 pages=2", {1: [creator("a")], 2: [creator("b")]})
    assert result.warnings == []


def test_pages_after_the_first_are_fetched_concurrently():
    # Pages 2 and 3 each wait until both are in flight: a sequential fetch breaks the barrier.
    barrier = threading.Barrier(2, timeout=5)
    result, source = run(
        "护肤 pages=3", {1: [creator("a")], 2: [creator("b")], 3: [creator("c")]}, barrier=barrier
    )
    assert source.requests[0].page == 1
    assert sorted(r.page for r in source.requests) == [1, 2, 3]
    assert result.stats.pages_fetched == 3


def test_start_page_is_respected():
    query = parse_query("护肤 pages=2").model_copy(update={"start_page": 4})
    source = FakeSource({4: [creator("d")], 5: [creator("e")]})
    result = SearchService(source).search(query)
    assert sorted(r.page for r in source.requests) == [4, 5]
    assert sorted(ids(result)) == ["d", "e"]


# -- stats ---------------------------------------------------------------------------------------


def test_stats_arithmetic():
    pages = {
        1: [
            creator("a", followers=200_000, interact_rate=0.05),
            creator("b", followers=50_000, interact_rate=0.05),
            creator("s", "某某美妆旗舰店", followers=900_000),
        ],
        2: [
            creator("a", followers=200_000),
            creator("c", followers=300_000),
            creator("d", followers=400_000),
        ],
        3: [creator("e", followers=500_000, interact_rate=0.01), creator("f")],
    }
    result, _ = run("护肤 followers>=10w er>=3%", pages, cached=frozenset({2}), skipped=1)
    stats = result.stats
    assert stats.creators_seen == 7
    assert stats.duplicates == 1
    assert stats.excluded_brands == 1
    by_name = {f.name: f for f in stats.filters}
    assert (by_name["followers"].excluded, by_name["followers"].unknown) == (1, 1)  # b; f
    assert (by_name["er"].excluded, by_name["er"].unknown) == (1, 2)  # e; c, d
    assert tr("zh", dict(active_filters(result.query))["followers"]) == "粉丝 ≥ 10万"
    dropped = sum(f.excluded + f.unknown for f in stats.filters)
    assert stats.matched == stats.creators_seen - stats.excluded_brands - dropped == len(result.creators) == 1
    assert stats.skipped_malformed == 3
    assert stats.upstream_calls == 2
    assert stats.cache_hits == 1
    assert stats.cost_usd == pytest.approx(0.04)
    assert stats.data_time == T0 - timedelta(minutes=3)
    assert stats.live is False
    assert stats.route == "search_kol_v2"
    assert stats.elapsed_ms >= 0


def test_filter_descriptions_are_text_the_card_words():
    result, _ = run("skincare followers>=10w", {1: [creator("a", followers=200_000)]})
    assert [f.name for f in result.stats.filters] == ["followers"]
    assert tr("en", dict(active_filters(result.query))["followers"]) == "followers ≥ 100,000"


def test_live_flag_and_has_more_come_from_the_pages():
    result, _ = run("护肤", {1: [creator("a")]}, live=True, has_more=True)
    assert (result.stats.live, result.stats.has_more) == (True, True)
    assert result.stats.route == "search_kol_v1"
    result, _ = run("护肤", {1: [creator("a")]})
    assert (result.stats.live, result.stats.has_more) == (False, False)


def test_no_more_results_once_the_last_page_says_so():
    """Page 1 says more follow, page 2 (the last fetched) says none: no paid click on an empty page."""
    result, _ = run("护肤 pages=2", {1: [creator("a")], 2: [creator("b")]})
    assert result.stats.pages_fetched == 2 and result.stats.has_more is False
    result, _ = run("护肤 pages=1", {1: [creator("a")], 2: [creator("b")]})
    assert result.stats.has_more is True


# -- brands --------------------------------------------------------------------------------------


def test_more_results_past_the_last_page_say_so_instead_of_an_empty_card():
    source = FakeSource({1: [creator("a")]})
    query = parse_query("护肤 pages=1").model_copy(update={"start_page": 2})
    with pytest.raises(KolbotError) as err:
        SearchService(source).search(query)
    assert "no more creators for “护肤” after page 1" in error_text(err.value, "en")
    assert SearchService(source).search(parse_query("护肤 pages=1")).stats.creators_seen == 1


def test_brand_accounts_are_excluded_unless_asked():
    pages = {1: [creator("a"), creator("s", "某某护肤官方旗舰店"), creator("t", "Glowy Official Store")]}
    result, _ = run("护肤", pages)
    assert ids(result) == ["a"]
    assert result.stats.excluded_brands == 2
    result, _ = run("护肤 brands=yes", pages)
    assert sorted(ids(result)) == ["a", "s", "t"]
    assert result.stats.excluded_brands == 0


@pytest.mark.parametrize(
    ("nickname", "author_type", "brand"),
    [
        ("某某美妆旗舰店", "1", True),
        ("某某护肤专卖店", None, True),
        ("某某专营店铺", "2", True),
        ("某某美妆旗舰店直播间", "3", True),
        ("某某美妆官方", "1", True),
        ("某某美妆官方 ✨", "1", True),
        ("Glowy flagship store", None, True),
        ("glowy OFFICIAL", "1", True),
        ("某某品牌", "3", True),
        ("青禾美妆店", "3", True),
        ("小美美妆（南门店）", "3", True),
        ("青禾美妆店", "1", False),
        ("某某品牌", "1", False),
        ("官方认证吃货小王", "3", False),
        ("小王的店庆分享", "3", False),
        ("美妆小王", "3", False),
        ("Officially Amy", "1", False),
        ("店长推荐小李", "3", False),
    ],
)
def test_is_brand_account(nickname, author_type, brand):
    assert is_brand_account(creator("x", nickname, author_type=author_type)) is brand


# -- filters -------------------------------------------------------------------------------------

FILTER_CASES = [
    ("followers>=10w", {"followers": 200_000}, {"followers": 50_000}, {}),
    (
        "price<=2万",
        {"prices": {2: Price(video_type=2, yuan=15_000)}},
        {"prices": {2: Price(video_type=2, yuan=30_000)}},
        {"prices": {1: Price(video_type=1, yuan=5_000)}},  # only a 1-20 s quote: unknown for 21-60 s
    ),
    ("cpm<=60", {"upstream_cpm": {MID: 50.0}}, {"upstream_cpm": {MID: 90.0}}, {"upstream_cpm": {MID: 0.0}}),
    ("cpe<=2", {"upstream_cpe": {MID: 1.5}}, {"upstream_cpe": {MID: 4.0}}, {}),
    ("er>=3%", {"interact_rate": 0.05}, {"interact_rate": 0.01}, {}),
    ("completion>=20%", {"completion_rate": 0.25}, {"completion_rate": 0.1}, {}),
    ("star>=60", {"link_star_index": 72.5}, {"link_star_index": 41.0}, {}),
    ("growth>0", {"growth_rate_15d": 0.01}, {"growth_rate_15d": -0.002}, {}),
    (
        "ecom>=L3",
        {"ecom": EcomProfile(level="L4")},
        {"ecom": EcomProfile(level="L1")},
        {"ecom": EcomProfile()},
    ),
    ("gender=female", {"gender": Gender.FEMALE}, {"gender": Gender.MALE}, {"gender": Gender.UNKNOWN}),
    (
        "city=上海",
        {"province": "上海市"},
        {"province": "浙江", "city": "杭州"},
        {"province": "", "city": None},
    ),
    ("city=上海市", {"city": "上海"}, {"city": "杭州市"}, {}),
    ("tag=护肤保养", {"tags": {"美妆": ["护肤保养"]}}, {"tags": {"美食": ["美食教程"]}}, {}),
    ("tag=美妆", {"tags": {"美妆": []}}, {"tags": {"美食": []}}, {}),
    ("tag=底妆", {"theme_labels": ["底妆测评"]}, {"theme_labels": ["职场趣闻"]}, {}),
    ("tag=穿搭 tag=护肤", {"tags": {"美妆": ["护肤保养"]}}, {"tags": {"时尚": ["街拍"]}}, {}),
]


@pytest.mark.parametrize(("text", "passing", "failing", "unknown"), FILTER_CASES)
def test_each_filter_with_unknowns_excluded(text, passing, failing, unknown):
    pages = {1: [creator("pass", **passing), creator("fail", **failing), creator("unknown", **unknown)]}
    result, _ = run(f"护肤 {text}", pages)
    assert ids(result) == ["pass"]
    [stat] = result.stats.filters
    assert (stat.excluded, stat.unknown) == (1, 1)


@pytest.mark.parametrize(("text", "passing", "failing", "unknown"), FILTER_CASES)
def test_each_filter_with_unknowns_included(text, passing, failing, unknown):
    pages = {1: [creator("pass", **passing), creator("fail", **failing), creator("unknown", **unknown)]}
    result, _ = run(f"护肤 {text} unknowns=yes", pages)
    assert sorted(ids(result)) == ["pass", "unknown"]
    [stat] = result.stats.filters
    assert (stat.excluded, stat.unknown) == (1, 1)


def test_price_filters_use_the_chosen_duration():
    quotes = {1: Price(video_type=1, yuan=8_000), 2: Price(video_type=2, yuan=30_000)}
    pages = {1: [creator("a", prices=quotes)]}
    assert ids(run("护肤 price<=1万 duration=1-20", pages)[0]) == ["a"]
    assert ids(run("护肤 price<=1万", pages)[0]) == []


def test_filters_combine_as_a_funnel():
    pages = {
        1: [
            creator("ok", followers=200_000, gender=Gender.FEMALE),
            creator("small-male", followers=10_000, gender=Gender.MALE),
            creator("big-male", followers=300_000, gender=Gender.MALE),
        ]
    }
    result, _ = run("护肤 followers>=10w gender=female", pages)
    assert ids(result) == ["ok"]
    followers, gender = result.stats.filters
    assert (followers.excluded, gender.excluded) == (1, 1)  # small-male counted once, at followers


# -- scoring cohort and sorting ------------------------------------------------------------------


def test_percentiles_are_against_the_whole_fetched_cohort():
    pages = {
        1: [
            creator(str(i), followers=f, upstream_cpe={MID: cpe})
            for i, (f, cpe) in enumerate([(1, 1.0), (500_000, 2.0), (600_000, 3.0)])
        ]
    }
    result, _ = run("护肤 followers>=10w", pages)
    assert ids(result) == ["1", "2"]
    cpe = {
        s.creator.star_id: next(c for c in s.components if c.key == "cpe").percentile for s in result.creators
    }
    assert cpe == {"1": 50.0, "2": 0.0}


SORT_POOL = [
    creator(
        "a",
        followers=100,
        interact_rate=0.01,
        growth_rate_15d=0.03,
        upstream_cpm={MID: 30.0},
        upstream_cpe={MID: 3.0},
    ),
    creator(
        "b",
        followers=300,
        interact_rate=0.05,
        growth_rate_15d=-0.01,
        upstream_cpm={MID: 10.0},
        upstream_cpe={MID: 1.0},
    ),
    creator("c", followers=200, growth_rate_15d=0.01, upstream_cpm={MID: 20.0}),
    creator("d", prices={2: Price(video_type=2, yuan=5_000)}, interact_rate=0.03),
]


@pytest.mark.parametrize(
    ("sort", "known_order"),
    [
        (SortKey.FOLLOWERS, ["b", "c", "a"]),
        (SortKey.ER, ["b", "d", "a"]),
        (SortKey.GROWTH, ["a", "c", "b"]),
    ],
)
def test_sort_orders_put_unknown_values_last(sort, known_order):
    result, _ = run(f"护肤 sort={sort.value}", {1: SORT_POOL})
    assert ids(result)[: len(known_order)] == known_order
    assert len(result.creators) == len(SORT_POOL)
    assert [s.rank for s in result.creators] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        (SortKey.CPM, ["d", "b", "c", "a"]),  # d: the only quote (CPM unknown), then upstream CPMs
        (SortKey.CPE, ["d", "b", "a", "c"]),
        (SortKey.PRICE, ["d"]),
        (SortKey.SCORE, ["d"]),
    ],
)
def test_cost_orders_put_creators_with_a_price_for_the_duration_first(sort, order):
    result, _ = run(f"护肤 sort={sort.value}", {1: SORT_POOL})
    assert ids(result)[: len(order)] == order
    assert [s.rank for s in result.creators] == [1, 2, 3, 4]


def test_a_price_for_another_duration_does_not_count_as_priced():
    short_only = creator("short", prices={1: Price(video_type=1, yuan=900)}, upstream_cpe={MID: 0.1})
    priced = creator("mid", prices={2: Price(video_type=2, yuan=5_000)}, upstream_cpe={MID: 9.0})
    result, _ = run("护肤 sort=cpe", {1: [short_only, priced]})
    assert ids(result) == ["mid", "short"]
    short, _ = run("护肤 sort=cpe duration=1-20", {1: [short_only, priced]})
    assert ids(short) == ["short", "mid"]


def test_score_order_ranks_priced_first_even_when_an_unpriced_creator_scores_higher():
    star = creator("star", interact_rate=0.09, shopping_index=95, link_star_index=90, upstream_cpe={MID: 0.5})
    plain = creator(
        "plain",
        interact_rate=0.01,
        shopping_index=40,
        link_star_index=40,
        prices={2: Price(video_type=2, yuan=8_000)},
    )
    result, _ = run("护肤", {1: [star, plain]})
    assert ids(result) == ["plain", "star"]
    assert result.creators[1].score > result.creators[0].score
    by_er, _ = run("护肤 sort=er", {1: [star, plain]})
    assert ids(by_er) == ["star", "plain"]


def test_sort_by_score_is_descending_within_the_priced_and_the_unpriced():
    result, _ = run("护肤", {1: SORT_POOL})
    scores = [s.score for s in result.creators]
    assert None not in scores
    assert scores[1:] == sorted(scores[1:], reverse=True)
    by_price, _ = run("护肤 sort=price", {1: SORT_POOL})
    unknown_price = [s for s in by_price.creators if s.creator.prices == {}]
    assert [s.score for s in unknown_price] == sorted((s.score for s in unknown_price), reverse=True)


# -- v2 request mapping --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        (NumRange(low=159_000, high=441_000), (15, 45)),
        (NumRange(low=100_000, high=500_000), (10, 50)),
        (NumRange(low=100_000, low_inclusive=False), (10, None)),
        (NumRange(high=5_000), (None, 1)),
        (NumRange(low=0), None),
        (None, None),
    ],
)
def test_follower_range_in_wan_never_narrows(bounds, expected):
    assert follower_range_wan(bounds) == expected


def test_tag_ids():
    assert tag_id("护肤保养") == "tag_level_two-4"
    assert tag_id("美妆") == "tag-1"
    assert tag_id("时尚媒体") == "tag_level_two-135"
    assert tag_id("汽车测评") is None  # filed under both 测评 and 汽车
    assert tag_id("不存在的标签") is None


@pytest.mark.parametrize(
    ("text", "follower_range", "content_tag"),
    [
        ("护肤", None, None),
        ("护肤 粉丝10w-100w", (10, 100), None),
        ("护肤 tag=护肤保养", None, "tag_level_two-4"),
        ("护肤 粉丝>=10w tag=美妆", (10, None), "tag-1"),
        ("护肤 tag=护肤保养 tag=美妆教程", None, None),
        ("护肤 tag=护肤", None, None),
        ("护肤 er>=3%", None, None),
    ],
)
def test_search_requests_use_v2_when_the_query_maps_onto_it(text, follower_range, content_tag):
    query = parse_query(text)
    assert search_request(query, 2) == SearchRequest(
        keyword="护肤", page=2, follower_range_wan=follower_range, content_tag=content_tag
    )


def test_source_receives_the_v2_request_and_filters_still_apply_locally():
    pages = {1: [creator("in", followers=200_000), creator("out", followers=20_000)]}
    result, source = run("护肤 粉丝10w-100w pages=1", pages)
    assert source.requests == [SearchRequest("护肤", 1, (10, 100), None)]
    assert ids(result) == ["in"]


# -- snapshot hook -------------------------------------------------------------------------------


def test_on_seen_gets_every_page_including_brands_and_cached_ones():
    """Digests collect every creator fetched; the snapshot hook skips the cached pages itself."""
    calls = []
    source = FakeSource(
        {1: [creator("a"), creator("s", "某某旗舰店")], 2: [creator("b")]}, cached=frozenset({2})
    )
    SearchService(
        source,
        on_seen=lambda creators, *, live, fetched_at, from_cache: calls.append(
            ([c.star_id for c in creators], live, fetched_at, from_cache)
        ),
    ).search(parse_query("护肤 pages=2"))
    assert calls == [
        (["a", "s"], False, T0 - timedelta(minutes=1), False),
        (["b"], False, T0 - timedelta(minutes=2), True),
    ]


def test_a_failing_on_seen_does_not_lose_results(caplog):
    def broken(creators, *, live, fetched_at):
        raise RuntimeError("disk full")

    source = FakeSource({1: [creator("a")]})
    with caplog.at_level(logging.WARNING, logger="bot.search"):
        result = SearchService(source, on_seen=broken).search(parse_query("护肤 pages=1"))
    assert ids(result) == ["a"]
    assert "on_seen" in caplog.text


# -- end to end over the bundled demo dataset ----------------------------------------------------


def test_demo_search_reports_its_failing_page_and_keeps_the_rest():
    result = SearchService(DemoSource()).search(parse_query("故障演示 pages=3"))
    stats = result.stats
    assert (stats.pages_failed, result.warnings, stats.pages_fetched) == ([2], ["pages_failed"], 2)
    assert (
        SearchService(DemoSource()).search(parse_query("护肤 pages=5")).stats.duplicates > 0
    )  # pages overlap
    assert stats.matched == stats.creators_seen - stats.excluded_brands == len(result.creators) > 0
    assert not any(is_brand_account(s.creator) for s in result.creators)
    assert all(0 <= s.score <= 100 for s in result.creators if s.score is not None)
    assert stats.live is False


def test_demo_search_with_v2_filters():
    result = SearchService(DemoSource()).search(parse_query("护肤 粉丝10w-100w tag=护肤保养"))
    assert result.stats.route == "search_kol_v2"
    assert result.creators
    for scored in result.creators:
        assert 100_000 <= scored.creator.followers <= 1_000_000
        assert "护肤保养" in [*scored.creator.tag_list, *scored.creator.theme_labels]


# -- More results --------------------------------------------------------------------------------


def test_more_continues_the_first_ranking_with_its_scores():
    """Page 2 of the card is #11… of the list page 1 ranked, not a fresh ranking of other pages."""
    service = SearchService(DemoSource())
    query = parse_query("护肤 pages=1")
    first = service.search(query)
    assert len(first.creators) > 13
    more = service.more(query, pages_seen=1, shown=10)
    assert more.offset == 10 and more.new_pages == [] and more.rescored_from is None
    shown = more.creators[10:20]
    assert [(s.creator.star_id, s.score, s.rank) for s in shown] == [
        (s.creator.star_id, s.score, rank) for rank, s in enumerate(first.creators[10:20], start=11)
    ]


def test_more_past_the_list_appends_the_next_pages_without_moving_earlier_ranks():
    service = SearchService(DemoSource())
    query = parse_query("护肤 pages=1")
    first = service.search(query)
    listed = len(first.creators)
    more = service.more(query, pages_seen=1, shown=listed)
    assert more.new_pages == [2] and more.rescored_from == listed and more.offset == listed
    before = [(s.creator.star_id, s.score) for s in first.creators]
    assert [(s.creator.star_id, s.score) for s in more.creators[:listed]] == before
    added = more.creators[listed:]
    assert added and not {s.creator.star_id for s in added} & {i for i, _ in before}
    assert [s.rank for s in more.creators] == list(range(1, len(more.creators) + 1))
    # the next click continues that same list: pages 1–2, as this card numbered them
    again = service.more(query, pages_seen=2, shown=listed + 1)
    assert [s.creator.star_id for s in again.creators] == [s.creator.star_id for s in more.creators]


def test_more_after_the_last_page_says_so():
    source = FakeSource({1: [creator("a"), creator("b")]})
    with pytest.raises(KolbotError) as err:
        SearchService(source).more(parse_query("护肤 pages=1"), pages_seen=1, shown=2)
    assert "no more creators for “护肤” after page 1" in error_text(err.value, "en")
