"""Database rows to domain results."""

from __future__ import annotations

from bot.db.tables import ShortlistEventRow, ShortlistItemRow, ShortlistRow
from bot.models import LANG_CODES, Creator, Duration
from bot.shortlists.models import (
    AuditAction,
    AuditEvent,
    ItemStatus,
    Shortlist,
    ShortlistItem,
    ShortlistStatus,
)


def to_shortlist(row: ShortlistRow) -> Shortlist:
    return Shortlist(
        short_id=row.short_id,
        team_id=row.team_id,
        channel_id=row.channel_id,
        name=row.name,
        owner_id=row.owner_id,
        status=ShortlistStatus(row.status),
        budget_yuan=row.budget_yuan,
        duration=Duration(row.duration),
        parent_channel_id=row.parent_channel_id,
        parent_ts=row.parent_ts,
        created_at=row.created_at,
        updated_at=row.updated_at,
        lang=LANG_CODES.get(row.lang or ""),
    )


def _delta(latest: float | None, added: float | None) -> float | None:
    return None if latest is None or added is None else latest - added


def _engagements(creator: Creator, duration: Duration) -> float | None:
    """Expected engagements as the card's CPE implies them (price ÷ CPE), so the list's blended CPE
    lies between its creators' and equals a lone creator's: Xingtu's own CPE, when it gives one, is
    not plays × engagement rate."""
    price, cpe = creator.price(duration), creator.cpe(duration)
    return price / cpe if price and cpe else creator.expected_engagements()


def to_item(row: ShortlistItemRow, votes: dict[str, int], duration: Duration) -> ShortlistItem:
    added = Creator.model_validate_json(row.snapshot_json)
    latest = Creator.model_validate_json(row.latest_json) if row.latest_json else added
    followers_delta = _delta(latest.followers, added.followers)
    return ShortlistItem(
        star_id=row.star_id,
        creator=latest,
        added=added,
        live=row.live,
        data_time=row.latest_fetched_at or row.snapshot_fetched_at,
        status=ItemStatus(row.status),
        note=row.note,
        quoted_price_yuan=row.quoted_price_yuan,
        rebate_pct=row.rebate_pct,
        card_ts=row.card_ts,
        added_by=row.added_by,
        added_at=row.added_at,
        votes=votes,
        list_price_yuan=latest.price(duration),
        cpm_yuan=latest.cpm(duration),
        cpe_yuan=latest.cpe(duration),
        expected_plays=latest.expected_plays,
        expected_engagements=_engagements(latest, duration),
        price_delta_yuan=_delta(latest.price(duration), added.price(duration)),
        followers_delta=None if followers_delta is None else int(followers_delta),
    )


def to_event(row: ShortlistEventRow) -> AuditEvent:
    return AuditEvent(
        at=row.at,
        actor_id=row.actor_id,
        action=AuditAction(row.action),
        star_id=row.star_id,
        before=row.before,
        after=row.after,
    )
