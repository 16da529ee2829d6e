"""The plan as a 0/1 integer programme, solved exactly with `scipy.optimize.milp` (HiGHS).

    maximise   Σ value_i · x_i
    subject to Σ cost_i · x_i ≤ budget
               low_t ≤ Σ_{i in tier t} x_i ≤ high_t       for each tier with a range
               Σ_{i in group g} x_i ≤ 1                   for each MCN group (one_per_mcn)
               x_i = 0 where cost_i > cap                  (max_share × budget)
               x_i = 1 for must creators, x_i ∈ {0, 1}

HiGHS runs with a relative gap of 0, so the optimum is proven, not approximate (its default gap
of 1e-4 could stop at a plan 0.01 % short).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.errors import KolbotError
from bot.i18n import Text
from bot.planner.c_stdout import silenced

CAP_TOLERANCE = 1e-9  # a creator costing exactly the cap is allowed
TIME_LIMIT_S = 30.0


class SolverFailed(KolbotError):
    """HiGHS stopped without proving a plan optimal or impossible (time limit, numerics)."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            Text("The optimiser could not finish this plan."),
            hint=Text("Try fewer candidates (fewer pages=) or fewer constraints."),
        )
        self.detail = detail


@dataclass(frozen=True)
class Problem:
    values: Sequence[float]
    costs: Sequence[float]
    tiers: Sequence[int]  # each candidate's tier number
    budget: float
    tier_ranges: dict[int, tuple[int, int | None]] = field(default_factory=dict)  # tier -> (low, high)
    cap: float | None = None  # most one creator may cost
    must: frozenset[int] = frozenset()
    groups: Sequence[Sequence[int]] = ()  # at most one creator from each

    def allowed(self, i: int) -> bool:
        return self.cap is None or self.costs[i] <= self.cap * (1 + CAP_TOLERANCE)


def solve(problem: Problem) -> list[int] | None:
    """Indices of the chosen candidates (sorted), or None when no plan meets every constraint."""
    import numpy as np  # numpy and scipy load on the first plan, not with every kolbot command
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

    n = len(problem.values)
    if n == 0:
        return [] if all(low <= 0 for low, _ in problem.tier_ranges.values()) else None
    rows: list[tuple[dict[int, float], float, float]] = [
        ({i: float(c) for i, c in enumerate(problem.costs)}, -np.inf, float(problem.budget))
    ]
    for tier, (low, high) in problem.tier_ranges.items():
        members = {i: 1.0 for i, t in enumerate(problem.tiers) if t == tier}
        rows.append((members, float(low), np.inf if high is None else float(high)))
    rows += [({i: 1.0 for i in group}, -np.inf, 1.0) for group in problem.groups if len(group) > 1]
    entries = [(r, i, a) for r, (coefficients, _, _) in enumerate(rows) for i, a in coefficients.items()]
    r_idx, c_idx, data = zip(*entries, strict=True)
    matrix = coo_array((data, (r_idx, c_idx)), shape=(len(rows), n))
    lower = np.array([1.0 if i in problem.must else 0.0 for i in range(n)])
    upper = np.array([1.0 if problem.allowed(i) else 0.0 for i in range(n)])
    if np.any(lower > upper):
        return None
    with silenced():  # HiGHS prints a debug line on some problems
        result = milp(
            c=-np.asarray(problem.values, dtype=float),
            integrality=np.ones(n),
            bounds=Bounds(lower, upper),
            constraints=LinearConstraint(
                matrix.tocsr(), np.array([lo for _, lo, _ in rows]), np.array([hi for _, _, hi in rows])
            ),
            options={"mip_rel_gap": 0.0, "time_limit": TIME_LIMIT_S, "presolve": True},
        )
    if result.status == 2:  # infeasible
        return None
    if result.status != 0 or result.x is None:  # only a proven optimum is offered as one
        raise SolverFailed(result.message)
    return [i for i in range(n) if result.x[i] > 0.5]
