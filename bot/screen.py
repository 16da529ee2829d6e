"""The audience screen: check a search's top candidates against audience targets, portrait by portrait.

Search pages carry no audience portrait, so `audience_*=` targets cannot filter them. A search
with targets screens its top `screen=N` matched creators (default 20, at most 50): one
`kol_audience_portrait_v1` call each, cached per creator for days (`bot.deepdive.routes`).

Cost first: `plan` prices the screen before anything is paid (cached portraits are free); the
caller asks the user to confirm above `KOLBOT_SCREEN_CONFIRM_USD`. A creator meets the targets
only when every target has data and passes: a failed or missing portrait, or a missing
distribution, makes it *unknown*, never a match. Rows: matches first, then unknown, then misses
(best fit first); within a group the search's order is kept.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from bot.deepdive.audience import AudienceFit, FitStatus, audience_fit
from bot.deepdive.models import Part, Portrait
from bot.deepdive.routes import ROUTES, PartKey
from bot.deepdive.service import DeepDiveService
from bot.models import AudienceTargets, Query, ScoredCreator, SearchResult
from bot.spend.payer import Feature, paying_for

PORTRAIT_COST_USD = ROUTES[PartKey.AUDIENCE].cost_usd


class ScreenStatus(StrEnum):
    MATCH = "match"
    UNKNOWN = "unknown"
    MISS = "miss"


class ScreenRow(BaseModel):
    scored: ScoredCreator
    status: ScreenStatus
    fit: AudienceFit | None = None  # None: no portrait
    reason: str | None = None  # why the portrait is missing (a `Part.reason`)


class ScreenPlan(BaseModel):
    """What screening would cost, worked out before paying."""

    star_ids: list[str]
    unpaid: int  # portraits not cached
    cost_usd: float

    def needs_confirm(self, threshold_usd: float) -> bool:
        return self.cost_usd > threshold_usd + 1e-9


class ScreenResult(BaseModel):
    targets: AudienceTargets
    rows: list[ScreenRow]
    calls: int = 0
    upstream_calls: int = 0
    cache_hits: int = 0
    cost_usd: float = 0.0
    live: bool = True

    @property
    def screened(self) -> int:
        return len(self.rows)

    def count(self, status: ScreenStatus) -> int:
        return sum(row.status is status for row in self.rows)


def screen_targets(query: Query) -> AudienceTargets | None:
    """The query's audience targets and screen size; None when it has no targets."""
    return query.audience or None


def _candidates(result: SearchResult, targets: AudienceTargets) -> list[ScoredCreator]:
    return result.creators[: targets.screen]


def _row(scored: ScoredCreator, part: Part, targets: AudienceTargets) -> ScreenRow:
    portrait = part.data if part.ok and isinstance(part.data, Portrait) else None
    if portrait is None:
        return ScreenRow(scored=scored, status=ScreenStatus.UNKNOWN, reason=part.reason)
    fit = audience_fit(portrait, targets)
    statuses = {f.status for f in fit.fits}
    if FitStatus.FAIL in statuses:
        status = ScreenStatus.MISS
    elif FitStatus.UNKNOWN in statuses:
        status = ScreenStatus.UNKNOWN
    else:
        status = ScreenStatus.MATCH
    return ScreenRow(scored=scored, status=status, fit=fit)


def _order(rows: list[ScreenRow]) -> list[ScreenRow]:
    rank = {ScreenStatus.MATCH: 0, ScreenStatus.UNKNOWN: 1, ScreenStatus.MISS: 2}

    def key(item: tuple[int, ScreenRow]) -> tuple[int, float, int]:
        position, row = item
        fit = row.fit.overall_pct if row.fit and row.fit.overall_pct is not None else 0.0
        return rank[row.status], -fit if row.status is ScreenStatus.MISS else 0.0, position

    return [row for _, row in sorted(enumerate(rows), key=key)]


class AudienceScreen:
    """Plans and runs screens through the deep-dive service's portrait route (one cache, one bill)."""

    def __init__(self, deepdive: DeepDiveService) -> None:
        self._deepdive = deepdive

    def plan(self, result: SearchResult, targets: AudienceTargets) -> ScreenPlan:
        star_ids = [s.creator.star_id for s in _candidates(result, targets)]
        unpaid = len(self._deepdive.unpaid_portraits(star_ids))
        return ScreenPlan(star_ids=star_ids, unpaid=unpaid, cost_usd=round(unpaid * PORTRAIT_COST_USD, 6))

    def run(self, result: SearchResult, targets: AudienceTargets) -> ScreenResult:
        """Screen the top candidates; the portrait calls are charged to the payer as `audience`."""
        candidates = _candidates(result, targets)
        with paying_for(Feature.AUDIENCE):
            parts, cost = self._deepdive.portraits([s.creator.star_id for s in candidates])
        rows = [_row(s, parts[s.creator.star_id], targets) for s in candidates]
        return ScreenResult(
            targets=targets,
            rows=_order(rows),
            calls=cost.calls,
            upstream_calls=cost.upstream_calls,
            cache_hits=cost.cache_hits,
            cost_usd=cost.cost_usd,
            live=self._deepdive.live,
        )
