"""What the shortlist service returns. Money is yuan; `None` means unknown, never zero."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from bot.i18n import Text
from bot.models import Creator, Duration, Lang


class ShortlistStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ItemStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    CONTACTED = "contacted"
    BOOKED = "booked"


# What cards and exports call each status (`tr(lang, STATUS_LABELS[status])`).
STATUS_LABELS: dict[ItemStatus, Text] = {
    ItemStatus.PROPOSED: Text("Proposed"),
    ItemStatus.APPROVED: Text("Approved"),
    ItemStatus.REJECTED: Text("Rejected"),
    ItemStatus.CONTACTED: Text("Contacted"),
    ItemStatus.BOOKED: Text("Booked"),
}


class AuditAction(StrEnum):
    CREATE = "create"
    ADD = "add"
    REMOVE = "remove"
    VOTE = "vote"
    STATUS = "status"
    NOTE = "note"
    QUOTE = "quote"
    CLOSE = "close"
    REOPEN = "reopen"
    RENAME = "rename"


class VoteGesture(StrEnum):
    """How a user expressed a vote; `resolve(old, value)` is the new vote, or None for no change."""

    SET = "set"  # /kol and the API: the value as given
    CLICK = "click"  # a 👍/👎 button: clicking the vote you already gave takes it back
    REACT = "react"  # adding a 👍/👎 reaction
    UNREACT = "unreact"  # removing it: takes the vote back only if it is still that vote

    def resolve(self, old: int, value: int) -> int | None:
        if self is VoteGesture.CLICK:
            return 0 if old == value else value
        if self is VoteGesture.UNREACT:
            return 0 if old == value else None
        if self is VoteGesture.REACT and old == value:
            return None
        return value


class Shortlist(BaseModel):
    model_config = ConfigDict(frozen=True)

    short_id: str
    team_id: str
    channel_id: str
    name: str
    owner_id: str
    status: ShortlistStatus
    budget_yuan: float | None
    duration: Duration
    parent_channel_id: str | None
    parent_ts: str | None
    created_at: datetime
    updated_at: datetime
    lang: Lang | None = None  # the language it was made in (None: made before it was kept)


class ShortlistListing(BaseModel):
    shortlist: Shortlist
    creator_count: int


class ShortlistItem(BaseModel):
    """One creator on a shortlist: the data when added, the latest seen since, and the decisions.

    Price, CPM and CPE are for the shortlist's duration, from the latest data.
    """

    star_id: str
    creator: Creator  # latest values seen (the snapshot at add when nothing newer was seen)
    added: Creator  # snapshot at add
    live: bool  # False: demo data
    data_time: datetime  # when `creator` was fetched upstream
    status: ItemStatus
    note: str | None
    quoted_price_yuan: float | None
    rebate_pct: float | None  # 返点, 0-100
    card_ts: str | None
    added_by: str
    added_at: datetime
    votes: dict[str, int] = Field(default_factory=dict)  # user_id -> +1 / -1

    list_price_yuan: float | None
    cpm_yuan: float | None
    cpe_yuan: float | None
    expected_plays: int | None
    expected_engagements: float | None
    price_delta_yuan: float | None  # latest minus at-add list price
    followers_delta: int | None  # latest minus at-add followers

    @property
    def net_quote_yuan(self) -> float | None:
        """Quote after rebate: quote × (1 − rebate)."""
        if self.quoted_price_yuan is None:
            return None
        return self.quoted_price_yuan * (1 - (self.rebate_pct or 0) / 100)

    @property
    def planned_yuan(self) -> float | None:
        """What the creator will cost: the net quote where there is one, else the list price."""
        return self.net_quote_yuan if self.net_quote_yuan is not None else self.list_price_yuan

    @property
    def votes_up(self) -> int:
        return sum(1 for v in self.votes.values() if v > 0)

    @property
    def votes_down(self) -> int:
        return sum(1 for v in self.votes.values() if v < 0)


# How far along a creator is, for picking whom a shortlist's Compare button compares (first = furthest).
_STAGE = {ItemStatus.BOOKED: 0, ItemStatus.CONTACTED: 1, ItemStatus.APPROVED: 2, ItemStatus.PROPOSED: 3}


class Compared(NamedTuple):
    chosen: list[ShortlistItem]  # compared, in list order
    left_out: list[ShortlistItem]  # best first
    swap: list[str]  # star ids for comparing the best left out instead of the last chosen ([] if none)


def compared_items(items: list[ShortlistItem], most: int) -> Compared:
    """The creators a shortlist's Compare compares: rejected ones never; of more than `most`, the
    furthest along (booked, contacted, approved), then the best voted, then the earliest added."""
    active = [i for i in items if i.status is not ItemStatus.REJECTED]
    ranked = sorted(active, key=lambda i: (_STAGE[i.status], i.votes_down - i.votes_up))
    chosen, left_out = ranked[:most], ranked[most:]
    swap = [i.star_id for i in [*chosen[:-1], left_out[0]]] if left_out else []
    picked = {id(i) for i in chosen}
    return Compared([i for i in active if id(i) in picked], left_out, swap)


class AddResult(BaseModel):
    shortlist: Shortlist
    added: list[ShortlistItem]
    already: list[ShortlistItem]  # on the shortlist before: added by an earlier, other request


class ShortlistSummary(BaseModel):
    """Recomputed from the database on every call.

    Money, plays and blended CPM/CPE leave out rejected creators (they will not be booked);
    blended CPM/CPE only count creators whose price and plays (engagements) are both known.
    """

    shortlist: Shortlist
    items: list[ShortlistItem]
    creator_count: int
    status_counts: dict[ItemStatus, int]
    votes_up: int
    votes_down: int
    unknown_price_count: int
    total_list_yuan: float
    quoted_count: int
    total_quoted_yuan: float  # net of rebate, over creators with a quote
    planned_yuan: float  # net quote where quoted, else list price
    remaining_budget_yuan: float | None  # budget minus planned
    total_expected_plays: int
    total_expected_engagements: float
    blended_cpm_yuan: float | None
    blended_cpe_yuan: float | None


class AuditEvent(BaseModel):
    at: datetime
    actor_id: str
    action: AuditAction
    star_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
