"""Durable TikHub spend per workspace, user and feature, and each workspace's monthly budget."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.batch import deferred
from bot.db.engine import read_session, transaction
from bot.db.tables import SpendRow, WorkspaceBudgetRow
from bot.db.upsert import upsert_insert
from bot.spend.payer import Payer


@dataclass(frozen=True)
class SpendLine:
    """Spend grouped by one key (a user id or a feature) over a period."""

    key: str
    calls: int
    cost_usd: float


@dataclass(frozen=True)
class StoredBudget:
    monthly_usd: float | None  # None: "no budget", set deliberately with `/kol budget off`
    set_by: str
    set_at: datetime


class SpendStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def add(self, payer: Payer, calls: int, cost_usd: float, at: datetime) -> None:
        """Record a billed call (inside a search's write batch: when the search ends)."""

        def work(session: Session) -> None:
            row = SpendRow(
                team_id=payer.team_id,
                user_id=payer.user_id,
                feature=payer.feature.value,
                calls=calls,
                cost_usd=cost_usd,
                at=at,
            )
            session.add(row)
            session.flush()

        if not deferred(self._sessions, work, what="TikHub spend"):
            with transaction(self._sessions) as session:
                work(session)

    def total(self, team_id: str, start: datetime, end: datetime) -> float:
        """What the workspace spent in [start, end)."""
        stmt = select(func.coalesce(func.sum(SpendRow.cost_usd), 0.0)).where(*_within(team_id, start, end))
        with read_session(self._sessions) as session:
            return float(session.scalar(stmt) or 0.0)

    def by(self, column: str, team_id: str, start: datetime, end: datetime) -> list[SpendLine]:
        """Spend in [start, end) grouped by `column` ("user_id" or "feature"), largest first."""
        key = getattr(SpendRow, column)
        cost = func.sum(SpendRow.cost_usd)
        stmt = (
            select(key, func.sum(SpendRow.calls), cost)
            .where(*_within(team_id, start, end))
            .group_by(key)
            .order_by(cost.desc(), key)
        )
        with read_session(self._sessions) as session:
            return [SpendLine(k, int(n or 0), float(c or 0.0)) for k, n, c in session.execute(stmt)]

    def budget(self, team_id: str) -> StoredBudget | None:
        """The budget set for the workspace, or None when nobody set one (the default applies)."""
        with read_session(self._sessions) as session:
            row = session.get(WorkspaceBudgetRow, team_id)
            return None if row is None else StoredBudget(row.monthly_usd, row.set_by, row.set_at)

    def set_budget(self, team_id: str, monthly_usd: float | None, user_id: str, at: datetime) -> None:
        values = {"monthly_usd": monthly_usd, "set_by": user_id, "set_at": at}
        with transaction(self._sessions) as session:
            stmt = upsert_insert(session, WorkspaceBudgetRow).values(team_id=team_id, **values)
            session.execute(stmt.on_conflict_do_update(index_elements=["team_id"], set_=values))


def _within(team_id: str, start: datetime, end: datetime) -> tuple:
    return SpendRow.team_id == team_id, SpendRow.at >= start, SpendRow.at < end
