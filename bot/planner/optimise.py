"""Turn a request and its candidates into a `Plan`: solve, diagnose infeasibility, pick runner-ups.

When the asked-for plan is infeasible, constraints are relaxed in the order of `RELAX_ORDER`
(one per MCN, then the max share, then the mix's minimums, then the must list): first each alone, and the
first one whose relaxation alone gives a plan is named as binding; if none does, they are relaxed
cumulatively in that order until a plan exists, then the earlier ones that can be put back are.
The budget is never relaxed (the empty plan always fits it); a budget that buys nobody is
reported as such, with the cheapest creator's price.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import Text
from bot.planner import diagnose, outliers
from bot.planner.milp import Problem, solve
from bot.planner.models import (
    Binding,
    BindingKind,
    Candidate,
    Pick,
    Plan,
    PlanRequest,
    PlanStatus,
    Tier,
    TierBounds,
    TierRange,
)

RELAX_ORDER = (BindingKind.ONE_PER_MCN, BindingKind.MAX_SHARE, BindingKind.MIX, BindingKind.MUST)
RESOLVE_STEPS = (-20, 20)  # the card's re-solve buttons, percent of the budget
_TIER_INDEX = {tier: i for i, tier in enumerate(Tier)}


def make_plan(
    request: PlanRequest,
    candidates: Sequence[Candidate],
    tiers: TierBounds,
    *,
    steps: Sequence[int] = (),
) -> Plan:
    """The optimal plan for `request` over `candidates` (already unique by star_id). `steps`: the
    budget changes (percent) to try; the plan keeps those that give another, non-empty choice of
    creators (`Plan.resolve_steps`), so the card offers no re-solve that would give the same plan
    or none."""
    plan = _plan(request, candidates, tiers)
    if not steps:
        return plan
    others = {
        s: _chosen(_plan(request.with_budget(step_budget(request.budget_yuan, s)), candidates, tiers))
        for s in steps
    }
    changed = [step for step, other in others.items() if other and other != _chosen(plan)]
    return plan.model_copy(update={"resolve_steps": changed})


def _chosen(plan: Plan) -> set[str]:
    return {c.star_id for c in plan.chosen}


def step_budget(budget: float, step: int) -> int:
    """The budget `step` percent away, in whole yuan (what the button solves at)."""
    return round(budget * (100 + step) / 100)


def _plan(request: PlanRequest, candidates: Sequence[Candidate], tiers: TierBounds) -> Plan:
    pool = [c for c in candidates if c.cost_yuan is not None and c.star_id not in request.exclude]
    left_out = {c.star_id for c in outliers.overpriced(pool, request.must, factor=request.outlier_factor)}
    pool = [c for c in pool if c.star_id not in left_out]
    chosen = solve(to_problem(request, pool))
    solved, status, binding = request, PlanStatus.OPTIMAL, None
    if chosen is None:
        solved, chosen, binding = _nearest_feasible(request, pool)
        status = PlanStatus.RELAXED
    chosen = _without_idle(chosen, pool, solved)
    notes: list[Text] = []
    if not chosen:
        status = PlanStatus.EMPTY if status is PlanStatus.OPTIMAL else status
        binding = binding or diagnose.nothing_affordable(request, pool)
        if pool and binding is None:
            notes.append(diagnose.nothing_to_gain(request))
    picks = _with_runner_ups(chosen, pool, solved)
    return Plan(
        request=request,
        solved=solved,
        tiers=tiers,
        status=status,
        binding=binding,
        picks=sorted(picks, key=lambda p: -p.candidate.value),
        candidates=list(candidates),
        notes=notes,
        overpriced=[c.star_id for c in candidates if c.star_id in left_out],
    )


def _without_idle(chosen: Sequence[int], pool: Sequence[Candidate], request: PlanRequest) -> list[int]:
    """`chosen` less the picks that add nothing to the goal (unknown plays), unless a must or a
    tier minimum needs them: the objective is the same, the spend is lower."""
    kept = list(chosen)
    for i in sorted(chosen, key=lambda j: -(pool[j].cost_yuan or 0.0)):
        c = pool[i]
        if c.value > 0 or c.star_id in request.must:
            continue
        low = request.mix[c.tier].low if c.tier in request.mix else 0
        if sum(1 for j in kept if pool[j].tier is c.tier) > low:
            kept.remove(i)
    return kept


def to_problem(request: PlanRequest, pool: Sequence[Candidate]) -> Problem:
    """The integer programme for `request` over priced, not excluded candidates."""
    must = set(request.must)
    groups: dict[str, list[int]] = {}
    if request.one_per_mcn:
        for i, c in enumerate(pool):
            if c.mcn:
                groups.setdefault(c.mcn, []).append(i)
    return Problem(
        values=[c.value for c in pool],
        costs=[c.cost_yuan or 0.0 for c in pool],
        tiers=[_TIER_INDEX[c.tier] for c in pool],
        budget=request.budget_yuan,
        tier_ranges={_TIER_INDEX[t]: (r.low, r.high) for t, r in request.mix.items()},
        cap=None if request.max_share is None else request.max_share * request.budget_yuan,
        must=frozenset(i for i, c in enumerate(pool) if c.star_id in must),
        groups=list(groups.values()),
    )


def relax(request: PlanRequest, kinds: Sequence[BindingKind]) -> PlanRequest:
    """`request` without the constraints named in `kinds`."""
    changes: dict[str, object] = {}
    if BindingKind.ONE_PER_MCN in kinds:
        changes["one_per_mcn"] = False
    if BindingKind.MAX_SHARE in kinds:
        changes["max_share"] = None
    if BindingKind.MIX in kinds:  # the minimums go; the maximums stay
        changes["mix"] = {
            t: TierRange(low=0, high=r.high) for t, r in request.mix.items() if r.high is not None
        }
    if BindingKind.MUST in kinds:
        changes["must"] = ()
    return request.model_copy(update=changes)


def _active(request: PlanRequest) -> list[BindingKind]:
    present = {
        BindingKind.ONE_PER_MCN: request.one_per_mcn,
        BindingKind.MAX_SHARE: request.max_share is not None,
        BindingKind.MIX: bool(request.mix),
        BindingKind.MUST: bool(request.must),
    }
    return [k for k in RELAX_ORDER if present[k]]


def _nearest_feasible(
    request: PlanRequest, pool: Sequence[Candidate]
) -> tuple[PlanRequest, list[int], Binding]:
    active = _active(request)
    for kind in active:
        relaxed = relax(request, [kind])
        chosen = solve(to_problem(relaxed, pool))
        if chosen is not None:
            return relaxed, chosen, diagnose.explain(request, pool, [kind])
    for n in range(2, len(active) + 1):
        if solve(to_problem(relax(request, active[:n]), pool)) is not None:
            kinds = _restore(request, pool, active[:n])
            relaxed = relax(request, kinds)
            chosen = solve(to_problem(relaxed, pool))
            assert chosen is not None
            return relaxed, chosen, diagnose.explain(request, pool, kinds)
    raise AssertionError("the plan with every constraint relaxed is the empty plan, always feasible")


def _restore(
    request: PlanRequest, pool: Sequence[Candidate], kinds: Sequence[BindingKind]
) -> list[BindingKind]:
    """`kinds` minus the earlier ones that can be put back and still leave a plan."""
    kept = list(kinds)
    for kind in kinds[:-1]:
        trial = [k for k in kept if k is not kind]
        if solve(to_problem(relax(request, trial), pool)) is not None:
            kept = trial
    return kept


def _with_runner_ups(chosen: Sequence[int], pool: Sequence[Candidate], request: PlanRequest) -> list[Pick]:
    """Each pick with its runner-up; the most valuable picks choose first, and a creator is the
    runner-up of one pick only (else every pick of a tier names the same one, which says nothing
    about the others' alternatives)."""
    named: set[int] = set()
    picks: dict[int, Pick] = {}
    for i in sorted(chosen, key=lambda j: -pool[j].value):
        runner = _runner_up(i, chosen, pool, request, taken=named)
        if runner is not None:
            named.add(runner)
        picks[i] = Pick(candidate=pool[i], runner_up=None if runner is None else pool[runner])
    return [picks[i] for i in chosen]


def _runner_up(
    i: int,
    chosen: Sequence[int],
    pool: Sequence[Candidate],
    request: PlanRequest,
    *,
    taken: set[int] | frozenset[int] = frozenset(),
) -> int | None:
    """The best creator of the same tier not in the plan (nor in `taken`) that could replace pick `i`
    and keep it feasible: its index in `pool`."""
    pick = pool[i]
    if pick.star_id in request.must:
        return None
    spent = sum(pool[j].cost_yuan or 0.0 for j in chosen)
    in_plan = set(chosen)
    others_mcn = {pool[j].mcn for j in chosen if j != i and pool[j].mcn}
    cap = None if request.max_share is None else request.max_share * request.budget_yuan
    best: int | None = None
    for j, c in enumerate(pool):
        cost = c.cost_yuan or 0.0
        if j in in_plan or j in taken or c.tier is not pick.tier or c.value <= 0:
            continue
        if spent - (pick.cost_yuan or 0.0) + cost > request.budget_yuan + 1e-6:
            continue
        if (cap is not None and cost > cap * (1 + 1e-9)) or (request.one_per_mcn and c.mcn in others_mcn):
            continue
        if best is None or (c.value, -cost) > (pool[best].value, -(pool[best].cost_yuan or 0.0)):
            best = j
    return best
