"""Synthetic planner candidates and an independent brute-force solver for the optimality tests."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

import numpy as np

from bot.planner.models import Candidate, PlanRequest, PriceBasis, Tier, TierRange

TIERS = list(Tier)


def candidate(
    star_id: str,
    cost: float | None,
    value: float,
    tier: Tier = Tier.TAIL,
    *,
    mcn: str | None = None,
    nickname: str | None = None,
) -> Candidate:
    return Candidate(
        star_id=star_id,
        nickname=nickname or f"creator {star_id}",
        followers=None,
        tier=tier,
        cost_yuan=cost,
        basis=None if cost is None else PriceBasis.LIST,
        list_price_yuan=cost,
        quote_yuan=None,
        rebate_pct=None,
        expected_plays=value,
        plays_estimated=False,
        engagements=None,
        value=value,
        value_estimated=False,
        mcn=mcn,
    )


def random_instance(seed: int) -> tuple[PlanRequest, list[Candidate]]:
    """Up to 14 creators with integer costs and values and random tier, share, must/exclude, MCN rules."""
    rng = random.Random(seed)
    n = rng.randint(1, 14)
    pool = [
        candidate(
            f"s{seed}-{i}",
            float(rng.randrange(1_000, 60_000, 500)),
            float(rng.randrange(10_000, 3_000_000)),
            rng.choice(TIERS),
            mcn=rng.choice(["m1", "m2", "m3", None, None]),
        )
        for i in range(n)
    ]
    total = sum(c.cost_yuan or 0 for c in pool)
    mix = {}
    for tier in TIERS:
        if rng.random() < 0.4:
            low = rng.randint(0, 3)
            mix[tier] = TierRange(low=low, high=rng.choice([None, low + rng.randint(0, 3)]))
    ids = [c.star_id for c in pool]
    rng.shuffle(ids)
    must = tuple(ids[: rng.choice([0, 0, 1, 2])])
    exclude = tuple(ids[len(must) : len(must) + rng.choice([0, 0, 1, 2])])
    request = PlanRequest(
        budget_yuan=float(round(total * rng.uniform(0.1, 0.8))),
        mix=mix,
        max_share=rng.choice([None, None, 0.3, 0.5, 0.7]),
        must=must,
        exclude=exclude,
        one_per_mcn=rng.random() < 0.3,
    )
    return request, pool


def feasible_mask(request: PlanRequest, pool: Sequence[Candidate]) -> tuple[np.ndarray, np.ndarray]:
    """Every subset of `pool` as rows of 0/1, and which of them meet every constraint of `request`."""
    n = len(pool)
    subsets = np.array(list(itertools.product((0, 1), repeat=n)), dtype=np.int64).reshape(-1, n)
    costs = np.array([c.cost_yuan if c.cost_yuan is not None else np.inf for c in pool])
    chosen_cost = np.where(subsets == 1, costs, 0.0)
    ok = chosen_cost.sum(axis=1) <= request.budget_yuan
    for tier, want in request.mix.items():
        count = subsets[:, [i for i, c in enumerate(pool) if c.tier is tier]].sum(axis=1)
        ok &= count >= want.low
        if want.high is not None:
            ok &= count <= want.high
    if request.max_share is not None:
        ok &= (chosen_cost <= request.max_share * request.budget_yuan).all(axis=1)
    for i, c in enumerate(pool):
        if c.star_id in request.must:
            ok &= subsets[:, i] == 1
        if c.star_id in request.exclude or c.cost_yuan is None:
            ok &= subsets[:, i] == 0
    if request.one_per_mcn:
        for mcn in {c.mcn for c in pool if c.mcn}:
            ok &= subsets[:, [i for i, c in enumerate(pool) if c.mcn == mcn]].sum(axis=1) <= 1
    return subsets, ok


def brute_force(request: PlanRequest, pool: Sequence[Candidate]) -> float | None:
    """The best objective over every subset, or None when no subset is feasible."""
    subsets, ok = feasible_mask(request, pool)
    if not ok.any():
        return None
    values = np.array([c.value for c in pool], dtype=np.int64)
    return float((subsets[ok] * values).sum(axis=1).max())


def is_feasible(request: PlanRequest, pool: Sequence[Candidate], chosen: Sequence[str]) -> bool:
    subsets, ok = feasible_mask(request, pool)
    row = np.array([1 if c.star_id in set(chosen) else 0 for c in pool])
    return bool(ok[(subsets == row).all(axis=1)].any())
