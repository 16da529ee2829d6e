"""Saying which constraint binds, in words a marketer can act on (en and zh).

`explain` is called with the constraints whose relaxation made the plan feasible (see
`optimise`); it looks for the simplest concrete reason, e.g. "mix needs ≥ 1 head creator; the
cheapest costs ¥380,000 > budget ¥200,000", and falls back to naming the constraint.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from bot.formatting import pct, yuan
from bot.models import Goal
from bot.planner.milp import CAP_TOLERANCE
from bot.planner.models import TIER_LABELS, Binding, BindingKind, Candidate, PlanRequest, Tier


def _money(value: float) -> tuple[str, str]:
    return yuan(value, "en"), yuan(value, "zh")


def _cost(c: Candidate) -> float:
    return c.cost_yuan or 0.0


def _cap(request: PlanRequest) -> float | None:
    return None if request.max_share is None else request.max_share * request.budget_yuan


def _under_cap(c: Candidate, cap: float | None) -> bool:
    return cap is None or _cost(c) <= cap * (1 + CAP_TOLERANCE)


def nothing_affordable(request: PlanRequest, pool: Sequence[Candidate]) -> Binding | None:
    """A budget below the cheapest priced creator (None: no priced creator, or one is affordable)."""
    if not pool:
        return None  # the card lists them under "ask for a quote"
    cheapest = min(pool, key=_cost)
    if _cost(cheapest) <= request.budget_yuan:
        return None
    (cost_en, cost_zh), (budget_en, budget_zh) = _money(_cost(cheapest)), _money(request.budget_yuan)
    return Binding(
        kind=BindingKind.BUDGET,
        en=f"The budget {budget_en} is below the cheapest creator ({cheapest.nickname}, {cost_en}).",
        zh=f"预算 {budget_zh} 低于最便宜的达人（{cheapest.nickname}，{cost_zh}）。",
    )


def nothing_to_gain(request: PlanRequest) -> tuple[str, str]:
    """The note for an empty plan although creators are affordable: none adds to the goal."""
    what_en, what_zh = _OBJECTIVES[request.goal]
    return (
        f"No affordable creator has known {what_en}, so none adds to the goal.",
        f"预算内的达人都缺少{what_zh}数据，无法提升目标。",
    )


def explain(request: PlanRequest, pool: Sequence[Candidate], kinds: Sequence[BindingKind]) -> Binding:
    """The reason the constraints in `kinds` (relaxed, in that order) could not all be met."""
    if len(kinds) == 1:
        reason = _REASONS[kinds[0]](request, pool)
        if reason is not None:
            return Binding(kind=kinds[0], en=reason[0], zh=reason[1], relaxed=tuple(kinds))
    names = [_NAMES[k] for k in kinds]
    return Binding(
        kind=kinds[-1],
        en=" and ".join(n[0] for n in names) + " cannot all be met within the budget.",
        zh="、".join(n[1] for n in names) + " 无法在预算内同时满足。",
        relaxed=tuple(kinds),
    )


_OBJECTIVES: dict[Goal, tuple[str, str]] = {
    Goal.AWARENESS: ("expected plays", "预期播放量"),
    Goal.SEEDING: ("expected engagements", "预期互动量"),
    Goal.CONVERSION: ("expected plays", "预期播放量"),
}

_NAMES: dict[BindingKind, tuple[str, str]] = {
    BindingKind.ONE_PER_MCN: ("one_per_mcn", "每个 MCN 一位"),
    BindingKind.MAX_SHARE: ("max_share", "单人预算上限"),
    BindingKind.MIX: ("the mix minimums", "达人组合的最低人数"),
    BindingKind.MUST: ("the must list", "必选达人"),
}


def _tier(tier: Tier) -> tuple[str, str]:
    return TIER_LABELS[tier][0].lower(), TIER_LABELS[tier][1]


def _creators(n: int, tier: str) -> str:
    return f"{n} {tier} creator" + ("" if n == 1 else "s")


def _mix_reason(request: PlanRequest, pool: Sequence[Candidate]) -> tuple[str, str] | None:
    cap = _cap(request)
    budget_en, budget_zh = _money(request.budget_yuan)
    floors = 0.0
    for tier, want in request.mix.items():
        en, zh = _tier(tier)
        priced = sorted((c for c in pool if c.tier is tier), key=_cost)
        capped = [c for c in priced if _under_cap(c, cap)]
        if len(priced) < want.low:
            return (
                f"mix needs ≥ {_creators(want.low, en)}; only {len(priced)} "
                + ("has a price." if len(priced) == 1 else "have a price."),
                f"组合需要至少 {want.low} 位{zh}达人，但只有 {len(priced)} 位有价格。",
            )
        cheapest = sum(_cost(c) for c in priced[: want.low])
        if want.low and cheapest > request.budget_yuan:
            what_en = "the cheapest costs" if want.low == 1 else f"the cheapest {want.low} cost"
            what_zh = "最便宜的一位也要" if want.low == 1 else f"最便宜的 {want.low} 位合计"
            cost_en, cost_zh = _money(cheapest)
            return (
                f"mix needs ≥ {_creators(want.low, en)}; {what_en} {cost_en} > budget {budget_en}.",
                f"组合需要至少 {want.low} 位{zh}达人；{what_zh} {cost_zh}，超过预算 {budget_zh}。",
            )
        if len(capped) < want.low:
            cap_en, cap_zh = _money(cap or 0.0)
            return (
                f"mix needs ≥ {_creators(want.low, en)}; only {len(capped)} "
                f"{'is' if len(capped) == 1 else 'are'} within the max_share cap of {cap_en}.",
                f"组合需要至少 {want.low} 位{zh}达人，但只有 {len(capped)} 位不超过单人上限 {cap_zh}。",
            )
        floors += sum(_cost(c) for c in capped[: want.low])
    if floors > request.budget_yuan:
        cost_en, cost_zh = _money(floors)
        return (
            f"the mix minimums together cost at least {cost_en} > budget {budget_en}.",
            f"组合的最低人数合计至少需要 {cost_zh}，超过预算 {budget_zh}。",
        )
    return None


def _must_reason(request: PlanRequest, pool: Sequence[Candidate]) -> tuple[str, str] | None:
    forced = [c for c in pool if c.star_id in request.must]
    for tier, want in request.mix.items():
        count = sum(1 for c in forced if c.tier is tier)
        if want.high is not None and count > want.high:
            en, zh = _tier(tier)
            return (
                f"must names {_creators(count, en)}, but the mix allows at most {want.high}.",
                f"必选达人中有 {count} 位{zh}达人，但组合最多允许 {want.high} 位。",
            )
    total = sum(_cost(c) for c in forced)
    if total <= request.budget_yuan:
        return None
    (total_en, total_zh), (budget_en, budget_zh) = _money(total), _money(request.budget_yuan)
    if len(forced) == 1:
        return (
            f"must creator {forced[0].nickname} costs {total_en} > budget {budget_en}.",
            f"必选达人 {forced[0].nickname} 需要 {total_zh}，超过预算 {budget_zh}。",
        )
    return (
        f"the {len(forced)} must creators cost {total_en} together > budget {budget_en}.",
        f"{len(forced)} 位必选达人合计 {total_zh}，超过预算 {budget_zh}。",
    )


def _share_reason(request: PlanRequest, pool: Sequence[Candidate]) -> tuple[str, str] | None:
    cap = _cap(request) or 0.0
    (cap_en, cap_zh), share = _money(cap), pct(request.max_share, 0)
    over = [c for c in pool if c.star_id in request.must and not _under_cap(c, cap)]
    if over:
        cost_en, cost_zh = _money(_cost(over[0]))
        return (
            f"max_share {share} caps each creator at {cap_en}; "
            f"must creator {over[0].nickname} costs {cost_en}.",
            f"单人上限 {share} 即每位不超过 {cap_zh}；必选达人 {over[0].nickname} 需要 {cost_zh}。",
        )
    return (
        f"max_share {share} caps each creator at {cap_en}, leaving too few creators for the mix.",
        f"单人上限 {share} 即每位不超过 {cap_zh}，符合组合要求的达人不足。",
    )


def _mcn_reason(request: PlanRequest, pool: Sequence[Candidate]) -> tuple[str, str] | None:
    by_mcn: dict[str, list[str]] = defaultdict(list)
    for c in pool:
        if c.star_id in request.must and c.mcn:
            by_mcn[c.mcn].append(c.nickname)
    for mcn, names in by_mcn.items():
        if len(names) > 1:
            both = ", ".join(names)
            return (
                f"one_per_mcn: must creators {both} are all with MCN {mcn}.",
                f"每个 MCN 一位：必选达人 {both} 同属 MCN {mcn}。",
            )
    return (
        "one_per_mcn leaves too few creators for the mix (several share an MCN).",
        "每个 MCN 只选一位后，符合组合要求的达人不足（多位达人同属一个 MCN）。",
    )


_REASONS = {
    BindingKind.ONE_PER_MCN: _mcn_reason,
    BindingKind.MAX_SHARE: _share_reason,
    BindingKind.MIX: _mix_reason,
    BindingKind.MUST: _must_reason,
}
