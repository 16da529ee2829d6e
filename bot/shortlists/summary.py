"""Shortlist totals, recomputed from the items every time (never kept as running counters)."""

from __future__ import annotations

from collections import Counter

from bot.shortlists.models import ItemStatus, Shortlist, ShortlistItem, ShortlistSummary


def _blended(cost: float, amount: float, per: float) -> float | None:
    return cost * per / amount if amount > 0 else None


def summarize(shortlist: Shortlist, items: list[ShortlistItem]) -> ShortlistSummary:
    active = [i for i in items if i.status != ItemStatus.REJECTED]
    priced = [i for i in active if i.list_price_yuan is not None]
    quoted = [i for i in active if i.net_quote_yuan is not None]
    planned = sum(i.planned_yuan or 0.0 for i in active)
    with_plays = [i for i in priced if i.expected_plays]
    with_engagements = [i for i in priced if i.expected_engagements]
    statuses = Counter(i.status for i in items)
    return ShortlistSummary(
        shortlist=shortlist,
        items=items,
        creator_count=len(items),
        status_counts={s: statuses.get(s, 0) for s in ItemStatus},
        votes_up=sum(i.votes_up for i in items),
        votes_down=sum(i.votes_down for i in items),
        unknown_price_count=len(active) - len(priced),
        total_list_yuan=sum(i.list_price_yuan or 0.0 for i in priced),
        quoted_count=len(quoted),
        total_quoted_yuan=sum(i.net_quote_yuan or 0.0 for i in quoted),
        planned_yuan=planned,
        remaining_budget_yuan=None if shortlist.budget_yuan is None else shortlist.budget_yuan - planned,
        total_expected_plays=sum(i.expected_plays or 0 for i in active),
        total_expected_engagements=sum(i.expected_engagements or 0.0 for i in active),
        blended_cpm_yuan=_blended(
            sum(i.list_price_yuan or 0.0 for i in with_plays),
            sum(i.expected_plays or 0 for i in with_plays),
            1000,
        ),
        blended_cpe_yuan=_blended(
            sum(i.list_price_yuan or 0.0 for i in with_engagements),
            sum(i.expected_engagements or 0.0 for i in with_engagements),
            1,
        ),
    )
