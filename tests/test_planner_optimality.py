"""The MILP plan equals brute-force enumeration on 200 random small instances (deterministic seeds)."""

from __future__ import annotations

import pytest

from bot.i18n import tr
from bot.planner.models import BindingKind, Candidate, Plan, PlanStatus, TierBounds
from bot.planner.optimise import RELAX_ORDER, make_plan, relax
from tests.planner_support import brute_force, is_feasible, random_instance

SEEDS = range(200)


def considered(plan: Plan, pool: list[Candidate]) -> list[Candidate]:
    """The pool the solver saw: the candidates priced far above their reach are left out before it
    (`bot.planner.outliers`, tested in test_planner_edges)."""
    return [c for c in pool if c.star_id not in plan.overpriced]


def test_the_random_instances_cover_feasible_and_infeasible_plans() -> None:
    outcomes = [brute_force(*random_instance(seed)) is None for seed in SEEDS]
    assert 20 <= sum(outcomes) <= 180  # both kinds are well represented


@pytest.mark.parametrize("seed", SEEDS)
def test_objective_equals_brute_force(seed: int) -> None:
    request, pool = random_instance(seed)
    plan = make_plan(request, pool, TierBounds())
    pool = considered(plan, pool)
    best = brute_force(request, pool)
    if best is None:
        assert plan.status is PlanStatus.RELAXED
        binding = plan.binding
        assert binding is not None and binding.relaxed and binding.kind in RELAX_ORDER
        # The named constraints are the ones whose relaxation gives a plan, and the plan offered
        # is the optimum of that relaxed request.
        relaxed = relax(request, binding.relaxed)
        assert plan.solved == relaxed
        assert plan.objective == brute_force(relaxed, pool)
        assert is_feasible(relaxed, pool, [c.star_id for c in plan.chosen])
        if len(binding.relaxed) > 1:  # no single relaxation would have done
            assert all(brute_force(relax(request, [k]), pool) is None for k in binding.relaxed)
        assert tr("en", binding.what) and tr("zh", binding.what)
    else:
        assert plan.status in (PlanStatus.OPTIMAL, PlanStatus.EMPTY)
        assert plan.objective == best
        assert is_feasible(request, pool, [c.star_id for c in plan.chosen])
        assert plan.spent_yuan <= request.budget_yuan


def test_a_single_binding_constraint_is_the_first_in_relaxation_order_that_helps() -> None:
    named = set()
    for seed in SEEDS:
        request, pool = random_instance(seed)
        plan = make_plan(request, pool, TierBounds())
        pool = considered(plan, pool)
        if plan.binding is None or plan.binding.kind is BindingKind.BUDGET or len(plan.binding.relaxed) > 1:
            continue
        kind = plan.binding.kind
        earlier = RELAX_ORDER[: RELAX_ORDER.index(kind)]
        assert all(brute_force(relax(request, [k]), pool) is None for k in earlier)
        named.add(kind)
    assert {BindingKind.MIX, BindingKind.MUST} <= named
