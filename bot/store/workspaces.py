"""Workspaces that removed kolbot: when, and deleting their data once the retention period is over.

The uninstall time is stored (not kept in memory) so the deadline survives restarts. The purge
deletes the workspace's rows from every table with a `team_id` column (children first), so a
table added later is covered without a change here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import transaction
from bot.db.results import rowcount
from bot.db.tables import Base, UninstalledWorkspaceRow
from bot.db.upsert import upsert_insert


class UninstalledWorkspaces:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def mark(self, team_id: str, enterprise_id: str | None, now: datetime) -> None:
        """Start the retention period (a repeated event keeps the first time)."""
        with transaction(self._sessions) as session:
            stmt = upsert_insert(session, UninstalledWorkspaceRow).values(
                team_id=team_id, enterprise_id=enterprise_id, uninstalled_at=now
            )
            session.execute(stmt.on_conflict_do_nothing(index_elements=["team_id"]))

    def clear(self, team_id: str) -> bool:
        """Installed again: keep its data. True when it had been marked."""
        with transaction(self._sessions) as session:
            stmt = delete(UninstalledWorkspaceRow).where(UninstalledWorkspaceRow.team_id == team_id)
            return rowcount(session.execute(stmt)) > 0


def purge_expired_workspaces(
    sessions: sessionmaker[Session], retention: timedelta, *, now: datetime | None = None
) -> list[str]:
    """Delete every row of the workspaces uninstalled more than `retention` ago; returns their ids."""
    cutoff = (now or datetime.now(UTC)) - retention
    with transaction(sessions) as session:
        expired = UninstalledWorkspaceRow.uninstalled_at < cutoff
        team_ids = list(session.scalars(select(UninstalledWorkspaceRow.team_id).where(expired)))
        if team_ids:
            for table in reversed(Base.metadata.sorted_tables):
                if "team_id" in table.c:
                    session.execute(delete(table).where(table.c.team_id.in_(team_ids)))
    return team_ids
