"""Audience-target tokens and the audience-fit maths."""

from __future__ import annotations

import pytest

from bot.audience import parse_audience_targets
from bot.cards.deepdive_views import fit_summary
from bot.cards.errors import error_text
from bot.deepdive.audience import FitStatus, audience_fit
from bot.deepdive.models import Distribution, DistributionKind, Portrait
from bot.errors import QueryError
from bot.models import Gender, TargetKind


def portrait(**counts: dict[str, float]) -> Portrait:
    return Portrait(
        distributions={
            DistributionKind(kind): Distribution(kind=DistributionKind(kind), counts=c)
            for kind, c in counts.items()
        }
    )


PORTRAIT = portrait(
    gender={"female": 7_500, "male": 2_500},
    age={"18-23": 300, "24-30": 300, "31-40": 200, "41-50": 100, "50+": 100},
    city_tier={"一线": 20, "新一线": 20, "二线": 20, "三线": 20, "四线": 10, "五线": 10},
)


def test_parses_the_three_tokens_with_defaults_and_shares() -> None:
    targets = parse_audience_targets(
        ["audience_gender=female>=70%", "audience_age=18-30", "AUDIENCE_CITY_TIER=1-2"]
    )
    gender, age, tier = targets.targets
    assert (gender.kind, gender.gender, gender.min_share) == (TargetKind.GENDER, Gender.FEMALE, 0.7)
    assert (age.low, age.high, age.min_share) == (18, 30, 0.5)
    assert (tier.low, tier.high) == (1, 2)
    assert parse_audience_targets(["audience_gender=男>=60"]).targets[0].gender is Gender.MALE
    assert parse_audience_targets(["audience_city_tier=1>=30%"]).targets[0].high == 1


@pytest.mark.parametrize(
    "token",
    [
        "audience_gender=other",
        "audience_age=30-18",
        "audience_age=teen",
        "audience_city_tier=0-7",
        "audience_gender=female>=150%",
        "audience_income=high",
    ],
)
def test_bad_tokens_are_named(token: str) -> None:
    with pytest.raises(QueryError) as err:
        parse_audience_targets([token])
    assert err.value.token == token
    assert token in error_text(err.value, "en") and token in error_text(err.value, "zh")
    assert "audience_age=18-30" in error_text(err.value, "en")  # usage hint


def test_a_target_given_twice_is_an_error() -> None:
    with pytest.raises(QueryError) as err:
        parse_audience_targets(["audience_age=18-30", "audience_age=20-25"])
    assert err.value.token == "audience_age=20-25"


def test_fit_shares_pass_fail_and_overall() -> None:
    targets = parse_audience_targets(
        ["audience_gender=female>=70%", "audience_age=18-30", "audience_city_tier=1-2"]
    )
    fit = audience_fit(PORTRAIT, targets)
    gender, age, tier = fit.fits
    assert gender.share == pytest.approx(0.75) and gender.status is FitStatus.PASS
    assert age.share == pytest.approx(0.6) and age.status is FitStatus.PASS
    assert tier.share == pytest.approx(0.6) and tier.status is FitStatus.PASS  # 一线 + 新一线 + 二线
    assert fit.overall_pct == pytest.approx(100)


def test_partial_age_buckets_and_failing_targets_lower_the_fit() -> None:
    targets = parse_audience_targets(["audience_age=18-35>=80%", "audience_city_tier=1>=40%"])
    age, tier = audience_fit(PORTRAIT, targets).fits
    assert age.share == pytest.approx(0.3 + 0.3 + 0.2 * 5 / 10)  # half of 31-40
    assert age.status is FitStatus.FAIL
    assert tier.share == pytest.approx(0.2) and tier.status is FitStatus.FAIL  # 新一线 is 1.5
    overall = audience_fit(PORTRAIT, targets).overall_pct
    assert overall == pytest.approx(100 * (0.7 / 0.8 + 0.2 / 0.4) / 2)


def test_missing_distribution_is_unknown_not_failed() -> None:
    targets = parse_audience_targets(["audience_gender=female", "audience_age=18-30"])
    fit = audience_fit(portrait(gender={"female": 3, "male": 1}), targets)
    assert [f.status for f in fit.fits] == [FitStatus.PASS, FitStatus.UNKNOWN]
    assert fit.overall_pct == pytest.approx(100)
    none = audience_fit(None, targets)
    assert none.overall_pct is None and {f.status for f in none.fits} == {FitStatus.UNKNOWN}
    assert "无数据" in fit_summary(none, "zh") and "no data" in fit_summary(none, "en")


def test_the_fit_line_leads_with_how_many_targets_are_met_not_an_average() -> None:
    """Two failed targets of three can average 65 %: the line says 1 of 3 met, then each share."""
    targets = parse_audience_targets(["audience_gender=female>=60%", "audience_city_tier=1>=40%"])
    line = fit_summary(audience_fit(PORTRAIT, targets), "en")
    assert line.startswith("Audience fit: 1 of 2 targets met (✅ ") and "❌ " in line
    assert "%" not in line.split("(")[0]
    assert fit_summary(audience_fit(PORTRAIT, targets), "zh").startswith("受众匹配：达成 1/2 项（")


def test_open_age_bucket_counts_as_fifteen_years() -> None:
    targets = parse_audience_targets(["audience_age=55-120"])
    (fit,) = audience_fit(PORTRAIT, targets).fits
    assert fit.share == pytest.approx(0.1 * 10 / 15)
