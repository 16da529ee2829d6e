"""Creators priced far out of line with their reach: left out of a plan, and named on its card.

A quote of ¥8,600 for 8,400 expected plays (CPM ¥1,021) next to candidates whose median CPM is
¥126 is almost always a stale or wrong list price, or a creator whose reach collapsed; picking
them on an estimated engagement figure spends the budget where it buys least. A candidate whose
CPM is more than `factor` (`KOLBOT_PLAN_OUTLIER_FACTOR`, default 5; 0 turns it off) times the
median CPM of the plan's priced candidates (at least `MIN_COHORT` of them) is left out, unless the
user named it in `must=`.
"""

from __future__ import annotations

import statistics
from collections.abc import Collection, Sequence

from bot.planner.models import Candidate

MIN_COHORT = 5  # fewer CPMs than this make no median to judge by


def median_cpm(candidates: Sequence[Candidate]) -> float | None:
    """The median CPM of the priced candidates with expected plays (None: too few to judge by)."""
    cpms = [c.cpm_yuan for c in candidates if c.cpm_yuan is not None]
    return statistics.median(cpms) if len(cpms) >= MIN_COHORT else None


def overpriced(
    candidates: Sequence[Candidate], must: Collection[str] = (), *, factor: float
) -> list[Candidate]:
    """The candidates whose CPM is over `factor` × the median, in the given order (must ones kept)."""
    median = median_cpm(candidates)
    if median is None or factor <= 0:
        return []
    return [
        c
        for c in candidates
        if c.cpm_yuan is not None and c.cpm_yuan > factor * median and c.star_id not in must
    ]
