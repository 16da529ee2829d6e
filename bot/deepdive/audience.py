"""How well a creator's audience portrait meets audience targets (`bot.models.AudienceTargets`).

Age buckets are spread evenly over their years, so `18-30` takes all of 18-23 and 24-30 and
`18-35` also takes 5/10 of 31-40; the open bucket `50+` counts as 50-64. City tiers by
`bot.models.CITY_TIERS`: 新一线 = 1.5 is inside `1-2`, outside `1` and `2-5`.
Overall fit is the mean, over targets with data, of share ÷ required share, capped at 100 %.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel

from bot.deepdive.models import DistributionKind, Portrait
from bot.models import (
    CITY_TIERS,
    AudienceTarget,
    AudienceTargets,
    GenderTarget,
    RangeTarget,
    TargetKind,
)

OPEN_AGE_SPAN = 15  # "50+" is read as 50-64

_AGE_BUCKET = re.compile(r"(?P<low>\d+)\s*(?:-\s*(?P<high>\d+)|(?P<plus>\+))")


class FitStatus(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"


class TargetFit(BaseModel):
    target: AudienceTarget
    share: float | None  # share of the audience inside the target, 0-1
    status: FitStatus


class AudienceFit(BaseModel):
    fits: list[TargetFit]
    overall_pct: float | None  # 0-100; None when no target had data


def _age_span(bucket: str) -> tuple[float, float] | None:
    """Years covered by an age bucket, as [start, end): "18-23" -> (18, 24), "50+" -> (50, 65)."""
    match = _AGE_BUCKET.fullmatch(bucket.strip())
    if not match:
        return None
    low = float(match["low"])
    return (low, low + OPEN_AGE_SPAN) if match["plus"] else (low, float(match["high"]) + 1)


def _age_share(target: RangeTarget, shares: dict[str, float]) -> float:
    start, end = target.low, target.high + 1
    total = 0.0
    for bucket, share in shares.items():
        span = _age_span(bucket)
        if span is None:
            continue
        overlap = max(0.0, min(end, span[1]) - max(start, span[0]))
        total += share * overlap / (span[1] - span[0])
    return total


def _tier_share(target: RangeTarget, shares: dict[str, float]) -> float:
    return sum(
        share
        for bucket, share in shares.items()
        if (tier := CITY_TIERS.get(bucket.strip())) is not None and target.low <= tier <= target.high
    )


_SOURCE = {
    TargetKind.GENDER: DistributionKind.GENDER,
    TargetKind.AGE: DistributionKind.AGE,
    TargetKind.CITY_TIER: DistributionKind.CITY_TIER,
}


def target_share(target: AudienceTarget, portrait: Portrait | None) -> float | None:
    """Share of the audience inside `target`, or None without that distribution."""
    distribution = portrait.get(_SOURCE[target.kind]) if portrait else None
    shares = distribution.shares() if distribution else {}
    if not shares:
        return None
    if isinstance(target, GenderTarget):
        return shares.get(target.gender.value, 0.0)
    return _age_share(target, shares) if target.kind is TargetKind.AGE else _tier_share(target, shares)


def audience_fit(portrait: Portrait | None, targets: AudienceTargets) -> AudienceFit:
    fits = []
    for target in targets.targets:
        share = target_share(target, portrait)
        if share is None:
            status = FitStatus.UNKNOWN
        else:
            status = FitStatus.PASS if share >= target.min_share else FitStatus.FAIL
        fits.append(TargetFit(target=target, share=share, status=status))
    known = [min(f.share / f.target.min_share, 1.0) for f in fits if f.share is not None]
    overall = 100 * sum(known) / len(known) if known else None
    return AudienceFit(fits=fits, overall_pct=overall)
