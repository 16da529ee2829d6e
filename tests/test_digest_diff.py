"""Digest diffs and shortlist watch, on synthetic creators only."""

from __future__ import annotations

import json

import pytest

from bot.cards.digest_lines import change_line, miss_line, notes, sections, summary, watch_line
from bot.digests.changes import DiffThresholds, DropReason, FollowerChange, PriceChange
from bot.digests.diff import DigestDiff, diff_digest
from bot.digests.recheck import FilterMiss, failed_filters
from bot.digests.shortlist_watch import ShortlistItem, diff_shortlist
from bot.digests.snapshot import DigestSnapshot
from bot.models import (
    Creator,
    Duration,
    Gender,
    NumRange,
    Price,
    Query,
    ScoredCreator,
    SearchResult,
    SearchStats,
)

SHORT, MEDIUM, LONG = Duration.SHORT, Duration.MEDIUM, Duration.LONG


def creator(
    n: int, *, followers: int | None = 200_000, prices: dict[Duration, float] | None = None, **kw
) -> Creator:
    """Synthetic creator number `n`."""
    quotes = {MEDIUM: 10_000.0} if prices is None else prices
    return Creator(
        star_id=f"syn-{n:03d}",
        nickname=kw.pop("nickname", f"测试达人{n}"),
        followers=followers,
        prices={d.video_type: Price(video_type=d.video_type, yuan=y) for d, y in quotes.items()},
        **kw,
    )


def result(
    creators: list[Creator], *, query: Query | None = None, pages_failed: list[int] | None = None
) -> SearchResult:
    """Creators in result order; scores fall by 5 per rank."""
    scored = [ScoredCreator(creator=c, score=90.0 - 5 * i, rank=i + 1) for i, c in enumerate(creators)]
    stats = SearchStats(pages_failed=pages_failed or [])
    return SearchResult(query=query or Query(keywords=["护肤"]), creators=scored, stats=stats)


def run(
    before: list[Creator],
    after: list[Creator],
    *,
    top_n: int = 10,
    query: Query | None = None,
    seen_before: list[Creator] | None = None,
    seen: list[Creator] | None = None,
    thresholds: DiffThresholds | None = None,
) -> DigestDiff:
    """Diff a run returning `after` against a previous run that returned `before`."""
    previous = DigestSnapshot.from_result(result(before, query=query), top_n, seen=seen_before or ())
    return diff_digest(
        previous,
        result(after, query=query),
        top_n=top_n,
        seen=seen or (),
        thresholds=thresholds or DiffThresholds(),
    )


def ids(changes) -> list[str]:
    return [c.star_id for c in changes]


# -- first run, no change ----------------------------------------------------------------------


def test_first_run_lists_the_current_top_n_and_says_later_runs_show_changes() -> None:
    diff = diff_digest(None, result([creator(1), creator(2), creator(3)]), top_n=2)
    assert diff.first_run and not diff.is_empty
    [section] = sections(diff, "en")
    assert section.title == "Current top 2"
    assert len(section.lines) == 2
    assert section.lines[0].startswith("#1 测试达人1 — score 90/100 · 200K followers · 21–60 s ¥10,000")
    assert "粉丝 20万" in sections(diff, "zh")[0].lines[0]
    assert notes(diff, "en") == ["Later digests show only what changed."]
    assert summary(diff, "zh") == "首次推送：当前前 2 名"


def test_nothing_changed_is_empty() -> None:
    cohort = [creator(1), creator(2)]
    diff = run(cohort, cohort)
    assert diff.is_empty
    assert sections(diff, "en") == []
    assert summary(diff, "en") == "Nothing changed since the last digest"
    assert summary(diff, "zh") == "自上次推送以来没有变化"


# -- new and dropped -----------------------------------------------------------------------------


def test_new_matches_are_reported_in_rank_order() -> None:
    diff = run([creator(1)], [creator(3), creator(1), creator(2)])
    assert ids(diff.new) == ["syn-003", "syn-002"]
    assert not diff.new[0].was_excluded
    # a new name comes with what a buyer weighs it by: its size and its price for the digest's length
    assert (
        change_line(diff.new[0], "en")
        == "#1 测试达人3 — new in the results · score 90/100 · 200K followers · ¥10,000"
    )
    assert change_line(diff.new[0], "zh") == "#1 测试达人3 — 新进入结果 · 评分 90/100 · 粉丝 20万 · ¥1万"


def test_a_creator_that_was_fetched_but_filtered_out_now_passes_the_filters() -> None:
    query = Query(keywords=["护肤"], followers=NumRange(low=100_000))
    small = creator(2, followers=80_000)
    diff = run([creator(1)], [creator(1), creator(2, followers=120_000)], query=query, seen_before=[small])
    assert ids(diff.new) == ["syn-002"]
    assert diff.new[0].was_excluded
    assert "now passes the filters" in change_line(diff.new[0], "en")


def test_a_creator_no_longer_returned_is_said_so() -> None:
    diff = run([creator(1), creator(2)], [creator(1)], seen=[creator(1)])
    [dropped] = diff.dropped
    assert (dropped.star_id, dropped.reason, dropped.old_rank) == ("syn-002", DropReason.NOT_RETURNED, 2)
    assert change_line(dropped, "en") == "测试达人2 (was #2) — no longer returned by Xingtu"
    assert change_line(dropped, "zh") == "测试达人2（原第 2 名） — 星图不再返回该达人"


def test_a_creator_still_fetched_but_excluded_names_the_filters_it_fails() -> None:
    query = Query(keywords=["护肤"], followers=NumRange(low=100_000), price=NumRange(high=20_000))
    now_small = creator(2, followers=90_000, prices={})  # below the follower floor, no 21-60 s quote
    diff = run([creator(1), creator(2)], [creator(1)], query=query, seen=[creator(1), now_small])
    [dropped] = diff.dropped
    assert dropped.reason is DropReason.FILTERED
    assert [(miss.name, miss.unknown) for miss in dropped.fails] == [("followers", False), ("price", True)]
    assert change_line(dropped, "en", query).endswith(
        "no longer matches: followers ≥ 100,000 (now 90,000); price ≤ ¥20,000 (no data)"
    )
    assert change_line(dropped, "zh", query).endswith(
        "不再符合：粉丝 ≥ 10万（现为 90,000）；报价 ≤ ¥2万（无数据）"
    )


def test_a_fetched_creator_that_passes_the_recheck_is_reported_as_left_out() -> None:
    diff = run([creator(1), creator(2)], [creator(1)], seen=[creator(1), creator(2)])
    [dropped] = diff.dropped
    assert dropped.reason is DropReason.EXCLUDED
    assert "left out by the search" in change_line(dropped, "en")


# -- prices, followers, ranks --------------------------------------------------------------------


def test_price_changes_per_duration_with_delta_and_percent() -> None:
    before = creator(1, prices={SHORT: 8_000, MEDIUM: 10_000, LONG: 30_000})
    after = creator(1, prices={SHORT: 8_000, MEDIUM: 12_000, LONG: 27_000})
    diff = run([before], [after])
    assert [(c.duration, c.old, c.new) for c in diff.price_changes] == [
        (MEDIUM, 10_000, 12_000),
        (LONG, 30_000, 27_000),
    ]
    medium, long_ = diff.price_changes
    assert (medium.delta, medium.pct) == (2_000, pytest.approx(0.2))
    assert change_line(medium, "en") == "测试达人1 — 21–60 s price ¥10,000 → ¥12,000 (+¥2,000, +20.0%)"
    assert change_line(medium, "zh") == "测试达人1 — 21-60秒报价 ¥1万 → ¥1.2万（+¥2,000，+20.0%）"
    assert "(-¥3,000, -10.0%)" in change_line(long_, "en")
    assert not diff.unpriced


def test_a_creator_that_lost_a_quote_becomes_unpriced() -> None:
    diff = run([creator(1, prices={SHORT: 5_000, MEDIUM: 10_000})], [creator(1, prices={MEDIUM: 10_000})])
    [unpriced] = diff.unpriced
    assert (unpriced.duration, unpriced.old) == (SHORT, 5_000)
    assert change_line(unpriced, "en") == "测试达人1 — no 1–20 s price any more (was ¥5,000)"
    assert change_line(unpriced, "zh") == "测试达人1 — 不再有1-20秒报价（原为 ¥5,000）"
    assert not diff.price_changes


def test_a_new_quote_is_not_news() -> None:
    assert run([creator(1, prices={})], [creator(1, prices={MEDIUM: 9_000})]).is_empty


@pytest.mark.parametrize(
    ("old", "new", "reported"),
    [
        (100_000, 106_000, True),  # +6 %
        (100_000, 104_000, False),  # +4 %, +4,000
        (2_000_000, 2_060_000, True),  # +3 %, but +60,000
        (2_000_000, 1_960_000, False),  # -2 %, -40,000
        (1_000_000, 900_000, True),  # a drop
        (None, 900_000, False),  # unknown before: nothing to compare
    ],
)
def test_follower_jumps_and_drops_beyond_either_threshold(old: int | None, new: int, reported: bool) -> None:
    diff = run([creator(1, followers=old)], [creator(1, followers=new)])
    assert bool(diff.follower_changes) is reported


def test_follower_thresholds_are_configurable() -> None:
    strict = DiffThresholds(followers_pct=0.01, followers_abs=1_000)
    diff = run([creator(1, followers=100_000)], [creator(1, followers=102_000)], thresholds=strict)
    [change] = diff.follower_changes
    assert change == FollowerChange("syn-001", "测试达人1", 100_000, 102_000)
    assert change_line(change, "en") == "测试达人1 — followers 100K → 102K, +2,000 (+2.0%)"
    assert change_line(change, "zh") == "测试达人1 — 粉丝 10万 → 10.2万，+2,000（+2.0%）"


def test_rank_movers_within_the_top_n() -> None:
    before = [creator(n) for n in range(1, 31)]
    after = [before[7], *before[:7], *before[8:20], before[29], *before[20:29]]  # 8th to 1st; 30th to 21st
    diff = run(before, after, top_n=10)
    assert [(m.star_id, m.old_rank, m.new_rank) for m in diff.movers] == [("syn-008", 8, 1)]
    assert change_line(diff.movers[0], "en") == "测试达人8 — #8 → #1 (up 7) · score 55 → 90/100"
    assert change_line(diff.movers[0], "zh") == "测试达人8 — 第 8 名 → 第 1 名（上升 7 位）· 评分 55 → 90/100"
    wider = run(before, after, top_n=30)
    assert ("syn-030", 30, 21) in [(m.star_id, m.old_rank, m.new_rank) for m in wider.movers]
    assert not run(before, after, top_n=10, thresholds=DiffThresholds(rank_move=8)).movers


# -- message building ----------------------------------------------------------------------------


def test_sections_summary_and_line_limit() -> None:
    before = [creator(1, prices={MEDIUM: 10_000})]
    after = [creator(1, prices={MEDIUM: 11_000}), *(creator(n) for n in range(2, 15))]
    diff = run(before, after)
    titles = [s.title for s in sections(diff, "en")]
    assert titles == ["New matches", "Price changes"]
    new = sections(diff, "en", max_lines=5)[0]
    assert (len(new.lines), new.more) == (5, 8)
    assert summary(diff, "en") == "New matches: 13 · Price changes: 1"
    assert summary(diff, "zh") == "新进入：13 · 报价变化：1"


def test_failed_pages_add_a_caveat() -> None:
    previous = DigestSnapshot.from_result(result([creator(1), creator(2)]), 10)
    diff = diff_digest(previous, result([creator(1)], pages_failed=[2]), top_n=10)
    assert diff.snapshot.partial
    assert "failed to load" in notes(diff, "en")[0]
    assert "加载失败" in notes(diff, "zh")[0]


# -- snapshot ------------------------------------------------------------------------------------


def test_snapshot_round_trips_through_compact_json() -> None:
    query = Query(keywords=["护肤"], gender=Gender.FEMALE)
    seen = [creator(1), creator(2, gender=Gender.MALE)]
    snapshot = DigestSnapshot.from_result(result([seen[0]], query=query), 10, seen=seen)
    text = snapshot.to_json()
    assert DigestSnapshot.from_json(text) == snapshot
    data = json.loads(text)
    assert data["entries"][0] == {
        "star_id": "syn-001",
        "nickname": "测试达人1",
        "rank": 1,
        "score": 90.0,
        "followers": 200000,
        "prices": {"21-60": 10000.0},
    }
    assert data["entries"][1]["matched"] is False
    assert data["entries"][1]["fails"] == [{"name": "gender"}]


# -- filter re-check -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "subject", "expected"),
    [
        (Query(cpm=NumRange(high=10)), creator(1, expected_plays=100_000), [("cpm", False)]),
        (Query(er=NumRange(low=0.05)), creator(1), [("er", True)]),
        (Query(er=NumRange(low=0.05), unknowns=True), creator(1), []),
        (Query(regions=["上海"]), creator(1, province="广东", city="深圳"), [("region", False)]),
        (Query(regions=["深圳"]), creator(1, province="广东", city="深圳"), []),
        (Query(tags=["美妆"]), creator(1, tags={"美食": ["探店"]}), [("tag", False)]),
        (
            Query(gender=Gender.FEMALE, followers=NumRange(low=10**6)),
            creator(1),
            [("followers", False), ("gender", True)],
        ),
        (Query(), creator(1, nickname="合成品牌旗舰店"), [("brand", False)]),
        (Query(brands=True), creator(1, nickname="合成品牌旗舰店"), []),
    ],
)
def test_failed_filters_lists_every_filter_a_creator_fails(
    query: Query, subject: Creator, expected: list[tuple[str, bool]]
) -> None:
    assert [(miss.name, miss.unknown) for miss in failed_filters(subject, query)] == expected


def test_a_filter_miss_reads_as_the_users_filter() -> None:
    query = Query(followers=NumRange(low=100_000))
    [miss] = failed_filters(creator(1, followers=None), query)
    assert miss == FilterMiss(name="followers", unknown=True)
    assert miss_line(miss, "en", query) == "followers ≥ 100,000 (no data)"
    assert miss_line(miss, "zh", query) == "粉丝 ≥ 10万（无数据）"


def test_a_snapshot_stored_with_worded_filters_still_loads() -> None:
    miss = FilterMiss.model_validate_json('{"name": "brand", "en": "brand account", "zh": "品牌号"}')
    assert miss == FilterMiss(name="brand")
    assert miss_line(miss, "zh") == "品牌号"


# -- shortlist watch -----------------------------------------------------------------------------


def item(**kw) -> ShortlistItem:
    base = {
        "star_id": "syn-101",
        "nickname": "测试达人101",
        "shortlist_id": "sl-1",
        "shortlist_name": "双11备选",
    }
    return ShortlistItem(**{**base, "seen": True, **kw})


def test_shortlist_watch_reports_prices_drops_and_missing_data() -> None:
    changes = diff_shortlist(
        [
            item(old_prices={MEDIUM: 10_000, SHORT: 6_000}, new_prices={MEDIUM: 9_000}),
            item(star_id="syn-102", old_followers=500_000, new_followers=400_000),
            item(star_id="syn-103", old_followers=500_000, new_followers=600_000),  # a jump: not watched
            item(star_id="syn-104", nickname="测试达人104", seen=False, old_followers=500_000),
        ]
    )
    kinds = [(c.change.star_id, type(c.change).__name__) for c in changes]
    assert kinds == [
        ("syn-101", "BecameUnpriced"),
        ("syn-101", "PriceChange"),
        ("syn-102", "FollowerChange"),
        ("syn-104", "Dropped"),
    ]
    assert isinstance(changes[1].change, PriceChange) and changes[1].change.pct == pytest.approx(-0.1)
    assert watch_line(changes[3], "en") == "[双11备选] 测试达人104 — no longer returned by Xingtu"
    assert watch_line(changes[3], "zh") == "【双11备选】测试达人104 — 星图不再返回该达人"


@pytest.mark.parametrize(
    ("miss", "shown"),
    [
        (FilterMiss(name="followers", value=99_600), "followers ≥ 100,000 (now 99,600)"),
        (FilterMiss(name="price", value=20_040), "price ≤ ¥20,000 (now ¥20,040)"),
        (FilterMiss(name="er", value=0.029996), "engagement rate ≥ 3% (now 2.9996%)"),
        (FilterMiss(name="er", value=0.0299999), "engagement rate ≥ 3% (now 2.99999%)"),
        (FilterMiss(name="price", value=20_000.4), "price ≤ ¥20,000 (now ¥20,000.4)"),
    ],
)
def test_a_value_just_past_its_bound_does_not_read_as_the_bound(miss: FilterMiss, shown: str) -> None:
    query = Query(
        keywords=["护肤"], followers=NumRange(low=100_000), price=NumRange(high=20_000), er=NumRange(low=0.03)
    )
    assert miss_line(miss, "en", query) == shown
