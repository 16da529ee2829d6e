"""`/kol show`: resolve a creator id, fetch every deep-dive route concurrently, flag risks.

Identifiers are read by `bot.identifiers`; a uid that finds nothing is tried as a numeric 抖音号.

Each route is optional: a refused or failed route becomes a `Part` that says why, the rest
still shows. Cost is computed from `routes.py` prices: a fresh answer is one billed call, an
upstream failure inside HTTP 200 (e.g. 10003) is billed too, cached or shared answers are free.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel

from bot.deepdive import parsers
from bot.deepdive.arguments import check_show_ids
from bot.deepdive.compare import Comparison, build_comparison, check_compare_ids, check_distinct
from bot.deepdive.dates import china_today
from bot.deepdive.flags import assess
from bot.deepdive.models import (
    BaseInfo,
    CostPerformance,
    DailyFans,
    DataOverview,
    DeepDive,
    Part,
    PartStatus,
    Portrait,
    ServicePrices,
    XingtuIndex,
    cost_line,
)
from bot.deepdive.routes import LOOKUP_BY_UID, LOOKUP_BY_UNIQUE_ID, ROUTES, PartKey, Route
from bot.deepdive.vocabulary import DOUYIN_ID
from bot.demo import synth, synth_detail
from bot.errors import KolbotError, QueryError, UpstreamError, UpstreamKind
from bot.i18n import Text
from bot.identifiers import CreatorId, IdKind, parse_identifier, shorten
from bot.models import AudienceTargets, Creator, Duration
from bot.observability.trace import TracingExecutor
from bot.sources.tikhub import Fetched

if TYPE_CHECKING:
    from bot.store.snapshots import CreatorSnapshots

log = logging.getLogger(__name__)

_UNAVAILABLE = {UpstreamKind.REFUSED, UpstreamKind.NOT_FOUND}
_NOT_FOUND = {UpstreamKind.NOT_FOUND, UpstreamKind.BAD_REQUEST}  # TikHub answers 400 for an unknown uid
# Part reasons meaning "no such creator": an empty profile, 404, or TikHub's 400/422 for a bad id.
_ID_REJECTED = {"empty", *(kind.value for kind in _NOT_FOUND)}

_PARTS: dict[PartKey, tuple[Callable[[dict[str, Any]], BaseModel], type[Part[Any]]]] = {
    PartKey.BASE: (parsers.parse_base_info, Part[BaseInfo]),
    PartKey.PRICES: (parsers.parse_service_price, Part[ServicePrices]),
    PartKey.AUDIENCE: (parsers.parse_portrait, Part[Portrait]),
    PartKey.FANS: (parsers.parse_portrait, Part[Portrait]),
    PartKey.DAILY_FANS: (parsers.parse_daily_fans, Part[DailyFans]),
    PartKey.CP: (parsers.parse_cp_info, Part[CostPerformance]),
    PartKey.OVERVIEW: (parsers.parse_data_overview, Part[DataOverview]),
    PartKey.INDEX: (parsers.parse_xingtu_index, Part[XingtuIndex]),
}


class JsonClient(Protocol):
    """`TikHubClient.get_json` with a per-call cache lifetime."""

    def get_json(self, route: str, params: dict[str, str], *, ttl_s: int | None = None) -> Fetched: ...

    def is_cached(self, route: str, params: dict[str, str]) -> bool: ...


class DeepDiveSnapshots(Protocol):
    """Where finished deep-dives go (e.g. a store that diffs them for watch alerts)."""

    def save(self, dive: DeepDive) -> None: ...


def _not_found(identifier: str) -> KolbotError:
    shown = shorten(identifier)
    return KolbotError(
        Text("No Xingtu creator found for “%(shown)s”.", shown=shown),
        hint=Text(
            "Check the %(douyin_id)s or uid, or paste the creator's Xingtu id (19 digits).",
            douyin_id=DOUYIN_ID,
        ),
    )


@dataclass
class _Tally:
    calls: int = 0
    upstream_calls: int = 0
    cache_hits: int = 0
    cost_usd: float = 0.0

    def fetched(self, route: Route, fetched: Fetched) -> None:
        self.calls += 1
        self.upstream_calls += fetched.upstream_calls
        self.cache_hits += fetched.from_cache
        if fetched.upstream_calls and not fetched.from_cache:
            self.cost_usd += route.cost_usd

    def failed(self, route: Route, error: UpstreamError) -> None:
        self.calls += 1
        self.upstream_calls += error.upstream_calls
        if error.billed and error.upstream_calls:
            self.cost_usd += route.cost_usd

    def add(self, other: _Tally) -> None:
        self.calls += other.calls
        self.upstream_calls += other.upstream_calls
        self.cache_hits += other.cache_hits
        self.cost_usd += other.cost_usd


@dataclass(frozen=True)
class PortraitCost:
    calls: int
    upstream_calls: int
    cache_hits: int
    cost_usd: float


class DeepDiveService:
    """Deep-dives and comparisons. `seen` (the search's snapshot store) gives `load` the creator as
    last seen in a search; `snapshots` keeps each finished deep-dive."""

    def __init__(
        self,
        client: JsonClient,
        *,
        seen: CreatorSnapshots | None = None,
        snapshots: DeepDiveSnapshots | None = None,
        max_workers: int = 8,
    ) -> None:
        self._client = client
        self._seen = seen
        self._snapshots = snapshots
        self._max_workers = max_workers
        self.live = not isinstance(client, DemoDeepDiveClient)

    # -- identifiers -----------------------------------------------------------------------

    def resolve(self, identifier: str) -> str:
        """The star id for a star id, Douyin uid or 抖音号 (raises `QueryError`/`KolbotError`)."""
        return self._resolve(identifier, _Tally())

    def _resolve_counted(self, identifier: str) -> tuple[str, _Tally]:
        tally = _Tally()
        return self._resolve(identifier, tally), tally

    def one_creator(self, identifiers: Sequence[str]) -> str:
        """What `show` was given: one identifier, or words that together are the nickname a card
        showed (`是南风 同学`, typed without quotes); else `QueryError` for none or several."""
        joined = " ".join(identifiers)
        if len(identifiers) > 1 and self._named(joined) is not None:
            return joined
        return check_show_ids(identifiers)

    def identify(self, identifier: str) -> CreatorId:
        """What `identifier` names: a star id, uid or 抖音号, else a nickname a results card showed
        (free: read from the snapshots of earlier searches). `QueryError` when it is none of them,
        `KolbotError` when several creators go by the name."""
        try:
            return parse_identifier(identifier)
        except QueryError as err:
            star_id = self._named(identifier)
            if star_id is None:  # not an id: a name no search has shown yet, or no name at all
                what = Text(
                    "“%(name)s” is no creator id, and no search has shown a creator by that name yet.",
                    name=shorten(identifier.strip()),
                )
                usage = Text(
                    "Search for them first (then the name on their card works), or use a Xingtu star id "
                    "(19 digits), a Douyin uid (digits) or a %(handle)s (e.g. @abc_123).",
                    handle=DOUYIN_ID,
                )
                raise QueryError(err.token, what, usage=usage) from None
            return CreatorId(IdKind.STAR_ID, star_id)

    def _named(self, nickname: str) -> str | None:
        """The one creator seen in a search (of this service's kind: live or demo) by that name."""
        found = self._seen.one_named(nickname, live=self.live) if self._seen else None
        return found.creator.star_id if found else None

    def _resolve(self, identifier: str, tally: _Tally) -> str:
        creator_id = self.identify(identifier)
        if creator_id.kind is IdKind.STAR_ID:
            return creator_id.value
        by_uid = creator_id.kind is IdKind.UID
        lookups = [LOOKUP_BY_UID, LOOKUP_BY_UNIQUE_ID] if by_uid else [LOOKUP_BY_UNIQUE_ID]
        for route in lookups:
            star_id = self._lookup(route, creator_id.value, tally)
            if star_id:
                return star_id
        raise _not_found(identifier)

    def _lookup(self, route: Route, value: str, tally: _Tally) -> str | None:
        try:
            fetched = self._client.get_json(route.path, route.params(value, china_today()), ttl_s=route.ttl_s)
        except UpstreamError as exc:
            tally.failed(route, exc)
            if exc.kind in _NOT_FOUND:
                return None
            raise
        tally.fetched(route, fetched)
        try:
            return parsers.parse_kolid(fetched.body)
        except (parsers.NoData, UpstreamError):
            return None

    # -- audience portraits (the search's audience screen) -----------------------------------

    def unpaid_portraits(self, star_ids: Sequence[str]) -> list[str]:
        """The creators whose audience portrait would be a paid call (not cached)."""
        route, today = ROUTES[PartKey.AUDIENCE], china_today()
        return [s for s in star_ids if not self._client.is_cached(route.path, route.params(s, today))]

    def portraits(self, star_ids: Sequence[str]) -> tuple[dict[str, Part], PortraitCost]:
        """Each creator's audience portrait part (ok, unavailable or failed), concurrently, and the cost."""
        results = self._fetch_parts([(s, PartKey.AUDIENCE) for s in star_ids], china_today())
        tally = _Tally()
        for _, part_tally in results:
            tally.add(part_tally)
        cost = PortraitCost(tally.calls, tally.upstream_calls, tally.cache_hits, round(tally.cost_usd, 6))
        return {s: part for s, (part, _) in zip(star_ids, results, strict=True)}, cost

    # -- deep-dives ------------------------------------------------------------------------

    def load(self, identifier: str) -> tuple[DeepDive, Creator | None]:
        """`show`, with the creator as last seen in a search (prices, videos) when one was.

        Raises `KolbotError` when not a single part arrived: an unknown id, or TikHub down.
        """
        creator_id = self.identify(identifier)
        by_star_id = creator_id.kind is IdKind.STAR_ID
        creator = self._last_seen(creator_id.value) if by_star_id else None
        dive = self.show(identifier, creator=creator)
        if not by_star_id and (creator := self._last_seen(dive.star_id)):
            dive.flags = assess(dive, creator=creator, today=china_today())
        if not dive.has_data:
            raise nothing_arrived(dive, identifier, name=self._nickname(dive.star_id))
        return dive, creator

    def _last_seen(self, star_id: str) -> Creator | None:
        """The creator as last seen in a search from the same kind of source (live or demo)."""
        snapshot = self._seen.get(star_id) if self._seen is not None else None
        return snapshot.creator if snapshot and snapshot.live == self.live else None

    def _nickname(self, star_id: str) -> str | None:
        """The name a card showed for the creator (live or demo data), to name it in a failure."""
        snapshot = self._seen.get(star_id) if self._seen is not None and star_id else None
        return snapshot.creator.nickname if snapshot is not None else None

    def show(self, identifier: str, *, creator: Creator | None = None) -> DeepDive:
        """Resolve, then deep-dive; the id lookup's cost is included."""
        star_id, lookup = self._resolve_counted(identifier)
        creators = {star_id: creator} if creator else {}
        return self._deep_dives([star_id], creators=creators, lookups={star_id: lookup})[0]

    def deep_dive(self, star_id: str, *, creator: Creator | None = None) -> DeepDive:
        """Every part for one creator. `creator` (from a search card) adds the last 10 videos to the flags."""
        return self._deep_dives([star_id], creators={star_id: creator} if creator else {})[0]

    def compare(
        self, identifiers: Sequence[str], duration: Duration, *, targets: AudienceTargets | None = None
    ) -> Comparison:
        """Side-by-side comparison of 2-5 creators at one video duration."""
        names = check_compare_ids(identifiers)
        with TracingExecutor(self._max_workers) as pool:
            resolved = list(pool.map(self._resolve_counted, names))
        star_ids = [star_id for star_id, _ in resolved]
        check_distinct(star_ids, names)
        dives = self._deep_dives(star_ids, lookups=dict(resolved))
        missing = [(name, dive) for name, dive in zip(names, dives, strict=True) if not dive.has_data]
        # Upstream trouble first: retrying, or an admin, helps; checking the ids would not.
        if troubled := next(((n, d) for n, d in missing if not _id_unknown(d)), None):
            dive = troubled[1]
            raise nothing_arrived(dive, troubled[0], spent=dives, name=self._nickname(dive.star_id))
        if missing:
            raise _not_found(", ".join(name for name, _ in missing))
        seen = {s: creator for s in star_ids if (creator := self._last_seen(s))}
        return build_comparison(dives, duration, targets=targets, seen=seen)

    def _deep_dives(
        self,
        star_ids: list[str],
        *,
        creators: dict[str, Creator] | None = None,
        lookups: dict[str, _Tally] | None = None,
    ) -> list[DeepDive]:
        """All parts of all creators in one pool; `lookups` carries each id lookup's cost.

        An id nothing vouches for (no search returned it, no lookup found it) is probed with its
        profile first: when Xingtu rejects it outright, the other seven calls are not paid for.
        """
        today = china_today()
        creators, lookups = creators or {}, lookups or {}
        unvouched = [s for s in star_ids if s not in creators and not lookups.get(s, _Tally()).calls]
        probes = [(s, PartKey.BASE) for s in unvouched]
        results = dict(zip(probes, self._fetch_parts(probes, today), strict=True))
        rejected = {s for (s, _), (part, _) in results.items() if _rejects_id(part)}
        jobs = [(s, k) for s in star_ids if s not in rejected for k in PartKey if (s, k) not in results]
        results |= dict(zip(jobs, self._fetch_parts(jobs, today), strict=True))
        dives = []
        for star_id in star_ids:
            chunk = [results.get((star_id, key), (_unknown_id(key), _Tally())) for key in PartKey]
            if star_id in rejected:  # every part says "not found"; only the probe was paid for
                chunk = [(_unknown_id(part.key), tally) for part, tally in chunk]
            tally = _Tally()
            for part_tally in [t for _, t in chunk] + [lookups.get(star_id, _Tally())]:
                tally.add(part_tally)
            dive = self._assemble(star_id, [p for p, _ in chunk], tally)
            dive.flags = assess(dive, creator=creators.get(star_id), today=today)
            if self._snapshots is not None:
                self._snapshots.save(dive)
            dives.append(dive)
        return dives

    def _fetch_parts(self, jobs: list[tuple[str, PartKey]], today: date) -> list[tuple[Part, _Tally]]:
        if not jobs:
            return []
        with TracingExecutor(min(self._max_workers, len(jobs))) as pool:
            return list(pool.map(lambda job: self._fetch_part(job[0], job[1], today), jobs))

    def _assemble(self, star_id: str, parts: list[Part], tally: _Tally) -> DeepDive:
        times = [p.fetched_at for p in parts if p.fetched_at]
        return DeepDive.model_validate(
            {
                "star_id": star_id,
                **{p.key.value: p for p in parts},
                "calls": tally.calls,
                "upstream_calls": tally.upstream_calls,
                "cache_hits": tally.cache_hits,
                "cost_usd": round(tally.cost_usd, 6),
                "live": self.live,
                "fetched_at": min(times) if times else datetime.now(UTC),
            }
        )

    def _fetch_part(self, star_id: str, key: PartKey, today: date) -> tuple[Part, _Tally]:
        route, (parse, part_type) = ROUTES[key], _PARTS[key]
        tally = _Tally()
        try:
            fetched = self._client.get_json(route.path, route.params(star_id, today), ttl_s=route.ttl_s)
        except UpstreamError as exc:
            tally.failed(route, exc)
            return part_type(key=key, status=_status(exc), reason=exc.kind.value), tally
        tally.fetched(route, fetched)

        def answered(status: PartStatus, *, reason: str | None = None, data: BaseModel | None = None) -> Part:
            return part_type(
                key=key,
                status=status,
                reason=reason,
                data=data,
                from_cache=fetched.from_cache,
                fetched_at=fetched.fetched_at,
            )

        try:
            return answered(PartStatus.OK, data=parse(fetched.body)), tally
        except UpstreamError as exc:
            return answered(_status(exc), reason=exc.kind.value), tally
        except parsers.NoData:
            return answered(PartStatus.UNAVAILABLE, reason="empty"), tally
        except (ValueError, TypeError, KeyError, AttributeError):
            log.exception("Unreadable %s body for %s", route.path, star_id)
            return answered(PartStatus.FAILED, reason=UpstreamKind.BAD_RESPONSE.value), tally


def _rejects_id(part: Part) -> bool:
    """A profile answer that says the id itself is unknown: retrying or other routes won't help."""
    return part.reason in _ID_REJECTED


def _unknown_id(key: PartKey) -> Part:
    return Part(key=key, status=PartStatus.UNAVAILABLE, reason=UpstreamKind.NOT_FOUND.value)


def _status(error: UpstreamError) -> PartStatus:
    return PartStatus.UNAVAILABLE if error.kind in _UNAVAILABLE else PartStatus.FAILED


class DemoDeepDiveClient:
    """Demo mode has no TikHub key: serve synthetic bodies for every deep-dive route, free.

    Every answer is as of `synth.CAPTURED_AT`, like the demo search pages: the dataset is one
    capture, so a creator's deep-dive and search card say their data is equally old.

    `snapshots` (the search's snapshot store) lets a creator from any demo search, generated
    keyword pools included, get details consistent with its search data; ids no demo search
    returned stay unknown. Refusals (10003) in the synthetic bodies are raised by the parsers,
    as the live client would.
    """

    def __init__(self, snapshots: CreatorSnapshots | None = None) -> None:
        self._snapshots = snapshots

    def get_json(self, route: str, params: dict[str, str], *, ttl_s: int | None = None) -> Fetched:
        body = synth_detail.detail_body(route, params, seen=self._seen)
        return Fetched(body, 0, 0.0, False, synth.CAPTURED_AT)

    def is_cached(self, route: str, params: dict[str, str]) -> bool:
        """Demo answers cost nothing, as if every one were cached."""
        return True

    def _seen(self, star_id: str) -> Creator | None:
        """The creator as a demo search returned it; live data never gets synthetic details."""
        snapshot = self._snapshots.get(star_id) if self._snapshots is not None else None
        return snapshot.creator if snapshot is not None and not snapshot.live else None


def _id_unknown(dive: DeepDive) -> bool:
    """Every part says Xingtu does not know the id (not that TikHub failed)."""
    return all(p.status is PartStatus.UNAVAILABLE and p.reason in _ID_REJECTED for p in dive.parts())


def nothing_arrived(
    dive: DeepDive, identifier: str, *, spent: Sequence[DeepDive] = (), name: str | None = None
) -> KolbotError:
    """Every part of `dive` missing: an id Xingtu does not know (all empty), or upstream trouble.
    The cost line covers `spent` (every deep-dive of the request), or `dive` alone. Upstream trouble
    names the creator by `name` (its nickname on the card) when known; an unknown id, as typed."""
    cost = cost_line(spent or [dive]) if dive.live else ""
    parts = dive.parts()
    if _id_unknown(dive):
        return KolbotError(
            Text("Xingtu has no data for “%(identifier)s”.", identifier=identifier),
            hint=Text(
                "Check the id (a Xingtu id has 19 digits; %(douyin_id)s and uids are looked up). %(cost)s",
                douyin_id=DOUYIN_ID,
                cost=cost,
            ),
        )
    # What to do depends on why: a key or balance problem needs an admin, not a retry.
    kind = next((k for k in UpstreamKind if k.value == parts[0].reason), UpstreamKind.GATEWAY)
    why = UpstreamError(kind)
    return KolbotError(
        Text(
            "No data could be fetched for “%(identifier)s” (%(describe)s).",
            identifier=name or identifier,
            describe=parts[0].wording(),
        ),
        hint=Text("%(hint)s %(cost)s", hint=why.hint, cost=cost) if cost and why.hint else why.hint,
    )
