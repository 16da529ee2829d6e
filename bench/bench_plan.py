"""Campaign planner speed and quality: MILP solve time for 50, 500 and 2,000 candidates, and the
plan's objective against the best of several greedy baselines.

Run from the repository root: `.venv/bin/python -m bench.bench_plan`. Prints figures only.
Candidates are synthetic and shaped like Xingtu search data (prices and plays grow with followers,
with noise); the request is an agency-style brief: mix head:1-2, mid:3-5, tail:5-10, max_share 40 %,
one creator per MCN. Goal: 500 candidates solved in < 1 s.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence

from bot.planner.models import Candidate, PlanRequest, PriceBasis, Tier, TierBounds, TierRange
from bot.planner.optimise import make_plan

SIZES = (50, 500, 2_000)
RUNS = 5
GOAL_500_MS = 1000.0
MIX = {
    Tier.HEAD: TierRange(low=1, high=2),
    Tier.MID: TierRange(low=3, high=5),
    Tier.TAIL: TierRange(low=5, high=10),
}
TIERS = TierBounds()


def synthetic_candidates(n: int, seed: int = 7) -> list[Candidate]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        followers = int(10 ** rng.uniform(4, 7.3))
        price = round(followers * rng.uniform(0.03, 0.12) + 800, 2)
        plays = followers * rng.uniform(0.05, 0.6)
        out.append(
            Candidate(
                star_id=f"b{i:05d}",
                nickname=f"达人{i}",
                followers=followers,
                tier=TIERS.tier_of(followers),
                cost_yuan=price,
                basis=PriceBasis.LIST,
                list_price_yuan=price,
                quote_yuan=None,
                rebate_pct=None,
                expected_plays=plays,
                plays_estimated=False,
                engagements=plays * 0.03,
                value=plays,
                value_estimated=False,
                mcn=f"mcn{rng.randrange(n // 4 + 1)}" if rng.random() < 0.6 else None,
            )
        )
    return out


REQUEST = PlanRequest(budget_yuan=500_000, mix=MIX, max_share=0.4, one_per_mcn=True)


# -- greedy baselines ----------------------------------------------------------------------


def _greedy(
    request: PlanRequest, pool: Sequence[Candidate], key: Callable[[Candidate], float]
) -> float | None:
    """Fill each tier's minimum, then add by `key` (best first) while every constraint holds."""
    cap = (request.max_share or 1.0) * request.budget_yuan
    chosen: list[Candidate] = []
    spent, mcns = 0.0, set()
    counts = dict.fromkeys(Tier, 0)

    def fits(c: Candidate) -> bool:
        high = request.mix.get(c.tier, TierRange()).high
        return (
            (c.cost_yuan or 0) <= cap
            and spent + (c.cost_yuan or 0) <= request.budget_yuan
            and (c.mcn is None or c.mcn not in mcns)
            and (high is None or counts[c.tier] < high)
        )

    def take(c: Candidate) -> None:
        nonlocal spent
        chosen.append(c)
        spent += c.cost_yuan or 0
        counts[c.tier] += 1
        if c.mcn:
            mcns.add(c.mcn)

    ranked = sorted(pool, key=key, reverse=True)
    for tier, want in request.mix.items():
        for c in ranked:
            if counts[tier] >= want.low:
                break
            if c.tier is tier and c not in chosen and fits(c):
                take(c)
    if any(counts[t] < w.low for t, w in request.mix.items()):
        return None
    for c in ranked:
        if c not in chosen and fits(c):
            take(c)
    return sum(c.value for c in chosen)


GREEDY: dict[str, Callable[[Candidate], float]] = {
    "value per yuan": lambda c: c.value / (c.cost_yuan or 1),
    "value": lambda c: c.value,
    "cheapest first": lambda c: -(c.cost_yuan or 0),
}


def main() -> None:
    print(
        f"{'candidates':>10} {'solve ms (median of 5)':>24} {'picks':>6} {'MILP objective':>16} "
        f"{'best greedy':>14} {'greedy rule':>16} {'ratio':>7}"
    )
    medians: dict[int, float] = {}
    for n in SIZES:
        pool = synthetic_candidates(n)
        request = REQUEST
        times, plan = [], None
        for _ in range(RUNS):
            started = time.perf_counter()
            plan = make_plan(request, pool, TIERS)
            times.append((time.perf_counter() - started) * 1000)
        assert plan is not None and plan.status.value == "optimal", plan and plan.binding
        greedy = {name: _greedy(request, pool, key) for name, key in GREEDY.items()}
        name, best = max(((k, v) for k, v in greedy.items() if v is not None), key=lambda kv: kv[1])
        medians[n] = statistics.median(times)
        print(
            f"{n:>10} {medians[n]:>24.1f} {len(plan.picks):>6} {plan.objective:>16,.0f} "
            f"{best:>14,.0f} {name:>16} {plan.objective / best:>7.3f}"
        )

    verdict = "PASS" if medians[500] < GOAL_500_MS else "FAIL"
    print(f"goal: 500 candidates in < {GOAL_500_MS:.0f} ms: {medians[500]:.1f} ms, {verdict}")


if __name__ == "__main__":
    main()
