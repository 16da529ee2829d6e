"""Searches referred to by short ids, so Slack button values never carry the query itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from bot.db.batch import deferred
from bot.db.engine import read_session, transaction
from bot.db.ids import short_id
from bot.db.results import rowcount
from bot.db.retry import in_transaction
from bot.db.tables import SavedSearchRow
from bot.models import LANG_CODES, Lang

REF_LENGTH = 10


@dataclass(frozen=True)
class SavedSearch:
    ref: str
    team_id: str
    channel_id: str
    user_id: str
    raw_query: str
    lang: Lang
    created_at: datetime


class SearchRefs:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def save(self, team_id: str, channel_id: str, user_id: str, raw_query: str, lang: Lang) -> str:
        """Store the search and return its ref (a collision on the random id retries with a new one).

        Inside a search's write batch the row is stored when the batch ends, before the card is posted.
        """

        def insert_as(ref: str) -> Callable[[Session], str]:
            def insert(session: Session) -> str:
                row = SavedSearchRow(
                    ref=ref,
                    team_id=team_id,
                    channel_id=channel_id,
                    user_id=user_id,
                    raw_query=raw_query,
                    lang=lang,
                    created_at=datetime.now(UTC),
                )
                session.add(row)
                session.flush()
                return ref

            return insert

        ref = short_id(REF_LENGTH)
        if deferred(self._sessions, insert_as(ref), what="the saved search", optional=False):
            return ref
        return in_transaction(self._sessions, lambda session: insert_as(short_id(REF_LENGTH))(session))

    def get(self, ref: str, team_id: str) -> SavedSearch | None:
        """The saved search, or None when unknown or owned by another workspace."""
        with read_session(self._sessions) as session:
            row = session.get(SavedSearchRow, ref)
            if row is None or row.team_id != team_id:
                return None
            return to_saved_search(row)

    def prune(self, before: datetime) -> int:
        """Forget searches saved before `before` (their cards' buttons then say the search expired)."""
        with transaction(self._sessions) as session:
            return rowcount(session.execute(delete(SavedSearchRow).where(SavedSearchRow.created_at < before)))


def to_saved_search(row: SavedSearchRow) -> SavedSearch:
    return SavedSearch(
        ref=row.ref,
        team_id=row.team_id,
        channel_id=row.channel_id,
        user_id=row.user_id,
        raw_query=row.raw_query,
        lang=LANG_CODES.get(row.lang, "en"),
        created_at=row.created_at,
    )
