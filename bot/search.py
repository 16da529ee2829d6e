"""The search core: fetch pages, de-duplicate, drop brand accounts, filter, score and sort.

Scores are percentiles against the whole *fetched cohort* (every unique, non-brand creator the
pages returned), not only the creators that pass the filters: "CPE in the best 12 % of this
search" then means the same thing whatever filters were added, and a narrow filter does not
turn a mediocre creator into the "best" of three. Filters are counted as a funnel: each
dropped creator is counted once, at the first filter it fails or lacks data for, so
`creators_seen - excluded_brands - Σ dropped = matched`.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from bot import vocabulary as vocab
from bot.brands import is_brand_account
from bot.db.batch import batched_writes
from bot.errors import KolbotError, UpstreamError
from bot.grammar import active_filters
from bot.i18n import Text
from bot.models import (
    Creator,
    FilterStat,
    Gender,
    NumRange,
    PageFetch,
    Query,
    ScoredCreator,
    SearchResult,
    SearchStats,
    SortKey,
)
from bot.observability.trace import TracingExecutor
from bot.scoring import metric_value, score_cohort
from bot.sources.base import CreatorSource, SearchRequest
from bot.sources.cache import reusing_expired_pages
from bot.sources.extents import Extent, SearchExtents, known_pages
from bot.xingtu_tags import tag_id

log = logging.getLogger(__name__)

OnSeen = Callable[..., None]  # on_seen(creators, *, live: bool, fetched_at: datetime, from_cache: bool)
_DESCENDING = frozenset({SortKey.SCORE, SortKey.FOLLOWERS, SortKey.ER, SortKey.GROWTH})
# Orders about cost: a creator without a quote for the chosen duration cannot be booked at a known
# cost, so every priced creator comes first (the score alone can still favour an unpriced one).
COST_SORTS = frozenset({SortKey.SCORE, SortKey.CPM, SortKey.CPE, SortKey.PRICE})
_REGION_SUFFIXES = vocab.REGION_SUFFIXES
_V2_REJECTED = frozenset({400, 404, 422})  # v2 refused the request itself; v1 may still answer


def follower_range_wan(followers: NumRange | None) -> tuple[int | None, int | None] | None:
    """The v2 `followerRange` in 万, widened (floor/ceil) so it never drops a creator we keep."""
    if followers is None:
        return None
    low = math.floor(followers.low / 1e4) if followers.low else None
    high = math.ceil(followers.high / 1e4) if followers.high is not None else None
    return None if low is None and high is None else (low or None, high)


def search_request(query: Query, page: int, *, v2: bool = True) -> SearchRequest:
    """One page's request; carries v2 filters when the query maps onto them (and `v2` allows)."""
    if not v2:
        return SearchRequest(keyword=query.keyword, page=page)
    content_tag = tag_id(query.tags[0]) if len(query.tags) == 1 else None
    return SearchRequest(
        keyword=query.keyword,
        page=page,
        follower_range_wan=follower_range_wan(query.followers),
        content_tag=content_tag,
    )


def upstream_filters(request: SearchRequest) -> list[str]:
    """Grammar names of the filters a request asks Xingtu to apply (v2)."""
    return [
        name
        for name, sent in (("followers", request.follower_range_wan), ("tag", request.content_tag))
        if sent is not None
    ]


@dataclass
class _Fetch:
    """The pages one search fetched, the pages that failed, and failures it paid for but discarded."""

    pages: list[PageFetch] = field(default_factory=list)
    failures: list[tuple[int, UpstreamError]] = field(default_factory=list)
    discarded: list[PageFetch | UpstreamError] = field(default_factory=list)  # both carry their cost
    request: SearchRequest | None = None  # the first page's request (route and upstream filters)

    def extend(self, other: _Fetch) -> None:
        self.pages += other.pages
        self.failures += other.failures

    def v2_rejection(self) -> UpstreamError | None:
        """The 4xx with which v2 refused this search, if it did."""
        if self.request is None or not self.request.uses_v2:
            return None
        return next((e for _, e in self.failures if e.status in _V2_REJECTED), None)


def _completeness(creator: Creator) -> int:
    return sum(getattr(creator, name) not in (None, "", [], {}) for name in Creator.model_fields)


def dedupe(creators: list[Creator]) -> tuple[list[Creator], int]:
    """Unique creators by star_id in first-seen order, keeping the most complete copy."""
    kept: dict[str, Creator] = {}
    duplicates = 0
    for creator in creators:
        first = kept.get(creator.star_id)
        if first is None:
            kept[creator.star_id] = creator
            continue
        duplicates += 1
        if _completeness(creator) > _completeness(first):
            kept[creator.star_id] = creator
    return list(kept.values()), duplicates


def _region_match(creator: Creator, regions: list[str]) -> bool | None:
    places = [p for p in (creator.province, creator.city) if p]
    if not places:
        return None
    wanted = [r.removesuffix(s) for r in regions for s in _REGION_SUFFIXES if r.endswith(s)] + regions
    return any(w in place for w in wanted for place in places)


def _tag_match(creator: Creator, tags: list[str]) -> bool | None:
    labels = [*creator.tags, *(t for level2 in creator.tags.values() for t in level2), *creator.theme_labels]
    if not labels:
        return None
    return any(t.casefold() in label.casefold() for t in tags for label in labels)


def passes(creator: Creator, name: str, query: Query) -> bool | None:
    """Whether `creator` passes filter `name`: True, False, or None when its data is unknown."""
    match name:
        case "gender":
            return None if creator.gender is Gender.UNKNOWN else creator.gender is query.gender
        case "region":
            return _region_match(creator, query.regions)
        case "tag":
            return _tag_match(creator, query.tags)
    value = metric_value(creator, name, query.duration)
    bounds: NumRange = getattr(query, name)
    return None if value is None else bounds.contains(value)


def _apply_filters(creators: list[Creator], query: Query, stats: list[FilterStat]) -> list[Creator]:
    matched = []
    for creator in creators:
        for stat in stats:
            ok = passes(creator, stat.name, query)
            if ok is None:
                stat.unknown += 1
                if query.unknowns:
                    continue
            elif ok:
                continue
            else:
                stat.excluded += 1
            break
        else:
            matched.append(creator)
    return matched


def _sort_value(item: ScoredCreator, key: SortKey, query: Query) -> float | None:
    return item.score if key is SortKey.SCORE else metric_value(item.creator, key.value, query.duration)


def sort_scored(items: list[ScoredCreator], query: Query) -> list[ScoredCreator]:
    """Order by `query.sort` (unknown values last, ties by score) and number `rank` from 1.

    For a cost order (`COST_SORTS`) creators with a price for `query.duration` come first.
    """
    sign = -1 if query.sort in _DESCENDING else 1
    by_cost = query.sort in COST_SORTS

    def key(item: ScoredCreator) -> tuple[bool, bool, float, bool, float]:
        unpriced = by_cost and metric_value(item.creator, "price", query.duration) is None
        value = _sort_value(item, query.sort, query)
        return (unpriced, value is None, sign * (value or 0.0), item.score is None, -(item.score or 0.0))

    ordered = sorted(items, key=key)
    for rank, item in enumerate(ordered, start=1):
        item.rank = rank
    return ordered


class SearchService:
    """Runs a parsed `Query` against a `CreatorSource`."""

    def __init__(
        self,
        source: CreatorSource,
        *,
        max_workers: int = 4,
        on_seen: OnSeen | None = None,
        extents: SearchExtents | None = None,
    ) -> None:
        self._source = source
        self._max_workers = max(1, max_workers)
        self._on_seen = on_seen
        self._extents = extents

    def search(self, query: Query, *, needed: Collection[int] = ()) -> SearchResult:
        """Raises the first page's `UpstreamError` only when every page failed, or every one of the
        `needed` pages (*More results*: the new pages it was clicked for).

        What it writes (answers, spend, extent, snapshots) is one transaction (`batched_writes`),
        joined to the caller's batch when there is one.
        """
        started = time.perf_counter()
        with batched_writes():
            fetch = self._fetch(query)
            for page in fetch.pages:
                self._record_seen(page)
        pages, failures = fetch.pages, fetch.failures
        if not pages:
            raise failures[0][1]
        lost = [error for number, error in failures if number in needed]
        if lost and not any(p.page in needed for p in pages):
            raise lost[0]
        unique, duplicates = dedupe([c for page in pages for c in page.creators])
        if query.start_page > 1 and not unique:  # More results past the last page (an older card)
            raise _no_more(query)
        candidates = unique if query.brands else [c for c in unique if not is_brand_account(c)]
        filter_stats = [FilterStat(name=n) for n, _ in active_filters(query)]
        matched_ids = {c.star_id for c in _apply_filters(candidates, query, filter_stats)}
        scored = [
            s
            for s in score_cohort(candidates, query.goal, query.duration)
            if s.creator.star_id in matched_ids
        ]
        spent = [*(e for _, e in failures), *fetch.discarded]  # paid for, but no page of this result
        asked = {p.page for p in pages} | {n for n, _ in failures}
        stats = SearchStats(
            pages_requested=query.page_numbers,
            pages_fetched=len(pages),
            pages_failed=[n for n, _ in failures],
            creators_seen=len(unique),
            duplicates=duplicates,
            skipped_malformed=sum(p.skipped for p in pages),
            matched=len(scored),
            excluded_brands=len(unique) - len(candidates),
            filters=filter_stats,
            upstream_calls=sum(p.upstream_calls for p in [*pages, *spent]),
            cache_hits=sum(p.from_cache for p in pages),
            cost_usd=sum(p.cost_usd for p in [*pages, *spent]),
            data_time=min(p.fetched_at for p in pages),
            live=all(p.live for p in pages),
            route="+".join(sorted({p.route for p in pages})),
            elapsed_ms=(time.perf_counter() - started) * 1000,
            has_more=max(pages, key=lambda p: p.page).has_more,
            pages_skipped=[n for n in query.page_numbers if n not in asked],
            upstream_filters=upstream_filters(fetch.request) if fetch.request else [],
        )
        warnings = ["pages_failed"] if failures else []
        return SearchResult(
            query=query,
            creators=sort_scored(scored, query),
            stats=stats,
            warnings=warnings + (["v2_rejected"] if fetch.discarded else []),
        )

    def more(self, query: Query, *, pages_seen: int, shown: int) -> SearchResult:
        """*More results*: the list the earlier cards numbered, continued from rank `shown + 1`.

        The first card ranked the creators of its `query.pages` pages; that ranking is kept, so
        #11 here is the creator that stood 11th then, with the same score: its pages come back
        from the response cache, past their TTL too for up to `EXPIRED_KEPT` (free, and the same
        ranks: `bot.sources.cache.reusing_expired_pages`). Only when that list is used up are the
        next `query.pages` pages fetched: their new matches are scored against every page fetched
        so far and numbered after the creators already listed, whose ranks and scores never change
        (the result says so in `new_pages` and `rescored_from`). `pages_seen` is how many pages
        earlier cards covered.
        """
        first = max(1, query.pages)
        ends = [*range(first, pages_seen, first), pages_seen]  # the pool of each earlier card
        with reusing_expired_pages(pages_seen):  # the answers the earlier cards were ranked on
            results = [self._pool(query, end) for end in ends]
            listed = _continued([r.creators for r in results])
            new_pages: list[int] = []
            rescored_from = None
            if shown >= len(listed):
                if not results[-1].stats.has_more:
                    raise _no_more(query, pages_seen)
                new_pages = list(range(pages_seen + 1, pages_seen + first + 1))
                # When none of them loads, their failure (with its remedy: TikHub's balance, say) is
                # the answer, not a card saying nothing new matched.
                results.append(self._pool(query, pages_seen + first, needed=new_pages))
                rescored_from = len(listed)
                listed = _continued([listed, results[-1].creators])
        last = results[-1]
        for rank, item in enumerate(listed, start=1):
            item.rank = rank
        stats = last.stats.model_copy(
            update={
                "upstream_calls": sum(r.stats.upstream_calls for r in results),
                "cost_usd": sum(r.stats.cost_usd for r in results),
                "matched": len(listed),
            }
        )
        return last.model_copy(
            update={
                "creators": listed,
                "stats": stats,
                "offset": min(shown, len(listed)),
                "new_pages": new_pages,
                "rescored_from": rescored_from,
            }
        )

    def _pool(self, query: Query, pages: int, *, needed: Collection[int] = ()) -> SearchResult:
        return self.search(query.model_copy(update={"start_page": 1, "pages": pages}), needed=needed)

    def _fetch(self, query: Query) -> _Fetch:
        """The pages that can hold creators; a search v2 rejects (4xx) runs once more on v1."""
        fetch = self._fetch_search(query, v2=True)
        rejection = fetch.v2_rejection()
        if rejection is None:
            return fetch
        log.warning("search_kol_v2 rejected %r (%s); searching again on v1", query.keyword, rejection)
        retry = self._fetch_search(query, v2=False)
        retry.discarded = [*fetch.pages, *(e for _, e in fetch.failures), *fetch.discarded]
        return retry

    def _fetch_search(self, query: Query, *, v2: bool) -> _Fetch:
        """Known search: its existing pages at once. First time: the first page, then those it says exist.

        Either way, pages the answers say exist but were not asked for follow (a search that grew).
        """
        numbers = query.page_numbers
        first = search_request(query, numbers[0], v2=v2)
        known = self._extents.get(first) if self._extents is not None else None
        asked = known_pages(known, numbers) if known is not None else numbers[:1]
        fetch = self._fetch_pages(query, asked, v2=v2)
        fetch.request = first
        if fetch.v2_rejection() is None:
            # What the pages say now; a known search only pays this second trip when it has grown.
            said = Extent.from_pages(fetch.pages) or Extent()
            fetch.extend(
                self._fetch_pages(query, [n for n in numbers if n not in asked and said.exists(n)], v2=v2)
            )
        learnt = Extent.from_pages(fetch.pages)
        if learnt is not None and learnt != known and self._extents is not None:
            self._extents.record(first, learnt)  # a write only when the knowledge changed
        return fetch

    def _fetch_pages(self, query: Query, numbers: list[int], *, v2: bool) -> _Fetch:
        """Pages concurrently (the source paces upstream calls), in page order."""
        fetch = _Fetch()
        if not numbers:
            return fetch
        with TracingExecutor(max_workers=min(self._max_workers, len(numbers))) as pool:
            futures = [
                (n, pool.submit(self._source.search_page, search_request(query, n, v2=v2))) for n in numbers
            ]
        for number, future in futures:
            try:
                fetch.pages.append(future.result())
            except UpstreamError as exc:
                fetch.failures.append((number, exc))
        return fetch

    def _record_seen(self, page: PageFetch) -> None:
        """Snapshot hook; a storage failure must not cost the user their results."""
        if self._on_seen is None or not page.creators:
            return
        try:
            self._on_seen(
                page.creators, live=page.live, fetched_at=page.fetched_at, from_cache=page.from_cache
            )
        except Exception:
            log.warning("on_seen callback failed; results are unaffected", exc_info=True)


def _continued(lists: list[list[ScoredCreator]]) -> list[ScoredCreator]:
    """One list: each list's creators not already in an earlier one, in their order."""
    seen: set[str] = set()
    out: list[ScoredCreator] = []
    for items in lists:
        for item in items:
            if item.creator.star_id not in seen:
                seen.add(item.creator.star_id)
                out.append(item)
    return out


def _no_more(query: Query, last_page: int | None = None) -> KolbotError:
    return KolbotError(
        Text(
            "Xingtu has no more creators for “%(keyword)s” after page %(page)s.",
            keyword=query.keyword,
            page=query.start_page - 1 if last_page is None else last_page,
        ),
        hint=Text("Every creator it found is on the cards above; for more, try a broader keyword."),
    )
