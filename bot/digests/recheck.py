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
from bot.search import passes


class FilterMiss(BaseModel):
    """One filter a creator fails, or lacks the data for (`unknown`) when unknowns are excluded."""

    model_config = ConfigDict(frozen=True)

    name: str  # grammar name (`bot.grammar.active_filters`): followers, price, …, region, tag; or "brand"
    unknown: bool = False


def failed_filters(creator: Creator, query: Query) -> list[FilterMiss]:
    """Every filter `creator` fails, brand exclusion first; empty when it passes them all."""
    misses = []
    if not query.brands and is_brand_account(creator):
        misses.append(FilterMiss(name="brand"))
    for name, _ in active_filters(query):
        ok = passes(creator, name, query)
        if ok is False or (ok is None and not query.unknowns):
            misses.append(FilterMiss(name=name, unknown=ok is None))
    return misses
