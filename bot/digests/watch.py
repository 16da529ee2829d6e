"""Shortlist watch inside a digest: what changed for the channel's shortlisted creators since the
digest last reported on them.

Each run stores the values it reported against (`state_json`), so a change is reported once, not
on every run. A creator seen for the first time is compared with its data when it was shortlisted.
New values come from the digest's own fetch when it returned the creator, else from the latest
data any search recorded. "No longer returned" means the digest's previous fetch returned the
creator and this complete fetch did not (a partial fetch proves nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pydantic import BaseModel, TypeAdapter

from bot.digests.changes import DiffThresholds
from bot.digests.shortlist_watch import ShortlistChange, ShortlistItem, diff_shortlist
from bot.digests.snapshot import DigestSnapshot
from bot.models import Creator, Duration
from bot.shortlists.models import ItemStatus, Shortlist, ShortlistSummary


class Watched(BaseModel):
    """The values a digest last reported for one shortlisted creator."""

    prices: dict[Duration, float]
    followers: int | None


_STATE = TypeAdapter(dict[str, Watched])


@dataclass(frozen=True)
class WatchGroup:
    shortlist: Shortlist
    thread_url: str | None  # the shortlist's summary message, when known
    changes: list[ShortlistChange]


@dataclass(frozen=True)
class WatchReport:
    groups: list[WatchGroup]  # shortlists with at least one change
    state_json: str  # store on the run for the next comparison


def watch_shortlists(
    summaries: Iterable[ShortlistSummary],
    *,
    seen: Iterable[Creator],
    current: DigestSnapshot,
    previous: DigestSnapshot | None,
    previous_state: str | None,
    thresholds: DiffThresholds,
    thread_url: Callable[[Shortlist], str | None],
) -> WatchReport:
    """Compare each open shortlist's creators with the digest's last report on them."""
    fresh = {c.star_id: c for c in seen}
    returned_before = set(previous.by_id) if previous and not current.partial else set()
    old_state = _STATE.validate_json(previous_state) if previous_state else {}
    state: dict[str, Watched] = {}
    groups = []
    for summary in summaries:
        items = []
        for item in summary.items:
            if item.status is ItemStatus.REJECTED:
                continue
            key = f"{summary.shortlist.short_id}:{item.star_id}"
            old = old_state.get(key) or _values(item.added)
            gone = item.star_id in returned_before and item.star_id not in fresh
            new = old if gone else _values(fresh.get(item.star_id, item.creator))
            state[key] = new
            items.append(_item(summary.shortlist, item.star_id, item.creator.nickname, old, new, not gone))
        changes = diff_shortlist(items, thresholds=thresholds)
        if changes:
            groups.append(WatchGroup(summary.shortlist, thread_url(summary.shortlist), changes))
    return WatchReport(groups, _STATE.dump_json(state).decode())


def _values(creator: Creator) -> Watched:
    prices = {d: price for d in Duration if (price := creator.price(d)) is not None}
    return Watched(prices=prices, followers=creator.followers)


def _item(
    shortlist: Shortlist, star_id: str, nickname: str, old: Watched, new: Watched, seen: bool
) -> ShortlistItem:
    return ShortlistItem(
        star_id=star_id,
        nickname=nickname,
        shortlist_id=shortlist.short_id,
        shortlist_name=shortlist.name,
        seen=seen,
        old_prices=old.prices,
        new_prices=new.prices,
        old_followers=old.followers,
        new_followers=new.followers,
    )
