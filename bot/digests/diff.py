"""What changed since a digest's previous run (`bot.cards.digest_lines` words it for the message).

A digest is a diff, not a raw list: new matches, creators that stopped matching (and why), price
changes per video length, follower jumps and drops, rank movers and creators that lost a quote.
The first run has nothing to compare with, so it shows the current top N instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.digests.changes import (
    DEFAULT_THRESHOLDS,
    BecameUnpriced,
    Change,
    DiffThresholds,
    Dropped,
    DropReason,
    FollowerChange,
    NewMatch,
    PriceChange,
    RankMove,
    compare_followers,
    compare_prices,
)
from bot.digests.snapshot import DigestSnapshot, SnapshotEntry
from bot.models import Creator, Duration, SearchResult

# The kinds of change, in the order a digest shows them: `DigestDiff` fields.
SECTIONS = ("new", "dropped", "price_changes", "unpriced", "follower_changes", "movers")


@dataclass(frozen=True)
class DigestDiff:
    snapshot: DigestSnapshot  # this run's snapshot: store it for the next diff
    first_run: bool = False
    new: tuple[NewMatch, ...] = ()
    dropped: tuple[Dropped, ...] = ()
    price_changes: tuple[PriceChange, ...] = ()
    unpriced: tuple[BecameUnpriced, ...] = ()
    follower_changes: tuple[FollowerChange, ...] = ()
    movers: tuple[RankMove, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Nothing to report: not a first run, and no change of any kind."""
        return not self.first_run and not self.groups()

    def groups(self) -> list[tuple[str, tuple[Change, ...]]]:
        """(section, changes) for each kind of change that occurred, in section order."""
        found = [(section, getattr(self, section)) for section in SECTIONS]
        return [(section, changes) for section, changes in found if changes]


def diff_digest(
    previous: DigestSnapshot | None,
    result: SearchResult,
    *,
    top_n: int,
    seen: Iterable[Creator] = (),
    thresholds: DiffThresholds = DEFAULT_THRESHOLDS,
) -> DigestDiff:
    """Compare this run's `result` with the previous run's snapshot.

    `seen` is every creator the search fetched, matched or not; without it a creator that stopped
    matching is reported as no longer returned.
    """
    current = DigestSnapshot.from_result(result, top_n, seen=seen)
    if previous is None:
        return DigestDiff(current, first_run=True)
    before, now = previous.matched, current.matched
    kept = [(before[star_id], entry) for star_id, entry in now.items() if star_id in before]
    prices = [
        c for old, new in kept for c in compare_prices(new.star_id, new.nickname, old.prices, new.prices)
    ]
    return DigestDiff(
        current,
        new=tuple(_new_matches(previous, now, current.duration)),
        dropped=tuple(_dropped(before, current)),
        price_changes=tuple(c for c in prices if isinstance(c, PriceChange)),
        unpriced=tuple(c for c in prices if isinstance(c, BecameUnpriced)),
        follower_changes=tuple(_follower_changes(kept, thresholds)),
        movers=tuple(_movers(kept, current.top_n, thresholds.rank_move)),
    )


def _new_matches(
    previous: DigestSnapshot, now: dict[str, SnapshotEntry], duration: Duration
) -> list[NewMatch]:
    earlier = previous.by_id
    return [
        NewMatch(
            e.star_id,
            e.nickname,
            e.rank,
            e.score,
            was_excluded=e.star_id in earlier,
            followers=e.followers,
            price=e.prices.get(duration),
        )
        for e in now.values()
        if not (e.star_id in earlier and earlier[e.star_id].matched)
    ]


def _dropped(before: dict[str, SnapshotEntry], current: DigestSnapshot) -> list[Dropped]:
    now = current.by_id
    gone = [e for e in before.values() if not (e.star_id in now and now[e.star_id].matched)]
    return [_drop(e, now.get(e.star_id)) for e in gone]


def _drop(old: SnapshotEntry, fetched: SnapshotEntry | None) -> Dropped:
    if fetched is None:
        reason = DropReason.NOT_RETURNED
    else:
        reason = DropReason.FILTERED if fetched.fails else DropReason.EXCLUDED
    fails = tuple(fetched.fails) if fetched else ()
    return Dropped(old.star_id, old.nickname, reason, old_rank=old.rank, fails=fails)


def _follower_changes(
    kept: list[tuple[SnapshotEntry, SnapshotEntry]], thresholds: DiffThresholds
) -> list[FollowerChange]:
    changes = (
        compare_followers(n.star_id, n.nickname, o.followers, n.followers, thresholds) for o, n in kept
    )
    return [c for c in changes if c]


def _movers(kept: list[tuple[SnapshotEntry, SnapshotEntry]], top_n: int, min_move: int) -> list[RankMove]:
    """Rank changes of at least `min_move` places, for creators in the top N before or now."""
    return [
        RankMove(new.star_id, new.nickname, old.rank, new.rank, old.score, new.score)
        for old, new in kept
        if abs(old.rank - new.rank) >= min_move and min(old.rank, new.rank) <= top_n
    ]
