"""Why a creator the search fetched is not in its results: a re-check with the search's own filters.

Digests use it to say which filter a creator that used to match now fails. It applies
`bot.search.passes` to every active filter (the search stops at the first failure) and keeps the
grammar's name of each; the card words it as the user's filter: "followers ≥ 100,000".
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from bot.brands import is_brand_account
from bot.grammar import active_filters
from bot.models import Creator, Query
from bot.scoring import metric_value
from bot.search import passes

# The numeric filters, whose value a miss keeps ("followers ≥ 100,000, now 90K").
_NUMBERS = frozenset({"followers", "price", "cpm", "cpe", "er", "completion", "star", "growth", "ecom"})


class FilterMiss(BaseModel):
    """One filter a creator fails, or lacks the data for (`unknown`) when unknowns are excluded."""

    model_config = ConfigDict(frozen=True)

    name: str  # grammar name (`bot.grammar.active_filters`): followers, price, …, region, tag; or "brand"
    unknown: bool = False
    value: float | None = None  # the creator's value now, for a numeric filter (as `metric_value`)


def failed_filters(creator: Creator, query: Query) -> list[FilterMiss]:
    """Every filter `creator` fails, brand exclusion first; empty when it passes them all."""
    misses = []
    if not query.brands and is_brand_account(creator):
        misses.append(FilterMiss(name="brand"))
    for name, _ in active_filters(query):
        ok = passes(creator, name, query)
        if ok is False or (ok is None and not query.unknowns):
            value = metric_value(creator, name, query.duration) if name in _NUMBERS else None
            misses.append(FilterMiss(name=name, unknown=ok is None, value=value))
    return misses
