"""The latest data seen for each creator, per source, so a shortlist can add a creator by id."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.batch import deferred
from bot.db.engine import read_session, transaction
from bot.db.tables import CreatorSnapshotRow
from bot.db.upsert import upsert_insert
from bot.models import Creator


@dataclass(frozen=True)
class Snapshot:
    creator: Creator
    live: bool  # False: the bundled demo dataset
    fetched_at: datetime


class CreatorSnapshots:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def save_many(self, creators: list[Creator], *, live: bool, fetched_at: datetime) -> None:
        """Upsert in one statement (inside a write batch: when it ends).

        An older fetch (a cached page) never replaces a newer one."""
        rows = {
            c.star_id: {
                "star_id": c.star_id,
                "live": live,
                "creator_json": c.model_dump_json(),
                "fetched_at": fetched_at,
            }
            for c in creators
        }
        if not rows:
            return

        def work(session: Session) -> None:
            stmt = upsert_insert(session, CreatorSnapshotRow)
            stmt = stmt.on_conflict_do_update(
                index_elements=["star_id", "live"],
                set_={"creator_json": stmt.excluded.creator_json, "fetched_at": stmt.excluded.fetched_at},
                where=CreatorSnapshotRow.fetched_at <= stmt.excluded.fetched_at,
            )
            session.execute(stmt, list(rows.values()))

        if not deferred(self._sessions, work, what="creator snapshots"):
            with transaction(self._sessions) as session:
                work(session)

    def get(self, star_id: str) -> Snapshot | None:
        """Live data when there is any, else demo data."""
        return self.get_many([star_id]).get(star_id)

    def get_many(self, star_ids: Iterable[str]) -> dict[str, Snapshot]:
        """By star_id, for the ids that are known (live preferred), in one query."""
        wanted = set(star_ids)
        if not wanted:
            return {}
        with read_session(self._sessions) as session:
            rows = session.scalars(
                select(CreatorSnapshotRow)
                .where(CreatorSnapshotRow.star_id.in_(wanted))
                .order_by(CreatorSnapshotRow.live)  # demo first, so live overwrites it below
            ).all()
        return {
            row.star_id: Snapshot(Creator.model_validate_json(row.creator_json), row.live, row.fetched_at)
            for row in rows
        }
