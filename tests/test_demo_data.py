"""The synthetic dataset: bundled file in step with the generator, real-data shapes and quirks."""

from __future__ import annotations

import gzip
import itertools
import json
import re
import statistics
import subprocess
import sys
import uuid
from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.demo import synth
from bot.xingtu_tags import LEVEL_ONE, LEVEL_TWO

ENVELOPE_KEYS = [
    "code",
    "request_id",
    "message",
    "message_zh",
    "support",
    "time",
    "time_stamp",
    "time_zone",
    "docs",
    "cache_message",
    "cache_message_zh",
    "cache_url",
    "router",
    "params",
    "data",
]
BRAND_SUFFIXES = ("旗舰店", "专卖店", "官方")


@pytest.fixture(scope="module")
def dataset() -> dict[str, Any]:
    return synth.dataset()


@pytest.fixture(scope="module")
def pages(dataset: dict[str, Any]) -> list[tuple[str, int, dict[str, Any]]]:
    return [(kw, int(p), body) for kw, by_page in dataset["pages"].items() for p, body in by_page.items()]


@pytest.fixture(scope="module")
def authors(pages: list[tuple[str, int, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Unique authors of the whole dataset."""
    unique = {a["star_id"]: a for _, _, body in pages for a in body["data"].get("authors", [])}
    return list(unique.values())


def share(authors: list[dict[str, Any]], predicate: Any) -> float:
    return sum(1 for a in authors if predicate(a)) / len(authors)


def price_infos(a: dict[str, Any]) -> list[dict[str, Any]]:
    return [info for t in a["task_infos"] for info in t["price_infos"]]


# -- the bundled file -----------------------------------------------------------------------


def test_bundled_file_equals_fresh_generator_output(dataset: dict[str, Any]) -> None:
    raw = synth.BUNDLE_PATH.read_bytes()
    assert len(raw) < 1_000_000
    assert json.loads(gzip.decompress(raw)) == dataset, "run scripts/gen_demo_data.py"


def test_generation_does_not_depend_on_the_hash_seed() -> None:
    code = (
        "import hashlib; from bot.demo import synth; print(hashlib.sha256(synth.bundle_bytes()).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


# -- envelope -------------------------------------------------------------------------------


def test_success_envelope_has_the_15_keys_in_order() -> None:
    body = synth.search_body("美食", 2)
    assert list(body) == ENVELOPE_KEYS
    assert body["code"] == 200 and "incur a charge" in body["message"]
    assert uuid.UUID(body["request_id"]).version == 4
    assert body["request_id"] in body["cache_url"]
    assert body["router"] == "/api/v1/douyin/xingtu/search_kol_v1"
    assert body["params"] == {"keyword": "美食", "platformSource": "_1", "page": "2"}
    local = datetime.fromtimestamp(body["time_stamp"], ZoneInfo(body["time_zone"]))
    assert body["time_zone"] == "America/Los_Angeles"
    assert body["time"] == local.strftime("%Y-%m-%d %H:%M:%S")
    assert body["time_stamp"] == int(synth.CAPTURED_AT.timestamp())
    data = body["data"]
    assert list(data) == ["authors", "base_resp", "extra_data", "pagination"]
    assert data["base_resp"] == {"status_code": 0, "status_message": ""}
    assert set(data["extra_data"]) >= {"is_cpm_project_search", "search_session_id"}
    assert data["pagination"]["limit"] == 20 and data["pagination"]["page"] == 2


def test_refused_body_is_10003_inside_http_200() -> None:
    body = synth.refused_body("search_kol_v1", {"keyword": "护肤", "page": "4"})
    assert list(body) == ENVELOPE_KEYS and body["code"] == 200
    assert list(body["data"]) == ["base_resp"]
    status = body["data"]["base_resp"]
    assert status["status_code"] == 10003
    assert re.fullmatch(
        r"您的客户权益等级过低，暂时无法访问更多数据\[\d{14}[0-9A-F]{20}\]", status["status_message"]
    )
    assert synth.refused_body("/api/v1/douyin/xingtu/search_kol_v2", {})["router"].endswith("/search_kol_v2")


def test_one_failing_page_in_the_dataset(pages: list[tuple[str, int, dict[str, Any]]]) -> None:
    refused = [(kw, p) for kw, p, body in pages if body["data"]["base_resp"]["status_code"] != 0]
    assert refused == []  # no ordinary demo keyword fails: only the documented fault keyword does
    failing = synth.FAILING_KEYWORD
    assert synth.is_failing_page(failing, 2) and not synth.is_failing_page(failing, 1)
    assert not any(synth.is_failing_page(k, p) for k in synth.DEMO_KEYWORDS for p in range(1, 11))
    assert synth.response_body(failing, 2)["data"]["base_resp"]["status_code"] == 10003
    assert synth.search_body(failing, 2)["data"]["authors"]  # the data exists; upstream refuses it


# -- pages and pools ------------------------------------------------------------------------


def test_keywords_pages_and_pool_size(dataset: dict[str, Any], authors: list[dict[str, Any]]) -> None:
    assert len(synth.DEMO_KEYWORDS) >= 6
    assert all(list(dataset["pages"][kw]) == ["1", "2", "3", "4", "5"] for kw in synth.DEMO_KEYWORDS)
    assert 300 <= len(authors) <= 700


def test_pages_overlap_a_little_and_total_count_drifts(dataset: dict[str, Any]) -> None:
    drifted = 0
    for keyword in synth.DEMO_KEYWORDS:
        bodies = [synth.search_body(keyword, p) for p in range(1, 6)]
        ids = [[a["star_id"] for a in b["data"]["authors"]] for b in bodies]
        assert all(len(page) == 20 and len(set(page)) == 20 for page in ids)
        assert all(1 <= len(set(a) & set(b)) <= 3 for a, b in itertools.pairwise(ids))
        assert all(b["data"]["pagination"]["has_more"] is True for b in bodies)
        drifted += len({b["data"]["pagination"]["total_count"] for b in bodies}) > 1
    assert drifted >= 2


def test_pages_past_the_pool_are_empty() -> None:
    data = synth.search_body("美妆", 6)["data"]
    assert data["authors"] == [] and data["pagination"]["has_more"] is False


def test_unknown_keyword_gets_a_small_themed_pool() -> None:
    first, second, third = (synth.search_body("汽车", p)["data"] for p in (1, 2, 3))
    assert len(first["authors"]) == len(second["authors"]) == 20
    assert third["authors"] == [] and third["pagination"]["has_more"] is False
    tagged = [json.loads(a["attribute_datas"]["tags_relation"]) for a in first["authors"]]
    assert sum("汽车" in t for t in tagged) >= 12
    assert synth.search_body("汽车", 1) == synth.search_body("汽车", 1)
    other = synth.search_body("随便什么", 1)["data"]["authors"]
    assert other and {a["star_id"] for a in other}.isdisjoint(a["star_id"] for a in first["authors"])


# -- v2 filters -----------------------------------------------------------------------------


def test_v2_follower_range_and_level_two_tag() -> None:
    body = synth.search_body("护肤", 1, follower_range_wan=(10, 100), content_tag="tag_level_two-4")
    assert body["router"].endswith("/search_kol_v2")
    assert body["params"] == {
        "keyword": "护肤",
        "page": "1",
        "followerRange": "10-100",
        "contentTag": "tag_level_two-4",
    }
    assert {"intent_score", "is_intent_consistent"} <= set(body["data"]["extra_data"])
    matches = body["data"]["authors"]
    assert matches
    for a in matches:
        attrs = a["attribute_datas"]
        assert 100_000 <= int(attrs["follower"]) <= 1_000_000
        assert "护肤保养" in json.loads(attrs["tags_relation"])["美妆"]


def test_v2_pages_partition_the_matches() -> None:
    pages = [synth.search_body("美食", p, follower_range_wan=(None, 100)) for p in (1, 2, 3, 4, 5, 6)]
    ids = [a["star_id"] for b in pages for a in b["data"]["authors"]]
    total = pages[0]["data"]["pagination"]["total_count"]
    assert len(ids) == len(set(ids)) == total > 20
    assert all(
        int(a["attribute_datas"]["follower"]) <= 1_000_000 for b in pages for a in b["data"]["authors"]
    )
    assert [b["data"]["pagination"]["has_more"] for b in pages] == [(p * 20) < total for p in range(1, 7)]


def test_v2_level_one_tag_and_no_hits() -> None:
    food = synth.search_body("美食", 1, content_tag="tag-48")["data"]["authors"]
    assert food and all("美食" in json.loads(a["attribute_datas"]["tags_relation"]) for a in food)
    none = synth.search_body("美食", 1, content_tag="tag-31")["data"]
    assert none["authors"] == [] and none["pagination"] == {
        "has_more": False,
        "limit": 20,
        "page": 1,
        "total_count": 0,
    }
    assert synth.search_body("美食", 1, content_tag="tag-999999")["data"]["authors"] == []


def test_tags_use_the_official_vocabulary(authors: list[dict[str, Any]]) -> None:
    names = {LEVEL_ONE[i]: set(children.values()) for i, children in LEVEL_TWO.items()}
    for a in authors:
        for level1, level2 in json.loads(a["attribute_datas"]["tags_relation"]).items():
            assert set(level2) <= names[level1], (level1, level2)


# -- author shapes and quirks ---------------------------------------------------------------


def test_author_shape(authors: list[dict[str, Any]]) -> None:
    for a in authors:
        attrs = a["attribute_datas"]
        assert list(a) == ["attribute_datas", "extra_data", "items", "star_id", "task_infos"]
        assert all(isinstance(v, str) for v in attrs.values())
        assert list(attrs) == sorted(attrs)
        assert re.fullmatch(r"\d{19}", a["star_id"]) and attrs["id"] == a["star_id"]
        assert attrs["avatar_uri"].startswith("https://") and ".invalid/" in attrs["avatar_uri"]
        assert len(a["task_infos"]) <= 1


def test_presence_rates_match_real_data(authors: list[dict[str, Any]]) -> None:
    def has(key: str) -> Any:
        return lambda a: key in a["attribute_datas"]

    assert 0.22 <= share(authors, has("price_20_60")) <= 0.34
    assert 0.12 <= share(authors, has("star_index")) <= 0.24
    assert 0.64 <= share(authors, has("link_star_index")) <= 0.8
    assert 0.35 <= share(authors, has("interact_rate_within_30d")) <= 0.55
    assert 0.06 <= 1 - share(authors, has("last_10_items")) <= 0.2
    assert 0.4 <= 1 - share(authors, has("content_theme_labels_180d")) <= 0.6
    assert 0.08 <= share(authors, lambda a: a["attribute_datas"]["tags_relation"] == "{}") <= 0.2
    assert 0.6 <= share(authors, lambda a: a["attribute_datas"]["province"] == "") <= 0.8
    assert 0.55 <= share(authors, lambda a: a["task_infos"] == []) <= 0.75
    tags = Counter(item["video_tag"] for a in authors for item in a["items"])
    assert (tags[3] + tags[5] + tags[6]) / tags.total() > 0.9


def test_the_xingtu_index_sums_up_the_link_indices(authors: list[dict[str, Any]]) -> None:
    """星图指数 (link_star_index) is the composite of the spread, seeding and conversion indices, as in
    real data (71.82 beside 74.87, 76.02 and 65.38): a demo creator's is never far from their mean."""
    for attrs in (a["attribute_datas"] for a in authors if "link_star_index" in a["attribute_datas"]):
        link = [float(attrs[k]) for k in ("link_spread_index", "link_shopping_index", "link_convert_index")]
        assert abs(float(attrs["link_star_index"]) - sum(link) / 3) <= 4.01
        assert attrs["link_star_index_by_industry"] == attrs["link_star_index"]


def test_number_and_boolean_quirks_are_present(authors: list[dict[str, Any]]) -> None:
    values = [a["attribute_datas"] for a in authors]
    assert any("." in v["fans_increment_within_30d"] for v in values)
    assert any(v["fans_increment_within_15d"].startswith("-") for v in values)
    assert any(v["fans_increment_rate_within_15d"].startswith("-") for v in values)
    assert any(v.get("vv_median_30d", "").endswith(".5") for v in values)
    assert {v["is_black_horse_author"] for v in values} == {"true", "false"}
    assert {v["is_cpm_project_author"] for v in values} == {"0", "1"}
    assert any(v["game_type"] == "" for v in values)
    assert any(v["game_type"].startswith('{"\\u') for v in values)
    assert any(v.get("content_theme_labels_180d") == "[]" for v in values)
    assert any(v.get("author_thin_mid_word_association_index") == "{}" for v in values)


def test_work_quirks_are_present(authors: list[dict[str, Any]]) -> None:
    recent = [
        json.loads(a["attribute_datas"]["last_10_items"])
        for a in authors
        if "last_10_items" in a["attribute_datas"]
    ]
    assert all(1 <= len(items) <= 10 for items in recent)
    assert all(
        isinstance(v, str) for items in recent for item in items for k, v in item.items() if v is not None
    )
    assert any(None in item.values() for items in recent for item in items)  # leaked junk key
    assert any(a["items"] == [] for a in authors)
    for a in authors:
        top = [i["vv"] for i in a["items"] if i["video_tag"] == 3]
        nxt = [i["vv"] for i in a["items"] if i["video_tag"] == 5]
        assert not top or not nxt or min(top) >= max(nxt)


def test_price_quirks_are_present(authors: list[dict[str, Any]]) -> None:
    infos = [info for a in authors for info in price_infos(a)]
    zero = [info for info in infos if info["price"] == 0]
    assert zero and all("start_time" not in z and "price_extra_info" not in z for z in zero)
    cpm_settled = [info for info in infos if info["video_type"] == 92]
    assert cpm_settled and all(
        set(i["price_extra_info"]) == {"ceiling_price", "floor_price"} for i in cpm_settled
    )
    assert {73, 91, 150} <= {info["video_type"] for info in infos}
    assert any("price_discount_range" in info.get("price_extra_info", {}) for info in infos)
    assert any(a["task_infos"] and not price_infos(a) for a in authors)
    assert all(
        isinstance(info["price"], int) and isinstance(info.get("start_time", ""), str) for info in infos
    )


def test_upstream_identities_hold(authors: list[dict[str, Any]]) -> None:
    checked = 0
    for a in authors:
        attrs = a["attribute_datas"]
        quotes = {info["video_type"]: info["price"] for info in price_infos(a)}
        for video_type, suffix in ((1, "1_20"), (2, "20_60"), (71, "60")):
            price = quotes.get(video_type)
            assert attrs.get(f"price_{suffix}") == (str(price) if price else None)
            if not price:
                assert f"prospective_{suffix}_cpm" not in attrs
                continue
            if "expected_play_num" in attrs:
                expected = int(attrs["expected_play_num"])
                cpm = attrs[f"prospective_{suffix}_cpm"]
                assert float(cpm) == round(price * 1000 / expected, 4)
                assert attrs[f"sn_prospective_{suffix}_cpm"] == cpm
                assert attrs["sn_expected_play_num"] == attrs["expected_play_num"]
                checked += 1
            if "promotion_prospective_vv" in attrs:
                vv = int(attrs["promotion_prospective_vv"])
                assert float(attrs[f"promotion_prospective_{suffix}_cpm"]) == round(price * 1000 / vv, 2)
            if f"sn_prospective_{suffix}_cpe" in attrs:
                engagements = int(attrs["expected_play_num"]) * float(attrs["interact_rate_within_30d"])
                ratio = float(attrs[f"sn_prospective_{suffix}_cpe"]) * engagements / price
                assert 0.94 <= ratio <= 1.06
    assert checked > 50


def test_quotes_scale_with_followers(authors: list[dict[str, Any]]) -> None:
    tiers = {0: [], 1: [], 2: [], 3: []}
    for a in authors:
        if "price_20_60" in a["attribute_datas"]:
            followers = int(a["attribute_datas"]["follower"])
            tier = (
                0
                if followers < 100_000
                else 1
                if followers < 1_000_000
                else 2
                if followers < 10_000_000
                else 3
            )
            tiers[tier].append(int(a["attribute_datas"]["price_20_60"]))
    for tier, target in zip(range(4), (1_800, 7_000, 69_000, 315_000), strict=True):
        assert target / 2 <= statistics.median(tiers[tier]) <= target * 2, tier


def test_brand_store_accounts_exist(authors: list[dict[str, Any]]) -> None:
    stores = [a for a in authors if a["attribute_datas"]["nick_name"].endswith(BRAND_SUFFIXES)]
    assert len(stores) >= 12
    assert all(a["attribute_datas"]["author_type"] == "3" for a in stores)
