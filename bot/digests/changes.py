"""The kinds of change a digest or a shortlist watch reports, as data: `bot.cards.digest_lines` words them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.digests.recheck import FilterMiss
from bot.models import Duration


@dataclass(frozen=True)
class DiffThresholds:
    """What counts as news. A follower change is reported when either threshold is reached."""

    followers_pct: float = 0.05  # fraction of the previous follower count
    followers_abs: int = 50_000
    rank_move: int = 3  # places gained or lost

    def followers_moved(self, old: int, new: int) -> bool:
        delta = abs(new - old)
        return delta > 0 and (delta >= self.followers_abs or (old > 0 and delta / old >= self.followers_pct))


DEFAULT_THRESHOLDS = DiffThresholds()


@dataclass(frozen=True)
class NewMatch:
    star_id: str
    nickname: str
    rank: int
    score: float | None
    was_excluded: bool  # fetched last time too, but failed a filter then
    followers: int | None = None
    price: float | None = None  # yuan, for the digest's video length


class DropReason(StrEnum):
    NOT_RETURNED = "not_returned"  # Xingtu did not return the creator this time
    FILTERED = "filtered"  # returned, but fails a filter now
    EXCLUDED = "excluded"  # returned and passes the re-check, yet the search left it out


@dataclass(frozen=True)
class Dropped:
    star_id: str
    nickname: str
    reason: DropReason
    old_rank: int | None = None
    fails: tuple[FilterMiss, ...] = ()


@dataclass(frozen=True)
class PriceChange:
    star_id: str
    nickname: str
    duration: Duration
    old: float  # yuan
    new: float

    @property
    def delta(self) -> float:
        return self.new - self.old

    @property
    def pct(self) -> float:
        """Change as a fraction of the old price (quotes are always positive)."""
        return self.delta / self.old


@dataclass(frozen=True)
class BecameUnpriced:
    star_id: str
    nickname: str
    duration: Duration
    old: float  # the last known quote, yuan


@dataclass(frozen=True)
class FollowerChange:
    star_id: str
    nickname: str
    old: int
    new: int

    @property
    def delta(self) -> int:
        return self.new - self.old

    @property
    def pct(self) -> float | None:
        return self.delta / self.old if self.old else None


@dataclass(frozen=True)
class RankMove:
    star_id: str
    nickname: str
    old_rank: int
    new_rank: int
    old_score: float | None
    new_score: float | None


Change = NewMatch | Dropped | PriceChange | BecameUnpriced | FollowerChange | RankMove


def compare_prices(
    star_id: str, nickname: str, old: Mapping[Duration, float], new: Mapping[Duration, float]
) -> list[PriceChange | BecameUnpriced]:
    """Per video length: a changed quote, or a quote that disappeared. New quotes are not news."""
    changes: list[PriceChange | BecameUnpriced] = []
    for duration in Duration:
        before, after = _quote(old.get(duration)), _quote(new.get(duration))
        if before is not None and after is None:
            changes.append(BecameUnpriced(star_id, nickname, duration, before))
        elif before is not None and after is not None and before != after:
            changes.append(PriceChange(star_id, nickname, duration, before, after))
    return changes


def compare_followers(
    star_id: str, nickname: str, old: int | None, new: int | None, thresholds: DiffThresholds
) -> FollowerChange | None:
    if old is None or new is None or not thresholds.followers_moved(old, new):
        return None
    return FollowerChange(star_id, nickname, old, new)


def _quote(price: float | None) -> float | None:
    """A zero or negative quote means "no quote", as in `Creator.price`."""
    return price if price is not None and price > 0 else None
