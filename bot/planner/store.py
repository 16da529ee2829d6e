"""Saved plans, numbered 1, 2, 3… per channel, so `/kol plan show 3` finds one after quotes change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import read_session
from bot.db.retry import in_transaction
from bot.db.tables import PlanRow
from bot.i18n import LANGS
from bot.models import Lang
from bot.planner.models import Plan

LIST_LIMIT = 20


@dataclass(frozen=True)
class SavedPlan:
    id: int
    number: int
    team_id: str
    channel_id: str
    shortlist_id: str | None
    search_text: str | None
    created_by: str
    lang: Lang
    created_at: datetime
    plan: Plan


class PlanStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def save(
        self,
        team_id: str,
        channel_id: str,
        user_id: str,
        plan: Plan,
        *,
        lang: Lang,
        shortlist_id: str | None = None,
        search_text: str | None = None,
    ) -> SavedPlan:
        """Store `plan` under the channel's next number (a lost race on the number retries)."""

        def insert(session: Session) -> SavedPlan:
            last = session.scalar(
                select(func.max(PlanRow.number)).where(
                    PlanRow.team_id == team_id, PlanRow.channel_id == channel_id
                )
            )
            row = PlanRow(
                team_id=team_id,
                channel_id=channel_id,
                number=(last or 0) + 1,
                shortlist_id=shortlist_id,
                search_text=search_text,
                created_by=user_id,
                lang=lang,
                budget_yuan=plan.request.budget_yuan,
                plan_json=plan.model_dump_json(),
                created_at=datetime.now(UTC),
            )
            session.add(row)
            session.flush()
            return _saved(row, plan)

        return in_transaction(self._sessions, insert)

    def get(self, team_id: str, plan_id: int) -> SavedPlan | None:
        """By row id (button values); None when unknown or another workspace's."""
        with read_session(self._sessions) as session:
            row = session.get(PlanRow, plan_id)
            return _saved(row) if row is not None and row.team_id == team_id else None

    def by_number(self, team_id: str, channel_id: str, number: int) -> SavedPlan | None:
        with read_session(self._sessions) as session:
            row = session.scalar(
                select(PlanRow).where(
                    PlanRow.team_id == team_id, PlanRow.channel_id == channel_id, PlanRow.number == number
                )
            )
            return _saved(row) if row is not None else None

    def recent(
        self, team_id: str, channel_id: str, *, shortlist_id: str | None = None, limit: int = LIST_LIMIT
    ) -> list[SavedPlan]:
        """The channel's latest plans (only the shortlist's, when given), newest first."""
        stmt = select(PlanRow).where(PlanRow.team_id == team_id, PlanRow.channel_id == channel_id)
        if shortlist_id is not None:
            stmt = stmt.where(PlanRow.shortlist_id == shortlist_id)
        with read_session(self._sessions) as session:
            rows = session.scalars(stmt.order_by(PlanRow.number.desc()).limit(limit)).all()
            return [_saved(r) for r in rows]


def _saved(row: PlanRow, plan: Plan | None = None) -> SavedPlan:
    return SavedPlan(
        id=row.id,
        number=row.number,
        team_id=row.team_id,
        channel_id=row.channel_id,
        shortlist_id=row.shortlist_id,
        search_text=row.search_text,
        created_by=row.created_by,
        lang=next((code for code in LANGS if code == row.lang), "en"),  # unknown codes read as English
        created_at=row.created_at,
        plan=plan or Plan.model_validate_json(row.plan_json),
    )
