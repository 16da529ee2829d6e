"""Shortlist watch: what changed for shortlisted creators between two refreshes.

Input is plain data so the shortlist store can build it from whatever it keeps: one
`ShortlistItem` per shortlisted creator with its values before and after the refresh.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.digests.changes import (
    DEFAULT_THRESHOLDS,
    BecameUnpriced,
    DiffThresholds,
    Dropped,
    DropReason,
    FollowerChange,
    PriceChange,
    compare_followers,
    compare_prices,
)
from bot.models import Duration

WatchChange = Dropped | PriceChange | BecameUnpriced | FollowerChange


@dataclass(frozen=True)
class ShortlistItem:
    star_id: str
    nickname: str
    shortlist_id: str
    shortlist_name: str
    seen: bool  # the refresh returned data for this creator
    old_prices: Mapping[Duration, float] = field(default_factory=dict)  # yuan
    new_prices: Mapping[Duration, float] = field(default_factory=dict)
    old_followers: int | None = None
    new_followers: int | None = None


@dataclass(frozen=True)
class ShortlistChange:
    shortlist_id: str
    shortlist_name: str
    change: WatchChange


def diff_shortlist(
    items: Iterable[ShortlistItem], *, thresholds: DiffThresholds = DEFAULT_THRESHOLDS
) -> list[ShortlistChange]:
    """Price changes, lost quotes, follower drops beyond the thresholds, and data no longer returned."""
    return [
        ShortlistChange(item.shortlist_id, item.shortlist_name, change)
        for item in items
        for change in _item_changes(item, thresholds)
    ]


def _item_changes(item: ShortlistItem, thresholds: DiffThresholds) -> list[WatchChange]:
    if not item.seen:
        return [Dropped(item.star_id, item.nickname, DropReason.NOT_RETURNED)]
    changes: list[WatchChange] = [
        *compare_prices(item.star_id, item.nickname, item.old_prices, item.new_prices)
    ]
    followers = compare_followers(
        item.star_id, item.nickname, item.old_followers, item.new_followers, thresholds
    )
    if followers and followers.delta < 0:
        changes.append(followers)
    return changes
