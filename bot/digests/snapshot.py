"""A compact, JSON-serialisable record of one digest run's results, stored per run for the next diff.

It keeps every matched creator (not only the top N shown), so a creator slipping from rank 10 to
11 is a rank move, not a dropout. Creators the search fetched but did not match are kept too,
with the filters they fail, so the next run can tell "no longer matches" from "no longer returned".
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from bot.digests.recheck import FilterMiss, failed_filters
from bot.models import Creator, Duration, ScoredCreator, SearchResult


class SnapshotEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    star_id: str
    nickname: str
    matched: bool = True
    rank: int = 0  # 1-based position in the results; 0 when not matched
    score: float | None = None
    followers: int | None = None
    prices: dict[Duration, float] = Field(default_factory=dict)  # yuan; known quotes only
    fails: list[FilterMiss] = Field(default_factory=list)  # why a fetched creator is not matched


class DigestSnapshot(BaseModel):
    model_config = ConfigDict(frozen=True)

    duration: Duration  # the query's video length: the price the digest leads with
    top_n: int
    partial: bool = False  # some pages failed, so an absent creator may be a gap in this fetch
    entries: list[SnapshotEntry] = Field(default_factory=list)

    @classmethod
    def from_result(cls, result: SearchResult, top_n: int, *, seen: Iterable[Creator] = ()) -> DigestSnapshot:
        """Snapshot `result`; `seen` is every creator the search fetched (matched or not)."""
        entries = [_matched_entry(scored, rank) for rank, scored in enumerate(result.creators, start=1)]
        matched_ids = {entry.star_id for entry in entries}
        unmatched = {c.star_id: c for c in seen if c.star_id not in matched_ids}
        entries += [_unmatched_entry(c, failed_filters(c, result.query)) for c in unmatched.values()]
        return cls(
            duration=result.query.duration,
            top_n=top_n,
            partial=bool(result.stats.pages_failed),
            entries=entries,
        )

    def to_json(self) -> str:
        return self.model_dump_json(exclude_defaults=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> DigestSnapshot:
        return cls.model_validate_json(text)

    @property
    def matched(self) -> dict[str, SnapshotEntry]:
        """Matched entries by star_id, in rank order."""
        return {e.star_id: e for e in self.entries if e.matched}

    @property
    def by_id(self) -> dict[str, SnapshotEntry]:
        return {e.star_id: e for e in self.entries}

    @property
    def top(self) -> list[SnapshotEntry]:
        """The first `top_n` matched entries: what a digest card shows."""
        return list(self.matched.values())[: self.top_n]


def _matched_entry(scored: ScoredCreator, rank: int) -> SnapshotEntry:
    creator = scored.creator
    return SnapshotEntry(
        star_id=creator.star_id,
        nickname=creator.nickname,
        rank=rank,
        score=None if scored.score is None else round(scored.score, 2),
        followers=creator.followers,
        prices=_prices(creator),
    )


def _unmatched_entry(creator: Creator, fails: list[FilterMiss]) -> SnapshotEntry:
    return SnapshotEntry(
        star_id=creator.star_id,
        nickname=creator.nickname,
        matched=False,
        followers=creator.followers,
        prices=_prices(creator),
        fails=fails,
    )


def _prices(creator: Creator) -> dict[Duration, float]:
    return {d: price for d in Duration if (price := creator.price(d)) is not None}
