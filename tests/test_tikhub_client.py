"""The live client and source against the fake TikHub: routes, params, cache, coalescing, limits."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from types import SimpleNamespace

import httpx
import pytest
import time_machine
from sqlalchemy.exc import OperationalError

from bot.errors import UpstreamError, UpstreamKind
from bot.settings import PriceUnit, Settings
from bot.sources.base import SearchRequest
from bot.sources.cache import MemoryCache
from bot.sources.tikhub import ROUTE_V1, ROUTE_V2, Fetched, TikHubClient, TikHubSource, search_route
from tests.fakes.tikhub_server import FakeTikHub, Fault

V1_PARAMS = {"keyword": "美妆", "platformSource": "_1", "page": "1"}


@pytest.fixture
def tikhub() -> Iterator[FakeTikHub]:
    with FakeTikHub() as fake:
        yield fake


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_client(tikhub: FakeTikHub, sleeps: list[float]) -> Iterator[Callable[..., TikHubClient]]:
    """Clients on the fake with settings overrides; backoff and rate-limit sleeps are recorded."""
    clients: list[TikHubClient] = []

    def build(**overrides: object) -> TikHubClient:
        clients.append(TikHubClient(tikhub.settings(**overrides), sleep=sleeps.append))
        return clients[-1]

    yield build
    for built in clients:
        built.close()


@pytest.fixture
def client(make_client: Callable[..., TikHubClient]) -> TikHubClient:
    return make_client()


def run_together(n: int, fn) -> list[object]:
    """Call `fn` from `n` threads released at once; return values or raised exceptions."""
    barrier, results = threading.Barrier(n), [None] * n

    def worker(i: int) -> None:
        barrier.wait()
        try:
            results[i] = fn()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_v1_page_sends_spec_params_and_bearer_token(tikhub, client) -> None:
    page = TikHubSource(client, PriceUnit.YUAN).search_page(SearchRequest("美妆 护肤", 2))
    (request,) = tikhub.requests
    assert request.route == ROUTE_V1
    assert request.params == {"keyword": "美妆 护肤", "platformSource": "_1", "page": "2"}
    assert request.headers["authorization"] == f"Bearer {tikhub.token}"
    assert (page.keyword, page.page, page.route, page.live) == ("美妆 护肤", 2, ROUTE_V1, True)
    assert (page.upstream_calls, page.cost_usd, page.from_cache) == (1, 0.02, False)
    assert page.creators and len(page.creators) + page.skipped == 20
    assert page.fetched_at.tzinfo is not None


def test_v2_filters_select_search_kol_v2(tikhub, client) -> None:
    request = SearchRequest("护肤", 1, follower_range_wan=(10, 100), content_tag="tag_level_two-4")
    page = TikHubSource(client, PriceUnit.YUAN).search_page(request)
    (sent,) = tikhub.requests
    assert sent.route == ROUTE_V2 == page.route
    assert sent.params == {
        "keyword": "护肤",
        "page": "1",
        "followerRange": "10-100",
        "contentTag": "tag_level_two-4",
    }


@pytest.mark.parametrize(
    ("request_", "route", "extra"),
    [
        (SearchRequest("a", 3), ROUTE_V1, {"platformSource": "_1"}),
        (SearchRequest("a", 3, follower_range_wan=(10, None)), ROUTE_V2, {"followerRange": "10-100000"}),
        (SearchRequest("a", 3, follower_range_wan=(None, 50)), ROUTE_V2, {"followerRange": "0-50"}),
        (SearchRequest("a", 3, content_tag="tag-1"), ROUTE_V2, {"contentTag": "tag-1"}),
    ],
)
def test_search_route(request_, route, extra) -> None:
    assert search_route(request_) == (route, {"keyword": "a", "page": "3", **extra})


def test_cache_hit_within_ttl_makes_no_call(tikhub, client) -> None:
    first = client.get_json(ROUTE_V1, V1_PARAMS)
    second = client.get_json(ROUTE_V1, dict(reversed(V1_PARAMS.items())))  # param order is irrelevant
    assert tikhub.calls == 1
    assert (second.from_cache, second.upstream_calls, second.cost_usd) == (True, 0, 0.0)
    assert second.body == first.body and second.fetched_at == first.fetched_at


def test_source_reports_cache_hits_with_the_original_fetch_time(tikhub, client) -> None:
    source = TikHubSource(client, PriceUnit.YUAN)
    first = source.search_page(SearchRequest("美妆", 1))
    again = source.search_page(SearchRequest("美妆", 1))
    assert (again.from_cache, again.upstream_calls, again.fetched_at) == (True, 0, first.fetched_at)
    assert [c.star_id for c in again.creators] == [c.star_id for c in first.creators]


def test_cache_expires_after_ttl(tikhub, client) -> None:
    with time_machine.travel(datetime.now(UTC), tick=True) as traveller:
        client.get_json(ROUTE_V1, V1_PARAMS)
        traveller.shift(6 * 3600 - 60)
        assert client.get_json(ROUTE_V1, V1_PARAMS).from_cache
        traveller.shift(61)
        refreshed = client.get_json(ROUTE_V1, V1_PARAMS)
    assert (refreshed.from_cache, refreshed.upstream_calls, tikhub.calls) == (False, 1, 2)


def test_zero_ttl_disables_the_cache(tikhub, make_client) -> None:
    client = make_client(kolbot_cache_ttl_s=0)
    client.get_json(ROUTE_V1, V1_PARAMS)
    client.get_json(ROUTE_V1, V1_PARAMS)
    assert tikhub.calls == 2


def test_twenty_concurrent_identical_requests_make_one_call(tikhub, make_client) -> None:
    tikhub.delay_s = 0.5
    client = make_client(kolbot_cache_ttl_s=0)  # coalescing alone, no cache to hide behind
    results = run_together(20, lambda: client.get_json(ROUTE_V1, V1_PARAMS))
    assert tikhub.calls == 1
    assert all(isinstance(r, Fetched) for r in results)
    assert sorted(r.upstream_calls for r in results) == [0] * 19 + [1]
    assert sum(r.cost_usd for r in results) == 0.02
    assert len({id(r.body) for r in results}) == 1


def test_coalesced_callers_share_the_error_but_not_its_cost(tikhub, client) -> None:
    tikhub.delay_s = 0.5
    tikhub.inject(Fault.REFUSED)
    results = run_together(10, lambda: client.get_json(ROUTE_V1, V1_PARAMS))
    assert tikhub.calls == 1
    assert all(isinstance(r, UpstreamError) and r.upstream_code == 10003 for r in results)
    assert sorted(r.upstream_calls for r in results) == [0] * 9 + [1]


def test_different_requests_are_not_coalesced(tikhub, client) -> None:
    tikhub.delay_s = 0.2
    pages = iter(range(1, 6))
    lock = threading.Lock()

    def next_page() -> Fetched:
        with lock:
            page = str(next(pages))
        return client.get_json(ROUTE_V1, {**V1_PARAMS, "page": page})

    run_together(5, next_page)
    assert sorted(r.params["page"] for r in tikhub.requests) == ["1", "2", "3", "4", "5"]


def test_rate_limit_spaces_out_requests(make_client, sleeps) -> None:
    client = make_client(kolbot_tikhub_qps=0.5)
    for page in ("1", "2", "3"):
        client.get_json(ROUTE_V1, {**V1_PARAMS, "page": page})
    waits = [s for s in sleeps if s > 1]  # the fake sleep does not advance time: 2 s, then 4 s
    assert len(waits) == 2 and waits[1] > waits[0]


class _BrokenStore(MemoryCache):
    """A cache whose writes fail, as a database that went away mid-search does."""

    def set(self, key: str, body: dict, fetched_at: datetime, ttl_s: float) -> None:
        raise OperationalError("INSERT INTO http_cache ...", {}, Exception("server closed the connection"))


def test_a_paid_answer_is_returned_when_storing_it_fails(tikhub, caplog) -> None:
    spent: list[tuple[int, float]] = []
    meter = SimpleNamespace(check=lambda: None, record=lambda calls, cost: spent.append((calls, cost)))
    client = TikHubClient(tikhub.settings(), cache=_BrokenStore(), meter=meter, sleep=lambda s: None)
    fetched = client.get_json(ROUTE_V1, V1_PARAMS)
    client.close()
    assert fetched.body["data"]["authors"] and (fetched.upstream_calls, fetched.from_cache) == (1, False)
    assert spent == [(1, 0.02)] and tikhub.calls == 1  # paid once, charged once
    assert "could not cache a paid TikHub answer (search_kol_v1)" in caplog.text


def test_generic_route_goes_through_the_same_path(tikhub, client) -> None:
    tikhub.add_route("kol_base_info_v1", lambda params: {"id": params["kolId"], "follower": 15711210})
    params = {"kolId": "123", "platformChannel": "_1"}
    fetched = client.get_json("kol_base_info_v1", params)
    assert fetched.body["data"] == {"id": "123", "follower": 15711210}
    assert client.get_json("kol_base_info_v1", params).from_cache
    assert tikhub.requests[0].path == "/api/v1/douyin/xingtu/kol_base_info_v1"


def test_unknown_route_is_not_found(tikhub, client) -> None:
    with pytest.raises(UpstreamError) as info:
        client.get_json("no_such_route_v1", {})
    assert info.value.kind is UpstreamKind.NOT_FOUND


def test_route_must_be_a_plain_path(client) -> None:
    with pytest.raises(ValueError):
        client.get_json("../../admin", {})


def test_client_needs_a_key() -> None:
    with pytest.raises(ValueError):
        TikHubClient(Settings(_env_file=None))


def test_close_leaves_an_injected_http_client_open(tikhub) -> None:
    with httpx.Client() as http:
        client = TikHubClient(tikhub.settings(), http_client=http)
        client.get_json(ROUTE_V1, V1_PARAMS)
        client.close()
        assert not http.is_closed


def test_per_route_ttl_overrides_the_default(client: TikHubClient, tikhub: FakeTikHub) -> None:
    """A route cached with its own 1-hour TTL is fetched again after that hour, not after 6."""
    with time_machine.travel(datetime.now(UTC), tick=True) as traveller:
        client.get_json(ROUTE_V1, V1_PARAMS, ttl_s=3600)
        traveller.shift(3600 - 60)
        assert client.get_json(ROUTE_V1, V1_PARAMS, ttl_s=3600).from_cache
        traveller.shift(61)
        refreshed = client.get_json(ROUTE_V1, V1_PARAMS, ttl_s=3600)
    assert (refreshed.from_cache, tikhub.calls) == (False, 2)


def test_the_rate_setting_still_reads_its_former_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKHUB_RATE_LIMIT_PER_S", "2")
    assert Settings(_env_file=None).kolbot_tikhub_qps == 2
    monkeypatch.setenv("KOLBOT_TIKHUB_QPS", "7")
    assert Settings(_env_file=None).kolbot_tikhub_qps == 7  # the current name wins
