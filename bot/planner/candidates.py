"""Candidates from a shortlist or a search: what each creator costs and what the goal gains from it.

Cost: the quote recorded in the shortlist thread net of its 返点 (only when the plan is for the
shortlist's video length, which is what was quoted), else the list price for the plan's video
length; neither means no cost (the card says "ask for a quote").
Plays: Xingtu's expected plays; where missing, the list price ÷ Xingtu's CPM for that length × 1000,
marked estimated. Engagements: list price ÷ Xingtu's CPE (so CPE matches the other cards), else
plays × engagement rate, else plays × the candidates' median engagement rate, marked estimated
(`engagements_estimated`): the figure the seeding goal maximises is the one the card shows.
Value by goal:
- awareness: expected plays;
- seeding: expected engagements × completion rate;
- conversion: expected plays × 转化指数 (convert index) ÷ 100.
A factor missing for a creator (interaction or completion rate, convert index) takes the median
of the candidates that have it, and the value is marked estimated.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.i18n import Text
from bot.models import Creator, Duration, Goal, SearchResult
from bot.planner.models import Candidate, PriceBasis, TierBounds
from bot.shortlists.models import ItemStatus, ShortlistSummary


@dataclass(frozen=True)
class Source:
    """One creator as a data source gives it, with any quote recorded for it."""

    creator: Creator
    live: bool
    data_time: datetime | None
    quote_yuan: float | None = None
    rebate_pct: float | None = None


def from_shortlist(summary: ShortlistSummary, duration: Duration) -> list[Source]:
    """Every creator on the shortlist except rejected ones; quotes only when `duration` is the list's."""
    quoted = duration is summary.shortlist.duration
    return [
        Source(
            i.creator,
            i.live,
            i.data_time,
            i.quoted_price_yuan if quoted else None,
            i.rebate_pct if quoted else None,
        )
        for i in summary.items
        if i.status is not ItemStatus.REJECTED
    ]


def from_search(result: SearchResult) -> list[Source]:
    """Every creator the search matched (not only the card's top), fetched on the pages searched."""
    return [Source(s.creator, result.stats.live, result.stats.data_time) for s in result.creators]


def build(
    sources: Iterable[Source],
    goal: Goal,
    duration: Duration,
    tiers: TierBounds,
    mcn: dict[str, str | None] | None = None,
) -> list[Candidate]:
    """Candidates, one per star_id (the first seen wins)."""
    first: dict[str, Source] = {}
    for source in sources:
        first.setdefault(source.creator.star_id, source)
    unique = list(first.values())
    creators = [s.creator for s in unique]
    medians = {
        "interact": _median(c.interact_rate for c in creators),
        "completion": _median(c.completion_rate for c in creators),
        "convert": _median(c.convert_index for c in creators),
    }
    return [_candidate(s, goal, duration, tiers, medians, (mcn or {}).get(s.creator.star_id)) for s in unique]


def _median(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def _candidate(
    source: Source,
    goal: Goal,
    duration: Duration,
    tiers: TierBounds,
    medians: dict[str, float | None],
    mcn: str | None,
) -> Candidate:
    creator = source.creator
    list_price = creator.price(duration)
    net_quote = (
        None if source.quote_yuan is None else source.quote_yuan * (1 - (source.rebate_pct or 0) / 100)
    )
    cost = net_quote if net_quote is not None else list_price
    basis = PriceBasis.QUOTE if net_quote is not None else PriceBasis.LIST if list_price else None
    plays, plays_estimated = _plays(creator, duration, list_price)
    engagements = _engagements(creator, duration, plays, list_price)
    engagements_estimated = False
    if engagements is None and plays and medians["interact"] is not None:
        engagements, engagements_estimated = plays * medians["interact"], True
    value, value_estimated = VALUES[goal](creator, plays, engagements, medians)
    return Candidate(
        star_id=creator.star_id,
        nickname=creator.nickname,
        followers=creator.followers,
        tier=tiers.tier_of(creator.followers),
        cost_yuan=None if cost is None else round(cost, 2),
        basis=basis,
        list_price_yuan=list_price,
        quote_yuan=source.quote_yuan,
        rebate_pct=source.rebate_pct,
        expected_plays=plays,
        plays_estimated=plays_estimated,
        engagements=engagements,
        engagements_estimated=engagements_estimated,
        value=value,
        value_estimated=value_estimated
        or plays_estimated
        or (engagements_estimated and goal is Goal.SEEDING),
        mcn=mcn,
        live=source.live,
        data_time=source.data_time,
        xingtu_url=creator.xingtu_url,
    )


def _plays(creator: Creator, duration: Duration, list_price: float | None) -> tuple[float | None, bool]:
    if creator.expected_plays:
        return float(creator.expected_plays), False
    cpm = creator.upstream_cpm.get(duration)
    if list_price and cpm:
        return list_price / cpm * 1000, True
    return None, False


def _engagements(
    creator: Creator, duration: Duration, plays: float | None, list_price: float | None
) -> float | None:
    """Xingtu's own CPE first, so a plan at list price shows the CPE every other card shows."""
    cpe = creator.upstream_cpe.get(duration)
    if list_price and cpe:
        return list_price / cpe
    return plays * creator.interact_rate if plays and creator.interact_rate is not None else None


Medians = dict[str, float | None]
Value = Callable[[Creator, float | None, float | None, Medians], tuple[float, bool]]


def _or_median(known: float | None, median: float | None) -> tuple[float | None, bool]:
    return (known, False) if known is not None else (median, median is not None)


def _awareness(_creator: Creator, plays: float | None, _eng: float | None, _m: Medians) -> tuple[float, bool]:
    return plays or 0.0, False


def _seeding(creator: Creator, _plays: float | None, eng: float | None, m: Medians) -> tuple[float, bool]:
    """Engagements (estimated ones included: `build` marks them) × completion rate."""
    completion, completion_guessed = _or_median(creator.completion_rate, m["completion"])
    if not eng or completion is None:
        return 0.0, False
    return eng * completion, completion_guessed


def _conversion(creator: Creator, plays: float | None, _eng: float | None, m: Medians) -> tuple[float, bool]:
    index, guessed = _or_median(creator.convert_index, m["convert"])
    if not plays or index is None:
        return 0.0, False
    return plays * index / 100, guessed


VALUES: dict[Goal, Value] = {Goal.AWARENESS: _awareness, Goal.SEEDING: _seeding, Goal.CONVERSION: _conversion}

OBJECTIVE_LABELS: dict[Goal, Text] = {
    Goal.AWARENESS: Text("expected plays"),
    Goal.SEEDING: Text("expected engagements × completion rate"),
    Goal.CONVERSION: Text("expected plays × convert index ÷ 100"),
}
