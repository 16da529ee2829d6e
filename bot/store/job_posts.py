"""What each queued job posted to Slack, so a job run again (after a crash or a retry) answers
its posts from here instead of posting them twice.

A post is keyed by its job and content (`bot.post_once.JobRun.post_key`). A post Slack can show
again (a channel message, a file share) is first committed as an intent (`intend`: no answer yet,
with the markers that find it in the channel), then sent, then its answer is recorded (`record`).
A row with an answer is a post made; an intent without one is a post that may or may not have
reached Slack (the worker died in between), which `bot.post_once` looks for before posting again;
a post Slack refused is forgotten (`forget`), as it was not made.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import read_session, transaction
from bot.db.results import rowcount
from bot.db.tables import JobPostRow
from bot.db.upsert import upsert_insert


@dataclass(frozen=True)
class JobPost:
    """One post of a job: Slack's answer (JSON) once recorded, else the intent's markers and time."""

    response: str | None
    markers: tuple[str, ...]
    since: datetime  # when it was first intended (or recorded)


class JobPosts:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def recall(self, key: str) -> JobPost | None:
        """Post `key` as recorded or intended, or None when no run began it."""
        with read_session(self._sessions) as session:
            row = session.get(JobPostRow, key)
            if row is None:
                return None
            return JobPost(row.response, tuple(json.loads(row.markers or "[]")), row.posted_at)

    def intend(self, key: str, markers: list[str]) -> None:
        """Commit that post `key` is about to be sent, found again by `markers`. An intent already
        there keeps its time (the search for it starts there) and takes the new markers: its earlier
        send was looked for and not found."""
        with transaction(self._sessions) as session:
            stmt = upsert_insert(session, JobPostRow).values(
                key=key, response=None, markers=json.dumps(markers), posted_at=datetime.now(UTC)
            )
            update = {"markers": stmt.excluded.markers}
            session.execute(stmt.on_conflict_do_update(index_elements=["key"], set_=update))

    def record(self, key: str, response: str) -> None:
        """Record Slack's answer to post `key`, completing its intent (an answer already recorded,
        by a run that overlapped this one, stays)."""
        with transaction(self._sessions) as session:
            stmt = upsert_insert(session, JobPostRow).values(
                key=key, response=response, posted_at=datetime.now(UTC)
            )
            update = {"response": func.coalesce(JobPostRow.response, stmt.excluded.response)}
            session.execute(stmt.on_conflict_do_update(index_elements=["key"], set_=update))

    def forget(self, key: str) -> None:
        """Drop the intent of post `key` (Slack refused the post); a recorded answer stays."""
        with transaction(self._sessions) as session:
            session.execute(delete(JobPostRow).where(JobPostRow.key == key, JobPostRow.response.is_(None)))

    def prune(self, before: datetime) -> int:
        """Forget posts begun before `before`; returns how many were removed."""
        with transaction(self._sessions) as session:
            return rowcount(session.execute(delete(JobPostRow).where(JobPostRow.posted_at < before)))
