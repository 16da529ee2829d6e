"""How many pages a search has: what we learnt from its last answer, so we pay only for pages that exist.

Xingtu's pages say `has_more` and `total_count`. A search (keyword plus the filters sent
upstream) that was answered recently is *known*: its pages that exist are fetched at once. An
unknown search fetches its first page, then only the pages that page says exist.

The knowledge is one small JSON object per search, kept in the response cache's table
(`CacheBackend`, durable when SQL-backed) under its own key prefix, for `EXTENT_TTL_S`.
`total_count` drifts between calls and `has_more` is true on almost every real page, so a page
that said `has_more: false` (or came back empty) is the stronger signal and wins.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.models import PageFetch
from bot.sources.base import SearchRequest
from bot.sources.cache import CacheBackend, cache_key

log = logging.getLogger(__name__)

PAGE_SIZE = 20  # Xingtu's search pages always hold 20 creators
EXTENT_TTL_S = 24 * 3600
_KEY_ROUTE = "search_extent"


@dataclass(frozen=True)
class Extent:
    """What one or more pages said about the whole search."""

    total_count: int | None = None
    last_page: int | None = None  # the last page with creators, when a page said so

    def exists(self, page: int) -> bool:
        """Whether `page` can hold creators; unknown counts as yes."""
        if self.last_page is not None:
            return page <= self.last_page
        if self.total_count is not None:
            return (page - 1) * PAGE_SIZE < self.total_count
        return True

    @classmethod
    def from_pages(cls, pages: Iterable[PageFetch]) -> Extent | None:
        """The extent the fetched pages imply; None when no page was fetched."""
        fetched = sorted(pages, key=lambda p: p.page)
        if not fetched:
            return None
        ends = [p.page if p.creators else p.page - 1 for p in fetched if not p.has_more or not p.creators]
        totals = [p.total_count for p in fetched if p.total_count is not None]
        return cls(total_count=totals[-1] if totals else None, last_page=min(ends) if ends else None)

    def to_body(self) -> dict[str, int | None]:
        return {"total_count": self.total_count, "last_page": self.last_page}


def extent_key(request: SearchRequest) -> str:
    """One key per search: keyword and upstream filters, whatever the page."""
    params = {"keyword": request.keyword.strip()}
    if request.follower_range_wan is not None:
        low, high = request.follower_range_wan
        params["followerRange"] = f"{low if low is not None else ''}-{high if high is not None else ''}"
    if request.content_tag:
        params["contentTag"] = request.content_tag
    return cache_key(_KEY_ROUTE, params)


class SearchExtents:
    """Remembers each search's extent; storage failures only cost the shortcut, never the search."""

    def __init__(self, cache: CacheBackend, *, ttl_s: float = EXTENT_TTL_S) -> None:
        self._cache, self._ttl_s = cache, ttl_s

    def get(self, request: SearchRequest) -> Extent | None:
        try:
            hit = self._cache.get(extent_key(request))
        except Exception:
            log.warning("search extent lookup failed; fetching as a first-time search", exc_info=True)
            return None
        if hit is None:
            return None
        body = hit[0]
        return Extent(total_count=body.get("total_count"), last_page=body.get("last_page"))

    def record(self, request: SearchRequest, extent: Extent) -> None:
        try:
            self._cache.set(extent_key(request), extent.to_body(), datetime.now(UTC), self._ttl_s)
        except Exception:
            log.warning("could not remember a search's extent", exc_info=True)


def known_pages(extent: Extent, numbers: list[int]) -> list[int]:
    """The first requested page (always asked: it is the answer), then the others that exist."""
    return numbers[:1] + [n for n in numbers[1:] if extent.exists(n)]
