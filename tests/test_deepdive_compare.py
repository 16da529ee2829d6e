"""Comparing creators: same duration, group percentiles, best marks, verdicts, bad id lists."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.audience import parse_audience_targets
from bot.cards.errors import error_text
from bot.deepdive.compare import MetricKey, build_comparison, check_compare_ids, check_distinct
from bot.deepdive.compare import verdict_line as compare_line
from bot.deepdive.models import (
    BaseInfo,
    CostPerformance,
    DataOverview,
    DeepDive,
    Distribution,
    DistributionKind,
    Part,
    PartStatus,
    Portrait,
    RatedMetric,
    ServicePrice,
    ServicePrices,
)
from bot.deepdive.routes import PartKey
from bot.errors import QueryError
from bot.i18n import tr
from bot.models import Creator, Duration


def ok(key: PartKey, data: object) -> Part:
    return Part[type(data)](key=key, status=PartStatus.OK, data=data)


def creator(
    star_id: str,
    name: str,
    *,
    followers: int,
    price_medium: float,
    cpm_medium: float | None,
    er: float | None,
    female: float = 0.5,
) -> DeepDive:
    parts = {key.value: Part(key=key, status=PartStatus.UNAVAILABLE, reason="refused") for key in PartKey}
    parts["base"] = ok(PartKey.BASE, BaseInfo(star_id=star_id, nickname=name, followers=followers))
    parts["prices"] = ok(
        PartKey.PRICES,
        ServicePrices(
            quotes=[
                ServicePrice(video_type=1, yuan=price_medium / 2),
                ServicePrice(video_type=2, yuan=price_medium),
            ]
        ),
    )
    cpm = {Duration.MEDIUM: cpm_medium, Duration.SHORT: 1.0} if cpm_medium else {}
    parts["cp"] = ok(PartKey.CP, CostPerformance(cpm=cpm, cpe={Duration.MEDIUM: price_medium / 1000}))
    overview = DataOverview(
        interact_rate=RatedMetric(value=er) if er is not None else None, median_plays=1000
    )
    parts["overview"] = ok(PartKey.OVERVIEW, overview)
    gender = Distribution(kind=DistributionKind.GENDER, counts={"female": female, "male": 1 - female})
    parts["audience"] = ok(PartKey.AUDIENCE, Portrait(distributions={DistributionKind.GENDER: gender}))
    return DeepDive(star_id=star_id, fetched_at=datetime.now(UTC), cost_usd=0.16, **parts)


DIVES = [
    creator("1", "甲", followers=1_000_000, price_medium=50_000, cpm_medium=40.0, er=0.02, female=0.8),
    creator("2", "乙", followers=200_000, price_medium=8_000, cpm_medium=20.0, er=0.01, female=0.4),
    creator("3", "丙", followers=500_000, price_medium=20_000, cpm_medium=None, er=0.05, female=0.6),
]


def test_rows_use_the_same_duration_and_mark_the_best() -> None:
    comparison = build_comparison(DIVES, Duration.MEDIUM)
    assert comparison.values(MetricKey.PRICE) == [50_000, 8_000, 20_000]  # 21-60 s quotes, not 1-20 s
    cpm = comparison.row(MetricKey.CPM)
    assert [c.value for c in cpm.cells] == [40.0, 20.0, None]
    assert [c.best for c in cpm.cells] == [False, True, False]  # lower CPM is better
    assert [c.percentile for c in cpm.cells] == [0, 100, None]
    er = comparison.row(MetricKey.ER)
    assert [c.percentile for c in er.cells] == [50, 0, 100]
    assert comparison.row(MetricKey.AUDIENCE_FIT) is None  # no targets given
    assert comparison.cost_usd == pytest.approx(0.48)


def test_ties_share_the_best_mark() -> None:
    tied = [
        creator(s, n, followers=1_000_000, price_medium=9_000, cpm_medium=30.0, er=0.02)
        for s, n in ("1甲", "2乙")
    ]
    cpm = build_comparison([*tied, DIVES[0]], Duration.MEDIUM).row(MetricKey.CPM)
    assert [c.percentile for c in cpm.cells] == [75, 75, 0]
    assert [c.best for c in cpm.cells] == [True, True, False]


def test_verdicts_name_strongest_and_weakest() -> None:
    comparison = build_comparison(DIVES, Duration.MEDIUM)
    by_id = {v.star_id: v for v in comparison.verdicts}
    assert by_id["2"].strongest in {MetricKey.PRICE, MetricKey.CPM, MetricKey.CPE}
    strongest = tr("en", by_id["2"].lines[0])
    assert strongest.startswith("Strongest: ") and "best of 3" in strongest
    assert by_id["1"].weakest in {MetricKey.PRICE, MetricKey.CPM, MetricKey.CPE}
    assert "worst of 3" in tr("en", by_id["1"].lines[1]) and "3 人中最差" in tr("zh", by_id["1"].lines[1])
    assert by_id["3"].strongest is MetricKey.ER and "互动率 5.00%" in tr("zh", by_id["3"].lines[0])


def test_best_and_worst_count_only_the_creators_the_metric_is_known_for() -> None:
    """丙 has no CPM: 甲's is the worst of the two known, not of all three."""
    row = build_comparison(DIVES, Duration.MEDIUM).row(MetricKey.CPM)
    assert "worst of 2" in tr("en", compare_line(row, 0, strongest=False))
    assert "2 人中最差" in tr("zh", compare_line(row, 0, strongest=False))
    assert "best of 2" in tr("en", compare_line(row, 1, strongest=True))


def test_audience_fit_row_when_targets_are_given() -> None:
    targets = parse_audience_targets(["audience_gender=female>=70%"])
    comparison = build_comparison(DIVES, Duration.MEDIUM, targets=targets)
    fits = comparison.values(MetricKey.AUDIENCE_FIT)
    assert fits == pytest.approx([100, 100 * 0.4 / 0.7, 100 * 0.6 / 0.7])


@pytest.mark.parametrize(
    ("ids", "token"),
    [
        (["@abc"], "@abc"),
        (["a1", "b2", "c3", "d4", "e5", "f6"], "f6"),
        (["@abc", "ABC"], "ABC"),
    ],
)
def test_bad_id_lists_name_the_problem(ids: list[str], token: str) -> None:
    with pytest.raises(QueryError) as err:
        check_compare_ids(ids)
    assert err.value.token == token
    assert error_text(err.value, "zh") and "compare" in error_text(err.value, "en")


def test_two_ids_for_the_same_creator_are_rejected() -> None:
    check_distinct(["1", "2"], ["@a", "@b"])
    with pytest.raises(QueryError) as err:
        check_distinct(["1", "1"], ["@a", "7000000000000000001"])
    assert "“@a” and “7000000000000000001” are the same creator" in error_text(err.value, "en")


def test_followers_and_price_are_shown_but_not_judged() -> None:
    comparison = build_comparison(DIVES, Duration.MEDIUM)
    for key in (MetricKey.FOLLOWERS, MetricKey.PRICE, MetricKey.MEDIAN_VIEWS):
        cells = comparison.row(key).cells
        assert all(c.value is not None and c.percentile is None and not c.best for c in cells)
    judged = {MetricKey.CPM, MetricKey.CPE, MetricKey.ER}
    assert all(v.strongest in judged | {None} and v.weakest in judged | {None} for v in comparison.verdicts)


def test_the_verdict_weighs_how_far_apart_the_values_are() -> None:
    """Two creators: every percentile is 0 or 100, so only the ratio tells CPM ¥1,482 against ¥12
    from an engagement rate of 2.0 % against 2.2 %."""
    cheap = creator("1", "甲", followers=2_000_000, price_medium=10_000, cpm_medium=12.4, er=0.020)
    dear = creator("2", "乙", followers=1_600_000, price_medium=90_000, cpm_medium=1_482.0, er=0.022)
    by_id = {v.star_id: v for v in build_comparison([cheap, dear], Duration.MEDIUM).verdicts}
    assert by_id["2"].weakest is MetricKey.CPM and by_id["2"].strongest is MetricKey.ER
    assert by_id["1"].strongest is MetricKey.CPM


def test_a_creator_below_the_group_on_everything_has_no_strongest_metric() -> None:
    good = creator("1", "甲", followers=1_000_000, price_medium=10_000, cpm_medium=10.0, er=0.05)
    poor = creator("2", "乙", followers=1_000_000, price_medium=10_000, cpm_medium=90.0, er=0.01)
    by_id = {v.star_id: v for v in build_comparison([good, poor], Duration.MEDIUM).verdicts}
    assert by_id["2"].strongest is None and "not above the group" in tr("en", by_id["2"].lines[0])
    assert by_id["1"].weakest is None and "not below the group" in tr("en", by_id["1"].lines[1])


def test_a_quote_that_ended_is_flagged_and_not_ranked() -> None:
    ended = creator("1", "甲", followers=1_000_000, price_medium=5_000, cpm_medium=8.0, er=0.02)
    quotes = ended.prices.data.quotes
    quotes[1] = replace(quotes[1], end_time=datetime(2026, 11, 12, 4, tzinfo=UTC))
    others = [
        creator(s, n, followers=500_000, price_medium=20_000, cpm_medium=40.0, er=0.02)
        for s, n in ("2乙", "3丙")
    ]
    comparison = build_comparison([ended, *others], Duration.MEDIUM, today=date(2026, 12, 7))
    for key in (MetricKey.PRICE, MetricKey.CPM, MetricKey.CPE):
        cell = comparison.row(key).cells[0]
        assert cell.value is not None and cell.ended == date(2026, 11, 12) and cell.percentile is None
    assert comparison.row(MetricKey.CPM).cells[1].best  # the live quotes are ranked among themselves
    assert comparison.verdicts[0].strongest not in {MetricKey.PRICE, MetricKey.CPM, MetricKey.CPE}
    still = build_comparison([ended, *others], Duration.MEDIUM, today=date(2026, 11, 12))
    assert still.row(MetricKey.CPM).cells[0].best  # valid through its last day


def test_the_last_search_fills_in_what_the_detail_lacks() -> None:
    seen = Creator(star_id="3", nickname="丙", link_star_index=91.2)
    comparison = build_comparison(DIVES, Duration.MEDIUM, seen={"3": seen})
    cells = comparison.row(MetricKey.XINGTU_INDEX).cells
    assert [c.value for c in cells] == [None, None, 91.2] and cells[2].searched


def test_edges_are_symmetric_on_a_log_scale() -> None:
    """With two creators the plain median is their mean, which made a CPM 123x the other's look
    smaller than an engagement rate a quarter of the other's."""
    cheap = creator("1", "甲", followers=1_000_000, price_medium=10_000, cpm_medium=12.0, er=0.05)
    dear = creator("2", "乙", followers=1_000_000, price_medium=10_000, cpm_medium=1_482.0, er=0.012)
    by_id = {v.star_id: v for v in build_comparison([cheap, dear], Duration.MEDIUM).verdicts}
    assert by_id["2"].weakest is MetricKey.CPM and by_id["1"].strongest is MetricKey.CPM


def test_a_creator_compared_on_one_metric_hears_it_when_it_is_the_worst() -> None:
    """It was told "Strongest: none" and "only one metric could be compared", though worst of 2."""
    cpms = (("1", "甲", 10.0), ("2", "乙", None), ("3", "丙", 30.0))
    dives = [creator(s, n, followers=1, price_medium=9_000, cpm_medium=c, er=None) for s, n, c in cpms]
    for dive in dives:
        dive.cp.data.cpe.clear()  # CPM is the one metric known for more than one creator
    verdict = build_comparison(dives, Duration.MEDIUM).verdicts[2]
    assert verdict.weakest is MetricKey.CPM and "worst of 2" in tr("en", verdict.lines[1])
