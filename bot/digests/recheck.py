"""Why a creator the search fetched is not in its results: a re-check with the search's own filters.

Digests use it to say which filter a creator that used to match now fails. It applies
`bot.search.passes` to every active filter (the search stops at the first failure) and keeps the
grammar's description of each, so the reason reads as the user's filter: "followers ≥ 100,000".
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from bot.brands import is_brand_account
from bot.grammar import active_filters
from bot.i18n import pick, tr
from bot.models import Creator, Lang, Query
from bot.search import passes


class FilterMiss(BaseModel):
    """One filter a creator fails, or lacks the data for (`unknown`) when unknowns are excluded."""

    model_config = ConfigDict(frozen=True)

    name: str  # grammar name: followers, price, …, region, tag; "brand" for a brand account
    en: str  # the filter as understood, e.g. "followers ≥ 100,000"
    zh: str
    unknown: bool = False

    def describe(self, lang: Lang) -> str:
        text = pick(lang, self.en, self.zh)
        return tr(lang, "%(text)s (no data)", text=text) if self.unknown else text


def failed_filters(creator: Creator, query: Query) -> list[FilterMiss]:
    """Every filter `creator` fails, brand exclusion first; empty when it passes them all."""
    misses = []
    if not query.brands and is_brand_account(creator):
        misses.append(FilterMiss(name="brand", en="brand account", zh="品牌号"))
    for name, text in active_filters(query):
        en, zh = (tr(lang, text) for lang in ("en", "zh"))  # stored in snapshots in both languages
        ok = passes(creator, name, query)
        if ok is False or (ok is None and not query.unknowns):
            misses.append(FilterMiss(name=name, en=en, zh=zh, unknown=ok is None))
    return misses
