"""DemoSource: the bundled synthetic dataset behind the `CreatorSource` interface."""

from __future__ import annotations

import gzip
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.cards.errors import error_text
from bot.demo import synth
from bot.errors import UpstreamError, UpstreamKind
from bot.models import Duration
from bot.settings import PriceUnit
from bot.sources.base import CreatorSource, SearchRequest
from bot.sources.demo import DemoSource


class CountingPath(type(Path())):  # type: ignore[misc]
    """A path that counts how often the file is read."""

    reads = 0
    _lock = threading.Lock()

    def read_bytes(self) -> bytes:
        with CountingPath._lock:
            CountingPath.reads += 1
        return super().read_bytes()


@pytest.fixture(scope="module")
def source() -> DemoSource:
    return DemoSource()


def test_first_page_of_a_demo_keyword(source: DemoSource) -> None:
    as_protocol: CreatorSource = source
    page = as_protocol.search_page(SearchRequest("护肤", 1))
    assert source.live is False
    assert (page.keyword, page.page, page.route) == ("护肤", 1, "search_kol_v1")
    assert len(page.creators) == 20 and page.skipped == 0
    assert page.has_more is True and page.total_count == 2513
    assert page.fetched_at == synth.CAPTURED_AT
    assert (page.upstream_calls, page.cost_usd, page.live, page.from_cache) == (0, 0.0, False, False)


def test_creators_match_the_bundled_authors(source: DemoSource) -> None:
    page = source.search_page(SearchRequest("美妆", 2))
    authors = synth.search_body("美妆", 2)["data"]["authors"]
    assert [c.star_id for c in page.creators] == [a["star_id"] for a in authors]
    assert [c.nickname for c in page.creators] == [a["attribute_datas"]["nick_name"] for a in authors]


def test_the_failing_page_is_an_upstream_refusal(source: DemoSource) -> None:
    with pytest.raises(UpstreamError) as caught:
        source.search_page(SearchRequest(synth.FAILING_KEYWORD, 2))
    err = caught.value
    assert (err.kind, err.upstream_code, err.billed) == (UpstreamKind.REFUSED, 10003, False)
    assert "10003" in error_text(err, "en") and "try again" in error_text(err, "en")
    assert "10003" in error_text(err, "zh") and "重试" in error_text(err, "zh")


def test_pages_past_the_pool_are_empty(source: DemoSource) -> None:
    page = source.search_page(SearchRequest("数码", 6))
    assert page.creators == [] and page.has_more is False


def test_unknown_keyword_is_generated_deterministically(source: DemoSource) -> None:
    page = source.search_page(SearchRequest("萌宠", 1))
    again = DemoSource().search_page(SearchRequest("萌宠", 1))
    assert len(page.creators) == 20
    assert page.creators == again.creators
    assert sum("萌宠" in c.tags for c in page.creators) >= 12
    assert source.search_page(SearchRequest("萌宠", 3)).creators == []


def test_v2_filters_are_applied(source: DemoSource) -> None:
    request = SearchRequest("穿搭", 1, follower_range_wan=(10, 100), content_tag="tag_level_two-7")
    page = source.search_page(request)
    assert page.route == "search_kol_v2"
    assert page.creators
    assert all(100_000 <= c.followers <= 1_000_000 and "穿搭" in c.tags["时尚"] for c in page.creators)
    rest = source.search_page(SearchRequest("穿搭", 2, request.follower_range_wan, request.content_tag))
    assert page.total_count == len(page.creators) + len(rest.creators) and not rest.has_more


def test_fen_price_unit_divides_money(source: DemoSource) -> None:
    yuan = source.search_page(SearchRequest("护肤", 1)).creators
    fen = DemoSource(PriceUnit.FEN).search_page(SearchRequest("护肤", 1)).creators
    priced = [(y, f) for y, f in zip(yuan, fen, strict=True) if y.price(Duration.MEDIUM)]
    assert priced
    for y, f in priced:
        assert f.price(Duration.MEDIUM) == pytest.approx(y.price(Duration.MEDIUM) / 100)
        assert f.followers == y.followers


def test_pages_come_from_the_bundled_file(tmp_path: Path) -> None:
    bundle = synth.dataset()
    author = bundle["pages"]["美食"]["1"]["data"]["authors"][0]
    author["attribute_datas"]["nick_name"] = "文件里的名字"
    path = tmp_path / "pages.json.gz"
    path.write_bytes(gzip.compress(json.dumps(bundle).encode()))
    page = DemoSource(path=path).search_page(SearchRequest("美食", 1))
    assert page.creators[0].nickname == "文件里的名字"


def test_an_unreadable_file_falls_back_to_the_generator(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(b"not gzip")
    for path in (broken, tmp_path / "missing.json.gz"):
        page = DemoSource(path=path).search_page(SearchRequest("母婴", 2))
        assert [c.star_id for c in page.creators] == [
            a["star_id"] for a in synth.search_body("母婴", 2)["data"]["authors"]
        ]
    with pytest.raises(UpstreamError):
        DemoSource(path=broken).search_page(SearchRequest(synth.FAILING_KEYWORD, 2))


def test_the_file_is_read_once_under_concurrency() -> None:
    CountingPath.reads = 0
    demo = DemoSource(path=CountingPath(synth.BUNDLE_PATH))
    requests = [SearchRequest(kw, p) for kw in synth.DEMO_KEYWORDS for p in (1, 2, 3)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        pages = list(pool.map(demo.search_page, requests))
    assert all(len(page.creators) == 20 for page in pages)
    assert CountingPath.reads == 1
