"""What each queued job posted to Slack, so a job run again (after a crash or a retry) answers
its posts from here instead of posting them twice.

A job's posts are numbered in the order it makes them (`<job key>#<n>`): a task posts in the
same order each time it runs. A post is recorded right after Slack answered it; only a crash in
between those two steps can still post twice.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import read_session, transaction
from bot.db.results import rowcount
from bot.db.tables import JobPostRow
from bot.db.upsert import upsert_insert


class JobPosts:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def recall(self, key: str) -> str | None:
        """The recorded answer to post `key`, or None when it was not posted yet."""
        with read_session(self._sessions) as session:
            return session.scalar(select(JobPostRow.response).where(JobPostRow.key == key))

    def record(self, key: str, response: str) -> None:
        with transaction(self._sessions) as session:
            stmt = upsert_insert(session, JobPostRow).values(
                key=key, response=response, posted_at=datetime.now(UTC)
            )
            session.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))

    def prune(self, before: datetime) -> int:
        """Forget posts recorded before `before`; returns how many were removed."""
        with transaction(self._sessions) as session:
            return rowcount(session.execute(delete(JobPostRow).where(JobPostRow.posted_at < before)))
