"""Goal-weighted percentile scoring over synthetic creators."""

from __future__ import annotations

import pytest

from bot.i18n import tr
from bot.models import Creator, Duration, EcomProfile, Goal, Price, ScoreComponent, ScoredCreator
from bot.scoring import GOAL_WEIGHTS, low_confidence, metric_value, percentiles, reason, score_cohort

MID = Duration.MEDIUM


def creator(star_id: str, *, cpm: float | None = None, cpe: float | None = None, **kw) -> Creator:
    return Creator(
        star_id=star_id,
        nickname=f"测试达人{star_id}",
        upstream_cpm={MID: cpm} if cpm is not None else {},
        upstream_cpe={MID: cpe} if cpe is not None else {},
        **kw,
    )


def by_id(scored):
    return {s.creator.star_id: s for s in scored}


# -- percentiles ---------------------------------------------------------------------------------


def test_percentiles_mid_rank_and_direction():
    values = [(1.0,), (2.0,), (2.0,), (3.0,), None]
    assert percentiles(values, higher_is_better=True) == [0.0, 50.0, 50.0, 100.0, None]
    assert percentiles(values, higher_is_better=False) == [100.0, 50.0, 50.0, 0.0, None]


def test_percentiles_single_known_value_is_50():
    assert percentiles([None, (7.0,)], higher_is_better=True) == [None, 50.0]


def test_percentiles_all_tied_is_50():
    assert percentiles([(4.0,)] * 3, higher_is_better=False) == [50.0, 50.0, 50.0]


def test_cohort_of_one_scores_50():
    [only] = score_cohort([creator("1", cpe=2.0, interact_rate=0.03)], Goal.SEEDING, MID)
    assert only.score == pytest.approx(50.0)
    assert all(c.percentile == 50.0 for c in only.components if c.percentile is not None)


# -- metrics -------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0.0, -3.0])
def test_zero_or_negative_cost_is_unknown_not_cheapest(bad):
    cheap_looking = creator("a", cpm=bad, cpe=bad)
    normal = creator("b", cpm=50.0, cpe=2.0)
    assert metric_value(cheap_looking, "cpm", MID) is None
    assert metric_value(cheap_looking, "cpe", MID) is None
    scored = by_id(score_cohort([cheap_looking, normal], Goal.AWARENESS, MID))
    assert {"cpm", "cpe"} <= set(scored["a"].unknown)
    assert scored["a"].score is None
    assert scored["b"].rank == 1


def test_cpm_is_computed_from_price_when_upstream_omits_it():
    c = Creator(
        star_id="1", nickname="x", prices={2: Price(video_type=2, yuan=30_000)}, expected_plays=500_000
    )
    assert metric_value(c, "cpm", MID) == pytest.approx(60.0)
    assert metric_value(c, "price", MID) == 30_000
    assert metric_value(c, "price", Duration.SHORT) is None


# -- scores --------------------------------------------------------------------------------------


def test_goal_weights_sum_to_one():
    for weights in GOAL_WEIGHTS.values():
        assert sum(weights.values()) == pytest.approx(1.0)


def test_fewer_numbers_cannot_beat_equal_known_metrics():
    # Both are best on er; "full" is also best on every other seeding metric, "sparse" has only er.
    full = creator("full", cpe=1.0, interact_rate=0.08, shopping_index=90, link_star_index=90)
    sparse = creator("sparse", interact_rate=0.08)
    others = [
        creator(str(i), cpe=3.0 + i, interact_rate=0.01, shopping_index=40.0 + i, link_star_index=40.0 + i)
        for i in range(4)
    ]
    scored = by_id(score_cohort([sparse, full, *others], Goal.SEEDING, MID))
    assert scored["full"].score > scored["sparse"].score
    assert scored["sparse"].coverage == pytest.approx(GOAL_WEIGHTS[Goal.SEEDING]["er"])
    assert scored["full"].coverage > scored["sparse"].coverage


def test_score_formula_shrinks_toward_50_by_coverage():
    best = creator("best", interact_rate=0.05)
    worst = creator("worst", interact_rate=0.01)
    scored = by_id(score_cohort([best, worst], Goal.SEEDING, MID))
    coverage = GOAL_WEIGHTS[Goal.SEEDING]["er"]
    assert scored["best"].score == pytest.approx(50 + 50 * coverage)
    assert scored["worst"].score == pytest.approx(50 - 50 * coverage)


def test_nothing_known_means_no_score_and_last_place():
    blank = creator("blank")
    known = creator("known", cpe=2.0)
    scored = score_cohort([blank, known], Goal.SEEDING, MID)
    assert [s.creator.star_id for s in scored] == ["known", "blank"]
    assert scored[1].score is None and scored[1].coverage == 0.0
    assert [s.rank for s in scored] == [1, 2]


@pytest.mark.parametrize(
    ("goal", "winner"),
    [(Goal.AWARENESS, "reach"), (Goal.SEEDING, "seed"), (Goal.CONVERSION, "sell")],
)
def test_goal_changes_the_winner(goal, winner):
    reach = creator("reach", cpm=10.0, cpe=4.0, spread_index=90, completion_rate=0.4, growth_rate_15d=0.05)
    seed = creator("seed", cpm=80.0, cpe=0.5, shopping_index=95, interact_rate=0.09, link_star_index=92)
    sell = creator(
        "sell",
        cpm=60.0,
        cpe=3.0,
        convert_index=95,
        ecom=EcomProfile(level="L5", gmv_30d_range="20w-100w"),
    )
    plain = creator(
        "plain",
        cpm=40.0,
        cpe=2.0,
        spread_index=50,
        completion_rate=0.2,
        growth_rate_15d=0.0,
        shopping_index=50,
        interact_rate=0.02,
        link_star_index=50,
        convert_index=50,
        ecom=EcomProfile(level="L1"),
    )
    scored = score_cohort([plain, reach, seed, sell], goal, MID)
    assert scored[0].creator.star_id == winner


def test_growth_is_a_percentile_not_a_gate():
    shrinking = creator("down", growth_rate_15d=-0.01, cpm=10.0)
    growing = creator("up", growth_rate_15d=0.02, cpm=90.0)
    scored = by_id(score_cohort([shrinking, growing], Goal.AWARENESS, MID))
    assert scored["down"].score is not None
    growth = next(c for c in scored["down"].components if c.key == "growth")
    assert growth.percentile == 0.0 and growth.value == -0.01


def test_ecom_level_ties_are_split_by_gmv_bucket():
    low_gmv = creator("low", ecom=EcomProfile(level="L3", gmv_30d_range="1k-3w"))
    high_gmv = creator("high", ecom=EcomProfile(level="L3", gmv_30d_range="3w-20w"))
    top = creator("top", ecom=EcomProfile(level="L4"))
    scored = by_id(score_cohort([low_gmv, high_gmv, top], Goal.CONVERSION, MID))
    pct = {k: next(c.percentile for c in s.components if c.key == "ecom") for k, s in scored.items()}
    assert pct == {"low": 0.0, "high": 50.0, "top": 100.0}


def test_ecom_only_counts_for_conversion():
    c = creator("1", ecom=EcomProfile(level="L5"))
    for goal in (Goal.AWARENESS, Goal.SEEDING):
        [scored] = score_cohort([c], goal, MID)
        assert "ecom" not in {comp.key for comp in scored.components}


def test_strengths_weakest_and_unknown():
    star = creator("star", cpe=1.0, interact_rate=0.09, shopping_index=95, link_star_index=20)
    others = [
        creator(
            str(i), cpe=2.0 + i, interact_rate=0.01 * (i + 1), shopping_index=50 + i, link_star_index=60 + i
        )
        for i in range(3)
    ]
    scored = by_id(score_cohort([star, *others], Goal.SEEDING, MID))["star"]
    assert len(scored.strengths) == 3
    assert set(scored.strengths) <= {"cpe", "er", "shopping"}
    assert scored.weakest == "star"
    assert set(scored.unknown) == {"cpm", "completion", "growth", "spread"}


def test_weakest_is_only_below_the_cohort_median():
    # "a" is above the median on everything: no weakness, even though one metric is its lowest.
    a = creator("a", cpe=1.0, interact_rate=0.05, link_star_index=60)
    b = creator("b", cpe=2.0, interact_rate=0.03, link_star_index=70)
    c = creator("c", cpe=3.0, interact_rate=0.01, link_star_index=50)
    scored = by_id(score_cohort([a, b, c], Goal.SEEDING, MID))
    assert [comp.percentile for comp in scored["a"].components if comp.key == "star"] == [50.0]
    assert scored["a"].weakest is None
    assert scored["c"].weakest in {"cpe", "er", "star"}
    weakest = next(comp for comp in scored["c"].components if comp.key == scored["c"].weakest)
    assert weakest.percentile < 50
    assert "worst" in tr("en", reason(weakest)) and "最差" in tr("zh", reason(weakest))
    assert "best" not in tr("en", reason(weakest)) and "优于" not in tr("zh", reason(weakest))


def test_low_confidence_below_half_of_the_weight():
    full = creator("full", cpe=1.0, interact_rate=0.05, shopping_index=60, link_star_index=60)
    thin = creator("thin", interact_rate=0.02, link_star_index=30)  # er 0.20 + star 0.15 of seeding's weight
    scored = by_id(score_cohort([full, thin], Goal.SEEDING, MID))
    assert scored["thin"].coverage == pytest.approx(0.35)
    assert low_confidence(scored["thin"]) and not low_confidence(scored["full"])
    assert not low_confidence(ScoredCreator(creator=thin, score=None))


def test_strengths_need_the_60th_percentile():
    weak = creator("weak", cpe=9.0, interact_rate=0.001)
    strong = creator("strong", cpe=1.0, interact_rate=0.05)
    scored = by_id(score_cohort([weak, strong], Goal.SEEDING, MID))
    assert scored["weak"].strengths == []
    assert scored["weak"].weakest in {"cpe", "er"}
    assert set(scored["strong"].strengths) == {"cpe", "er"}
    assert scored["strong"].weakest is None


def test_no_fixed_thresholds_low_absolute_values_still_rank():
    # All below the seed's old gates (Xingtu index > 50, er > 2 %): still ranked relative to each other.
    a = creator("a", link_star_index=30, interact_rate=0.01)
    b = creator("b", link_star_index=20, interact_rate=0.005)
    scored = score_cohort([b, a], Goal.SEEDING, MID)
    assert [s.creator.star_id for s in scored] == ["a", "b"]
    assert scored[0].score > 50 > scored[1].score


# -- reason text ---------------------------------------------------------------------------------


def test_reason_text_matches_the_card_wording():
    cpe = ScoreComponent(key="cpe", value=1.91, percentile=88.0, weight=0.25)
    assert tr("en", reason(cpe)) == "CPE in the best 12% of this search (¥1.91/engagement)"
    assert tr("zh", reason(cpe)) == "CPE 优于本次结果中 88% 的达人（¥1.91/次互动）"


@pytest.mark.parametrize(
    ("component", "en", "zh"),
    [
        (
            ScoreComponent(key="er", value=0.032, percentile=100.0, weight=0.2),
            "Engagement rate is the best in this search (3.2%)",
            "互动率 为本次结果中最优（3.2%）",
        ),
        (
            ScoreComponent(key="cpm", value=257.23, percentile=20.0, weight=0.3),
            "CPM better than only 20% of this search (¥257 / 1k plays)",
            "CPM 仅优于本次结果中 20% 的达人（¥257/千次播放）",
        ),
        (
            ScoreComponent(key="growth", value=-0.012, percentile=75.0, weight=0.1),
            "15-day follower growth in the best 25% of this search (-1.2%)",
            "15天涨粉率 优于本次结果中 75% 的达人（-1.2%）",
        ),
        (
            ScoreComponent(key="ecom", value=3, percentile=60.0, weight=0.25),
            "E-commerce level in the best 40% of this search (L3)",
            "带货等级 优于本次结果中 60% 的达人（L3）",
        ),
        (
            ScoreComponent(key="cpe", value=9.5, percentile=0.0, weight=0.25),
            "CPE is the worst in this search (¥9.50/engagement)",
            "CPE 为本次结果中最差（¥9.50/次互动）",
        ),
        (
            ScoreComponent(key="star", value=None, percentile=None, weight=0.15),
            "Xingtu index: no data",
            "星图指数：暂无数据",
        ),
    ],
)
def test_reason_text_variants(component, en, zh):
    assert tr("en", reason(component)) == en
    assert tr("zh", reason(component)) == zh
