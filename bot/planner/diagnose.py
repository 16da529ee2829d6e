"""Saying which constraint binds, in words a marketer can act on (as `Text`).

`explain` is called with the constraints whose relaxation made the plan feasible (see
`optimise`); it looks for the simplest concrete reason, e.g. "mix needs ≥ 1 head creator; the
cheapest costs ¥380,000 > budget ¥200,000", and falls back to naming the constraint.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from bot.formatting import duration_text, pct
from bot.i18n import N_, Plural, Text
from bot.models import Goal
from bot.planner.milp import CAP_TOLERANCE
from bot.planner.models import TIER_WORDS, Binding, BindingKind, Candidate, Plan, PlanRequest, Tier
from bot.planner.wording import Money, clauses, joined


def _cost(c: Candidate) -> float:
    return c.cost_yuan or 0.0


def _cap(request: PlanRequest) -> float | None:
    return None if request.max_share is None else request.max_share * request.budget_yuan


def _under_cap(c: Candidate, cap: float | None) -> bool:
    return cap is None or _cost(c) <= cap * (1 + CAP_TOLERANCE)


# The reason plans saved before the video length was named still carry: kept so they read back worded.
SAVED_BUDGET_REASON = N_("The budget %(budget)s is below the cheapest creator (%(name)s, %(cost)s).")


def nothing_affordable(request: PlanRequest, pool: Sequence[Candidate]) -> Binding | None:
    """A budget below the cheapest priced creator (None: no priced creator, or one is affordable)."""
    if not pool:
        return None  # the card lists them under "ask for a quote"
    cheapest = min(pool, key=_cost)
    if _cost(cheapest) <= request.budget_yuan:
        return None
    return Binding(
        kind=BindingKind.BUDGET,
        what=Text(
            "The budget %(budget)s buys no creator: "
            "the cheapest %(duration)s video costs %(cost)s (%(name)s).",
            budget=Money(request.budget_yuan),
            duration=duration_text(request.duration),
            name=cheapest.nickname,
            cost=Money(_cost(cheapest)),
        ),
    )


def nothing_to_gain(request: PlanRequest) -> Text:
    """The note for an empty plan although creators are affordable: none adds to the goal."""
    return Text(
        "No affordable creator has known %(what)s, so none adds to the goal.", what=_OBJECTIVES[request.goal]
    )


UNSPENT_SHARE = 0.1  # a plan that leaves this share of its budget or more says why


def unspent(plan: Plan) -> Text | None:
    """Why a plan leaves a tenth or more of its budget: what keeps each other creator out. (At the
    optimum no creator who adds to the goal is affordable, under the cap, in a tier with room and
    clear of the picks' MCNs, or the solver would have taken them.)"""
    request, left = plan.solved, plan.left_yuan
    if not plan.chosen or left < UNSPENT_SHARE * request.budget_yuan:
        return None
    counts = Counter(c.tier for c in plan.chosen)
    full = [t for t, want in request.mix.items() if want.high is not None and counts[t] >= want.high]
    out = {c.star_id for c in plan.chosen} | set(request.exclude) | set(plan.overpriced)
    rest = [
        c
        for c in plan.candidates
        if c.star_id not in out and c.cost_yuan is not None and c.value > 0 and c.tier not in full
    ]
    cap, mcns = _cap(request), {c.mcn for c in plan.chosen if c.mcn and request.one_per_mcn}
    dear = capped = shared = 0  # each creator counted under the first of these that keeps it out
    for c in rest:
        if _cost(c) > left:
            dear += 1
        elif not _under_cap(c, cap):
            capped += 1
        elif c.mcn in mcns:
            shared += 1
    reasons: list[Text] = []
    if full:
        tiers = joined([TIER_WORDS[t] for t in full])
        reasons.append(Text("the mix takes no more %(tiers)s creators", tiers=tiers))
    if dear:
        reasons.append(Plural("%(n)s more costs more than that", "%(n)s more cost more than that", dear))
    if capped:
        reasons.append(
            Plural(
                "%(n)s more is above the max_share cap of %(cap)s",
                "%(n)s more are above the max_share cap of %(cap)s",
                capped,
                cap=Money(cap or 0.0),
            )
        )
    if shared:
        reasons.append(
            Plural("%(n)s more shares an MCN with a pick", "%(n)s more share an MCN with a pick", shared)
        )
    if not rest:
        reasons.append(Text("no other priced creator adds %(what)s", what=_OBJECTIVES[request.goal]))
    if not reasons:  # an optimum leaves no such creator; say nothing rather than something wrong
        return None
    return Text("%(left)s is left: %(reasons)s.", left=Money(left), reasons=clauses(reasons))


def explain(request: PlanRequest, pool: Sequence[Candidate], kinds: Sequence[BindingKind]) -> Binding:
    """The reason the constraints in `kinds` (relaxed, in that order) could not all be met."""
    if len(kinds) == 1:
        reason = _REASONS[kinds[0]](request, pool)
        if reason is not None:
            return Binding(kind=kinds[0], what=reason, relaxed=tuple(kinds))
    return Binding(
        kind=kinds[-1],
        what=Text("%(names)s cannot all be met within the budget.", names=joined([_NAMES[k] for k in kinds])),
        relaxed=tuple(kinds),
    )


_OBJECTIVES: dict[Goal, Text] = {
    Goal.AWARENESS: Text("expected plays"),
    Goal.SEEDING: Text("expected engagements"),
    Goal.CONVERSION: Text("expected plays"),
}

_NAMES: dict[BindingKind, Text] = {
    BindingKind.ONE_PER_MCN: Text("one_per_mcn"),
    BindingKind.MAX_SHARE: Text("max_share"),
    BindingKind.MIX: Text("the mix minimums"),
    BindingKind.MUST: Text("the must list"),
}


def _creators(n: int, tier: Tier) -> Text:
    return Plural("%(n)s %(tier)s creator", "%(n)s %(tier)s creators", n, tier=TIER_WORDS[tier])


def _mix_reason(request: PlanRequest, pool: Sequence[Candidate]) -> Text | None:
    cap = _cap(request)
    budget = Money(request.budget_yuan)
    floors = 0.0
    for tier, want in request.mix.items():
        needs = _creators(want.low, tier)
        priced = sorted((c for c in pool if c.tier is tier), key=_cost)
        capped = [c for c in priced if _under_cap(c, cap)]
        if len(priced) < want.low:
            return Plural(
                "mix needs ≥ %(creators)s; only %(n)s has a price.",
                "mix needs ≥ %(creators)s; only %(n)s have a price.",
                len(priced),
                creators=needs,
            )
        cheapest = sum(_cost(c) for c in priced[: want.low])
        if want.low and cheapest > request.budget_yuan:
            what = (
                Text("the cheapest costs") if want.low == 1 else Text("the cheapest %(n)s cost", n=want.low)
            )
            return Text(
                "mix needs ≥ %(creators)s; %(what)s %(cost)s > budget %(budget)s.",
                creators=needs,
                what=what,
                cost=Money(cheapest),
                budget=budget,
            )
        if len(capped) < want.low:
            return Plural(
                "mix needs ≥ %(creators)s; only %(n)s is within the max_share cap of %(cap)s.",
                "mix needs ≥ %(creators)s; only %(n)s are within the max_share cap of %(cap)s.",
                len(capped),
                creators=needs,
                cap=Money(cap or 0.0),
            )
        floors += sum(_cost(c) for c in capped[: want.low])
    if floors > request.budget_yuan:
        return Text(
            "the mix minimums together cost at least %(cost)s > budget %(budget)s.",
            cost=Money(floors),
            budget=budget,
        )
    return None


def _must_reason(request: PlanRequest, pool: Sequence[Candidate]) -> Text | None:
    forced = [c for c in pool if c.star_id in request.must]
    for tier, want in request.mix.items():
        count = sum(1 for c in forced if c.tier is tier)
        if want.high is not None and count > want.high:
            return Text(
                "must names %(creators)s, but the mix allows at most %(high)s.",
                creators=_creators(count, tier),
                high=want.high,
            )
    total = sum(_cost(c) for c in forced)
    if total <= request.budget_yuan:
        return None
    cost, budget = Money(total), Money(request.budget_yuan)
    if len(forced) == 1:
        return Text(
            "must creator %(name)s costs %(cost)s > budget %(budget)s.",
            name=forced[0].nickname,
            cost=cost,
            budget=budget,
        )
    return Text(
        "the %(n)s must creators cost %(cost)s together > budget %(budget)s.",
        n=len(forced),
        cost=cost,
        budget=budget,
    )


def _share_reason(request: PlanRequest, pool: Sequence[Candidate]) -> Text | None:
    cap = _cap(request) or 0.0
    share = pct(request.max_share, 0)
    over = [c for c in pool if c.star_id in request.must and not _under_cap(c, cap)]
    if over:
        return Text(
            "max_share %(share)s caps each creator at %(cap)s; must creator %(name)s costs %(cost)s.",
            share=share,
            cap=Money(cap),
            name=over[0].nickname,
            cost=Money(_cost(over[0])),
        )
    return Text(
        "max_share %(share)s caps each creator at %(cap)s, leaving too few creators for the mix.",
        share=share,
        cap=Money(cap),
    )


def _mcn_reason(request: PlanRequest, pool: Sequence[Candidate]) -> Text | None:
    by_mcn: dict[str, list[str]] = defaultdict(list)
    for c in pool:
        if c.star_id in request.must and c.mcn:
            by_mcn[c.mcn].append(c.nickname)
    for mcn, names in by_mcn.items():
        if len(names) > 1:
            return Text(
                "one_per_mcn: must creators %(names)s are all with MCN %(mcn)s.",
                names=", ".join(names),
                mcn=mcn,
            )
    return Text("one_per_mcn leaves too few creators for the mix (several share an MCN).")


_REASONS = {
    BindingKind.ONE_PER_MCN: _mcn_reason,
    BindingKind.MAX_SHARE: _share_reason,
    BindingKind.MIX: _mix_reason,
    BindingKind.MUST: _must_reason,
}
