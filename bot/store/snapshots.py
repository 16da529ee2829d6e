"""The latest data seen for each creator, per source, so a shortlist can add a creator by id or by
the nickname on a card."""

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
from bot.identifiers import name_key, namesakes
from bot.models import Creator

NAME_KEY_CHARS = 200  # the column's size
MAX_NAMESAKES = 5  # enough to list when a name is ambiguous


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
                "name_key": name_key(c.nickname or "")[:NAME_KEY_CHARS] or None,
            }
            for c in creators
        }
        if not rows:
            return

        def work(session: Session) -> None:
            stmt = upsert_insert(session, CreatorSnapshotRow)
            stmt = stmt.on_conflict_do_update(
                index_elements=["star_id", "live"],
                set_={
                    "creator_json": stmt.excluded.creator_json,
                    "fetched_at": stmt.excluded.fetched_at,
                    "name_key": stmt.excluded.name_key,
                },
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

    def named(self, nickname: str) -> list[Snapshot]:
        """The creators whose nickname has the same `name_key` as `nickname` (live preferred over
        demo data for one creator), most recently seen first; at most `MAX_NAMESAKES`."""
        key = name_key(nickname)[:NAME_KEY_CHARS]
        if not key:
            return []
        with read_session(self._sessions) as session:
            ids = session.scalars(
                select(CreatorSnapshotRow.star_id)
                .where(CreatorSnapshotRow.name_key == key)
                .order_by(CreatorSnapshotRow.fetched_at.desc())
                .limit(2 * MAX_NAMESAKES)
            ).all()
        found = self.get_many(ids)
        return [found[i] for i in dict.fromkeys(ids)][:MAX_NAMESAKES]

    def one_named(self, nickname: str, *, live: bool | None = None) -> Snapshot | None:
        """The one creator seen under `nickname` (only live or only demo data's, when `live` says);
        a `KolbotError` naming each of them with their ids when several go by it."""
        found = [s for s in self.named(nickname) if live is None or s.live == live]
        if len(found) > 1:
            raise namesakes(nickname, [(s.creator.nickname, s.creator.star_id) for s in found])
        return found[0] if found else None
