"""Explainable, goal-weighted creator scores from percentiles within the fetched cohort.

Each component is a metric's mid-rank percentile (0-100, higher = better, direction applied)
among the cohort creators that have it; with one such creator it is 50. Missing data stays
unknown: the component gets no percentile and its weight is renormalised away. So that few
numbers cannot beat many, the weighted mean is shrunk toward 50 by the share of weight that
had data:

    raw      = Σ wᵢ·pᵢ / Σ wᵢ          (known components only)
    coverage = Σ wᵢ(known) / Σ wᵢ(all)
    score    = 50 + (raw − 50) · coverage

which is the same as counting every unknown metric as the cohort median (50). A gentler
shrink (√coverage) let creators with two or three perfect numbers and no price or conversion
data top conversion searches, which is not what a marketer can act on.

A zero or negative price, CPM or CPE is unknown, never "cheapest". There are no fixed
thresholds: every judgement is relative to the creators fetched by the same search.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from bot.formatting import CohortShare
from bot.i18n import N_, Text
from bot.models import Creator, Duration, Goal, ScoreComponent, ScoredCreator

GOAL_WEIGHTS: dict[Goal, dict[str, float]] = {
    Goal.AWARENESS: {
        "cpm": 0.30,
        "spread": 0.20,
        "completion": 0.15,
        "growth": 0.15,
        "star": 0.10,
        "er": 0.05,
        "cpe": 0.05,
    },
    Goal.SEEDING: {
        "cpe": 0.25,
        "shopping": 0.20,
        "er": 0.20,
        "star": 0.15,
        "cpm": 0.05,
        "completion": 0.05,
        "growth": 0.05,
        "spread": 0.05,
    },
    Goal.CONVERSION: {
        "convert": 0.30,
        "ecom": 0.25,
        "cpe": 0.20,
        "shopping": 0.10,
        "er": 0.05,
        "star": 0.05,
        "growth": 0.05,
    },
}

LOWER_IS_BETTER = frozenset({"cpm", "cpe"})
STRENGTH_MIN_PERCENTILE = 60.0
WEAKNESS_BELOW_PERCENTILE = 50.0  # below the cohort median; at or above it nothing is a weakness
LOW_CONFIDENCE_COVERAGE = 0.5  # a score resting on less than half of the weight
MAX_STRENGTHS = 3

# Upstream `ecom_gmv_30d_range` buckets, lowest first.
_GMV_BUCKETS = ("<=1k", "1k-3w", "3w-20w", "20w-100w", ">100w")

COMPONENT_LABELS: dict[str, str] = {
    "cpm": N_("CPM"),
    "cpe": N_("CPE"),
    "er": N_("Engagement rate"),
    "completion": N_("Completion rate"),
    "star": N_("Xingtu index"),
    "spread": N_("Spread index"),
    "shopping": N_("Seeding index"),
    "convert": N_("Conversion index"),
    "growth": N_("15-day follower growth"),
    "ecom": N_("E-commerce level"),
}


def _positive(value: float | None) -> float | None:
    return value if value is not None and value > 0 else None


def metric_value(creator: Creator, key: str, duration: Duration) -> float | None:
    """A creator's metric by grammar/component key; None when unknown.

    Rates are fractions; money is yuan for `duration`; `ecom` is the level number.
    """
    match key:
        case "followers":
            return creator.followers
        case "price":
            return _positive(creator.price(duration))
        case "cpm":
            return _positive(creator.cpm(duration))
        case "cpe":
            return _positive(creator.cpe(duration))
        case "er":
            return creator.interact_rate
        case "completion":
            return creator.completion_rate
        case "star":
            return creator.link_star_index
        case "spread":
            return creator.spread_index
        case "shopping":
            return creator.shopping_index
        case "convert":
            return creator.convert_index
        case "growth":
            return creator.growth_rate_15d
        case "ecom":
            return creator.ecom.level_num
    raise KeyError(key)


def _rank_value(creator: Creator, key: str, value: float | None) -> tuple[float, ...] | None:
    """What the percentile compares: the metric, plus the GMV bucket to split equal ecom levels."""
    if value is None:
        return None
    if key != "ecom":
        return (value,)
    gmv = creator.ecom.gmv_30d_range
    return (value, _GMV_BUCKETS.index(gmv) if gmv in _GMV_BUCKETS else -1)


def percentiles(values: Sequence[tuple[float, ...] | None], *, higher_is_better: bool) -> list[float | None]:
    """Mid-rank percentile of each known value among the known values (ties share a rank)."""
    known = sorted(v for v in values if v is not None)
    n = len(known)
    out: list[float | None] = []
    for value in values:
        if value is None:
            out.append(None)
            continue
        if n == 1:
            out.append(50.0)
            continue
        below, upto = bisect_left(known, value), bisect_right(known, value)
        worse = below if higher_is_better else n - upto
        out.append((worse + 0.5 * (upto - below - 1)) / (n - 1) * 100)
    return out


def _score(components: list[ScoreComponent]) -> tuple[float | None, float]:
    known = [(c.weight, c.percentile) for c in components if c.percentile is not None]
    known_weight = sum(w for w, _ in known)
    if not known_weight:
        return None, 0.0
    raw = sum(w * p for w, p in known) / known_weight
    coverage = known_weight / sum(c.weight for c in components)
    return 50 + (raw - 50) * coverage, coverage


def _scored(creator: Creator, components: list[ScoreComponent]) -> ScoredCreator:
    score, coverage = _score(components)
    known = sorted(
        (c for c in components if c.percentile is not None),
        key=lambda c: (-(c.percentile or 0.0), -c.weight),
    )
    strengths = [c.key for c in known if (c.percentile or 0.0) >= STRENGTH_MIN_PERCENTILE][:MAX_STRENGTHS]
    weak = [c for c in known if (c.percentile or 0.0) < WEAKNESS_BELOW_PERCENTILE]
    return ScoredCreator(
        creator=creator,
        score=score,
        components=components,
        strengths=strengths,
        weakest=weak[-1].key if weak else None,
        unknown=[c.key for c in components if c.percentile is None],
        coverage=coverage,
    )


def low_confidence(scored: ScoredCreator) -> bool:
    """True when the score rests on less than half of the goal's weight (the card says so)."""
    return scored.score is not None and round(scored.coverage, 9) < LOW_CONFIDENCE_COVERAGE


def score_cohort(creators: Sequence[Creator], goal: Goal, duration: Duration) -> list[ScoredCreator]:
    """Score every creator against the others in `creators`; best first, `rank` from 1."""
    weights = GOAL_WEIGHTS[goal]
    values = {key: [metric_value(c, key, duration) for c in creators] for key in weights}
    columns = {
        key: percentiles(
            [_rank_value(c, key, v) for c, v in zip(creators, values[key], strict=True)],
            higher_is_better=key not in LOWER_IS_BETTER,
        )
        for key in weights
    }
    scored = [
        _scored(
            creator,
            [ScoreComponent(key, values[key][i], columns[key][i], weight) for key, weight in weights.items()],
        )
        for i, creator in enumerate(creators)
    ]
    scored.sort(key=lambda s: (s.score is None, -(s.score or 0.0)))
    for rank, item in enumerate(scored, start=1):
        item.rank = rank
    return scored


def _money(value: float) -> str:
    return f"¥{value:,.0f}" if value >= 100 else f"¥{value:,.2f}"


def component_label(key: str) -> Text:
    """A score component's name: CPE, Engagement rate…; an unknown key as it is."""
    return Text(COMPONENT_LABELS.get(key, key))


def format_component_value(key: str, value: float) -> Text | str:
    """The raw metric with its unit, e.g. "¥1.91/engagement" or "3.2%"."""
    match key:
        case "cpm":
            return Text("%(price)s / 1k plays", price=_money(value))
        case "cpe":
            return Text("%(price)s/engagement", price=_money(value))
        case "er" | "completion":
            return f"{value * 100:.1f}%"
        case "growth":
            return f"{value * 100:+.1f}%"
        case "ecom":
            return f"L{value:.0f}"
    return f"{value:.1f}"


def reason(component: ScoreComponent) -> Text:
    """One line explaining a component, e.g. "CPE in the best 12% of this search (¥1.91/engagement)"."""
    label = component_label(component.key)
    p = component.percentile
    if p is None or component.value is None:
        return Text("%(label)s: no data", label=label)
    value = format_component_value(component.key, component.value)
    if p >= 100:
        return Text("%(label)s is the best in this search (%(value)s)", label=label, value=value)
    if p <= 0:
        return Text("%(label)s is the worst in this search (%(value)s)", label=label, value=value)
    if p < WEAKNESS_BELOW_PERCENTILE:
        return Text(
            "%(label)s better than only %(pct)s%% of this search (%(value)s)",
            label=label,
            pct=f"{p:.0f}",
            value=value,
        )
    return Text(
        "%(label)s in the best %(share)s%% of this search (%(value)s)",
        label=label,
        share=CohortShare(p),
        value=value,
    )
