"""What the App Home tab shows one user: their open shortlists, the digests they follow, their
last searches (each can be re-run) and the workspace's TikHub spend this month.

"My shortlists" are open shortlists the user owns or changed (added, voted, decided). The home tab
has no channel, so "this channel's and my digests" means digests the user created plus the
digests of channels the user works in (where they searched or keep a shortlist).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import read_session
from bot.db.tables import DigestRow, SavedSearchRow, ShortlistEventRow, ShortlistItemRow, ShortlistRow
from bot.digests.models import Digest
from bot.shortlists.models import Shortlist, ShortlistStatus
from bot.shortlists.rows import to_shortlist
from bot.spend.budget import BudgetService, BudgetStatus
from bot.store.digests import to_digest
from bot.store.searches import SavedSearch, to_saved_search

MAX_ROWS = 10  # per section: a home tab holds 100 blocks


@dataclass(frozen=True)
class HomeShortlist:
    shortlist: Shortlist
    items: int
    last_change: datetime
    url: str | None


@dataclass(frozen=True)
class HomeDigest:
    digest: Digest
    next_run: datetime | None  # None while paused
    mine: bool


@dataclass(frozen=True)
class Home:
    shortlists: list[HomeShortlist]
    digests: list[HomeDigest]
    searches: list[SavedSearch]
    spend: BudgetStatus


class HomeService:
    def __init__(self, sessions: sessionmaker[Session], budget: BudgetService) -> None:
        self._sessions, self._budget = sessions, budget

    def home(
        self,
        team_id: str,
        user_id: str,
        *,
        thread_url: Callable[[str, str], str | None],
        now: datetime | None = None,
    ) -> Home:
        """`thread_url(team_id, short_id)` links a shortlist to its thread (a Slack call per row)."""
        now = now or datetime.now(UTC)
        with read_session(self._sessions) as session:
            lists = _shortlists(session, team_id, user_id)
            searches = _searches(session, team_id, user_id)
            channels = {s.channel_id for s in searches} | {s.channel_id for s, _, _ in lists}
            digests = _digests(session, team_id, user_id, channels, now)
        return Home(
            shortlists=[HomeShortlist(s, n, at, thread_url(team_id, s.short_id)) for s, n, at in lists],
            digests=digests,
            searches=searches,
            spend=self._budget.status(team_id),
        )


def _shortlists(session: Session, team_id: str, user_id: str) -> list[tuple[Shortlist, int, datetime]]:
    """Open shortlists the user owns or changed, most recently changed first, with item counts."""
    touched = select(ShortlistEventRow.shortlist_id).where(
        ShortlistEventRow.team_id == team_id, ShortlistEventRow.actor_id == user_id
    )
    items = (
        select(func.count(ShortlistItemRow.id))
        .where(ShortlistItemRow.shortlist_id == ShortlistRow.id)
        .scalar_subquery()
    )
    last = (
        select(func.max(ShortlistEventRow.at))
        .where(ShortlistEventRow.shortlist_id == ShortlistRow.id)
        .scalar_subquery()
    )
    stmt = (
        select(ShortlistRow, items, last)
        .where(
            ShortlistRow.team_id == team_id,
            ShortlistRow.status == ShortlistStatus.OPEN.value,
            or_(ShortlistRow.owner_id == user_id, ShortlistRow.id.in_(touched)),
        )
        .order_by(func.coalesce(last, ShortlistRow.updated_at).desc(), ShortlistRow.id.desc())
        .limit(MAX_ROWS)
    )
    return [(to_shortlist(row), n or 0, at or row.updated_at) for row, n, at in session.execute(stmt)]


def _searches(session: Session, team_id: str, user_id: str) -> list[SavedSearch]:
    """The user's last searches, newest first, one per distinct query text."""
    stmt = (
        select(SavedSearchRow)
        .where(SavedSearchRow.team_id == team_id, SavedSearchRow.user_id == user_id)
        .order_by(SavedSearchRow.created_at.desc())
        .limit(MAX_ROWS * 5)
    )
    latest: dict[str, SavedSearch] = {}
    for row in session.scalars(stmt):
        latest.setdefault(row.raw_query.strip(), to_saved_search(row))
    return list(latest.values())[:MAX_ROWS]


def _digests(
    session: Session, team_id: str, user_id: str, channels: set[str], now: datetime
) -> list[HomeDigest]:
    stmt = (
        select(DigestRow)
        .where(
            DigestRow.team_id == team_id,
            or_(DigestRow.created_by == user_id, DigestRow.channel_id.in_(channels)),
        )
        .order_by(DigestRow.created_at.desc(), DigestRow.id.desc())
        .limit(MAX_ROWS)
    )
    digests = [to_digest(row) for row in session.scalars(stmt)]
    return [HomeDigest(d, _next_run(d, now), d.created_by == user_id) for d in digests]


def _next_run(digest: Digest, now: datetime) -> datetime | None:
    return digest.schedule.next_due(now) if digest.active else None
