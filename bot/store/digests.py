"""Digests, their runs and the workspace digest settings, in SQL.

A run is claimed by inserting its unique (digest, period) row before anything is posted:
`INSERT … ON CONFLICT DO NOTHING` returns a row only to the one process that got there first,
so restarts, deploys and a second clock started by mistake never run a period twice. A claimed
run carries a lease (`lease_until`); retries and runs whose clock died mid-way are taken over by
a conditional UPDATE once the lease has lapsed, which again only one process can win.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import read_session
from bot.db.ids import short_id
from bot.db.results import rowcount
from bot.db.retry import in_transaction
from bot.db.tables import DigestRow, DigestRunRow, DigestSettingsRow
from bot.db.upsert import upsert_insert
from bot.digests import errors
from bot.digests.models import Digest, DigestRun, DigestStatus, Job, RunStatus
from bot.digests.schedule import DueRun
from bot.digests.snapshot import DigestSnapshot
from bot.i18n import LANGS, SOURCE_LANG
from bot.models import Lang

MAX_ERROR_CHARS = 300


@dataclass(frozen=True)
class NewDigest:
    team_id: str
    channel_id: str
    created_by: str
    raw_query: str
    schedule_spec: str
    top_n: int
    pages: int
    quiet: bool
    lang: str
    last_period_key: str  # the period it is created in counts as done: the first post is the next slot


@dataclass(frozen=True)
class PreviousRun:
    """What the latest completed run saw, for the next diff."""

    snapshot: DigestSnapshot
    watch_json: str | None


class DigestStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    # -- digests ------------------------------------------------------------------------------
    def create(self, new: NewDigest, now: datetime) -> Digest:
        """Store a digest under a fresh short id (a collision retries with another)."""

        def insert(session: Session) -> Digest:
            row = DigestRow(
                short_id=short_id(),
                schedule=new.schedule_spec,
                status=DigestStatus.ACTIVE.value,
                created_at=now,
                **{k: getattr(new, k) for k in _NEW_FIELDS},
            )
            session.add(row)
            session.flush()
            return to_digest(row)

        return in_transaction(self._sessions, insert)

    def get(self, team_id: str, digest_id: str) -> Digest:
        """By short id; refuses another workspace's digest."""
        with read_session(self._sessions) as session:
            return to_digest(self._row(session, team_id, digest_id))

    def in_channel(self, team_id: str, channel_id: str) -> list[Digest]:
        return self._where(DigestRow.team_id == team_id, DigestRow.channel_id == channel_id)

    def in_team(self, team_id: str) -> list[Digest]:
        return self._where(DigestRow.team_id == team_id)

    def _where(self, *conditions: Any) -> list[Digest]:
        stmt = select(DigestRow).where(*conditions).order_by(DigestRow.created_at, DigestRow.id)
        with read_session(self._sessions) as session:
            return [to_digest(row) for row in session.scalars(stmt)]

    def active(self) -> list[Digest]:
        stmt = select(DigestRow).where(DigestRow.status == DigestStatus.ACTIVE.value).order_by(DigestRow.id)
        with read_session(self._sessions) as session:
            return [to_digest(row) for row in session.scalars(stmt)]

    def pause(self, team_id: str, digest_id: str, reason: str, now: datetime) -> Digest:
        """Paused with the reason; runs waiting for a retry are given up (resume starts afresh)."""
        values = {"status": DigestStatus.PAUSED.value, "pause_reason": reason[:200], "paused_at": now}
        return self._change(team_id, digest_id, values, drop_pending=True)

    def resume(self, team_id: str, digest_id: str, period_key: str) -> Digest:
        """Active again from the next slot on: periods missed while paused are not caught up."""
        values = {
            "status": DigestStatus.ACTIVE.value,
            "pause_reason": None,
            "paused_at": None,
            "last_period_key": period_key,
        }
        return self._change(team_id, digest_id, values)

    def delete(self, team_id: str, digest_id: str) -> Digest:
        """Remove the digest and its run history; returns it as it was."""

        def work(session: Session) -> Digest:
            row = self._row(session, team_id, digest_id, lock=True)
            session.delete(row)
            return to_digest(row)

        return in_transaction(self._sessions, work)

    # -- runs ---------------------------------------------------------------------------------
    def claim(self, digest: Digest, due: DueRun, now: datetime, lease: timedelta) -> Job | None:
        """Claim the scheduled run `due`; None when another process already has it.

        Older runs of the digest still waiting for a retry are superseded by this one.
        """

        def work(session: Session) -> Job | None:
            _lock_digest(session, digest.id)
            if _under_way(session, digest.id, now):  # a `run` now: this period waits for the next tick
                return None
            run = _claim_run(session, digest, due, now, lease)
            if run is None:
                return None
            session.execute(
                update(DigestRow).where(DigestRow.id == digest.id).values(last_period_key=due.period_key)
            )
            _supersede_pending(session, digest.id, keep=run.id)
            return Job(digest, run)

        return in_transaction(self._sessions, work)

    def claim_manual(self, digest: Digest, now: datetime, lease: timedelta, *, request: str) -> Job:
        """A `run now` request: its own period outside the schedule, keyed by the Slack request it
        serves. The queue running that request's job again (its worker died, or a transient fault)
        gets the same run back, leased to it, instead of making a second one."""
        key = "manual:" + hashlib.sha256(request.encode()).hexdigest()[:40]

        def work(session: Session) -> Job:
            _lock_digest(session, digest.id)  # a second `run` waits here, then sees the first's
            stmt = select(DigestRunRow).where(
                DigestRunRow.digest_id == digest.id, DigestRunRow.period_key == key
            )
            row = session.scalars(stmt.with_for_update()).one_or_none()
            if row is None and _under_way(session, digest.id, now):
                raise errors.run_under_way(digest.short_id)  # both would diff against one baseline
            if row is None:
                row = _run_row(digest, key, now, False, True, now, lease)
                session.add(row)
                session.flush()
            elif row.status == RunStatus.PENDING.value:  # the same job, run again: take the run over
                row.lease_until, row.next_attempt_at = now + lease, now
            return Job(digest, to_run(row))

        return in_transaction(self._sessions, work)

    def take_retries(self, now: datetime, lease: timedelta) -> list[Job]:
        """Lease every pending run that is due for another attempt and nobody is working on."""
        stmt = (
            select(DigestRunRow, DigestRow)
            .join(DigestRow, DigestRow.id == DigestRunRow.digest_id)
            .where(
                DigestRow.status == DigestStatus.ACTIVE.value,
                DigestRunRow.status == RunStatus.PENDING.value,
                DigestRunRow.next_attempt_at <= now,
                or_(DigestRunRow.lease_until.is_(None), DigestRunRow.lease_until < now),
            )
            .order_by(DigestRunRow.id)
        )
        with read_session(self._sessions) as session:
            candidates = [(to_run(run), to_digest(digest)) for run, digest in session.execute(stmt)]
        return [Job(digest, run) for run, digest in candidates if self._lease(run.id, now, lease)]

    def record_failure(
        self,
        run_id: int,
        error: str,
        *,
        retry_at: datetime | None,
        notice_posted: bool,
        posted: Sequence[str] = (),
    ) -> None:
        """One more failed attempt; without `retry_at` the period is given up (missed). `posted`: the
        ts of the digest's parts out already (the next attempt posts the rest)."""
        status = RunStatus.PENDING if retry_at else RunStatus.MISSED
        values: dict[str, Any] = {
            "status": status.value,
            "attempts": DigestRunRow.attempts + 1,
            "next_attempt_at": retry_at,
            "lease_until": None,
            "last_error": error[:MAX_ERROR_CHARS],
            "notice_posted": notice_posted,
        }
        if posted:
            values |= {"ts": posted[0], "parts": len(posted)}
        self._update_run(run_id, values)

    def complete(
        self,
        run_id: int,
        status: RunStatus,
        now: datetime,
        *,
        snapshot: DigestSnapshot | None = None,
        watch_json: str | None = None,
        channel_id: str | None = None,
        ts: str | None = None,
        parts: int = 0,
        error: str | None = None,
    ) -> None:
        """The run is over: posted (with where), skipped, or failed because the channel is gone."""
        values: dict[str, Any] = {
            "status": status.value,
            "attempts": DigestRunRow.attempts + 1,
            "next_attempt_at": None,
            "lease_until": None,
            "snapshot_json": snapshot.to_json() if snapshot else None,
            "watch_json": watch_json,
            "channel_id": channel_id,
            "ts": ts,
            "parts": parts,
            "completed_at": now,
        }
        if error:
            values["last_error"] = error[:MAX_ERROR_CHARS]
        self._update_run(run_id, values)

    def previous(self, digest_id: int) -> PreviousRun | None:
        """The latest completed run that stored a snapshot."""
        stmt = (
            select(DigestRunRow.snapshot_json, DigestRunRow.watch_json)
            .where(DigestRunRow.digest_id == digest_id, DigestRunRow.snapshot_json.is_not(None))
            .order_by(DigestRunRow.completed_at.desc(), DigestRunRow.id.desc())
            .limit(1)
        )
        with read_session(self._sessions) as session:
            row = session.execute(stmt).first()
        return PreviousRun(DigestSnapshot.from_json(row.snapshot_json), row.watch_json) if row else None

    def runs(self, digest_id: int, *, limit: int = 5) -> list[DigestRun]:
        """The latest runs, newest first."""
        stmt = (
            select(DigestRunRow)
            .where(DigestRunRow.digest_id == digest_id)
            .order_by(DigestRunRow.id.desc())
            .limit(limit)
        )
        with read_session(self._sessions) as session:
            return [to_run(row) for row in session.scalars(stmt)]

    def latest_runs(self, digest_ids: Sequence[int]) -> dict[int, DigestRun]:
        """The newest run of each digest that has one."""
        if not digest_ids:
            return {}
        newest = (
            select(func.max(DigestRunRow.id))
            .where(DigestRunRow.digest_id.in_(digest_ids))
            .group_by(DigestRunRow.digest_id)
        )
        with read_session(self._sessions) as session:
            rows = session.scalars(select(DigestRunRow).where(DigestRunRow.id.in_(newest)))
            return {row.digest_id: to_run(row) for row in rows}

    # -- workspace settings -------------------------------------------------------------------
    def timezone(self, team_id: str) -> str | None:
        with read_session(self._sessions) as session:
            return session.scalar(select(DigestSettingsRow.tz).where(DigestSettingsRow.team_id == team_id))

    def set_timezone(self, team_id: str, tz: str, user_id: str, now: datetime) -> None:
        def work(session: Session) -> None:
            stmt = upsert_insert(session, DigestSettingsRow).values(
                team_id=team_id, tz=tz, updated_by=user_id, updated_at=now
            )
            session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["team_id"],
                    set_={"tz": stmt.excluded.tz, "updated_by": user_id, "updated_at": now},
                )
            )

        in_transaction(self._sessions, work)

    # -- internals ----------------------------------------------------------------------------
    def _row(self, session: Session, team_id: str, digest_id: str, *, lock: bool = False) -> DigestRow:
        stmt = select(DigestRow).where(DigestRow.short_id == digest_id.strip().lower())
        row = session.scalar(stmt.with_for_update() if lock else stmt)
        if row is None:
            raise errors.unknown_id(digest_id.strip())
        if row.team_id != team_id:
            raise errors.other_workspace()
        return row

    def _change(
        self, team_id: str, digest_id: str, values: dict[str, Any], *, drop_pending: bool = False
    ) -> Digest:
        def work(session: Session) -> Digest:
            row = self._row(session, team_id, digest_id, lock=True)
            for key, value in values.items():
                setattr(row, key, value)
            if drop_pending:
                _supersede_pending(session, row.id)
            return to_digest(row)

        return in_transaction(self._sessions, work)

    def pending_job(self, run_id: int) -> Job | None:
        """The run `run_id` with its digest while it is still pending (a queued digest job owns
        it, whatever its lease); None once it ended (posted, skipped, missed or failed)."""
        stmt = (
            select(DigestRunRow, DigestRow)
            .join(DigestRow, DigestRow.id == DigestRunRow.digest_id)
            .where(DigestRunRow.id == run_id, DigestRunRow.status == RunStatus.PENDING.value)
        )
        with read_session(self._sessions) as session:
            found = session.execute(stmt).first()
        return None if found is None else Job(to_digest(found[1]), to_run(found[0]))

    def _lease(self, run_id: int, now: datetime, lease: timedelta) -> bool:
        """Take the run if it is still pending, due and unleased; only one process can win."""
        stmt = (
            update(DigestRunRow)
            .where(
                DigestRunRow.id == run_id,
                DigestRunRow.status == RunStatus.PENDING.value,
                DigestRunRow.next_attempt_at <= now,
                or_(DigestRunRow.lease_until.is_(None), DigestRunRow.lease_until < now),
            )
            .values(lease_until=now + lease)
        )
        return in_transaction(self._sessions, lambda session: rowcount(session.execute(stmt)) == 1)

    def _update_run(self, run_id: int, values: dict[str, Any]) -> None:
        stmt = update(DigestRunRow).where(DigestRunRow.id == run_id).values(**values)
        in_transaction(self._sessions, lambda session: session.execute(stmt))


_NEW_FIELDS = (
    "team_id",
    "channel_id",
    "created_by",
    "raw_query",
    "top_n",
    "pages",
    "quiet",
    "lang",
    "last_period_key",
)


def _supersede_pending(session: Session, digest_id: int, *, keep: int | None = None) -> None:
    """Give up the digest's runs still waiting for a retry (all but `keep`)."""
    session.execute(
        update(DigestRunRow)
        .where(
            DigestRunRow.digest_id == digest_id,
            DigestRunRow.status == RunStatus.PENDING.value,
            DigestRunRow.id != (keep or 0),
        )
        .values(status=RunStatus.MISSED.value, next_attempt_at=None, lease_until=None)
    )


def _run_row(
    digest: Digest,
    period_key: str,
    scheduled_for: datetime,
    late: bool,
    manual: bool,
    now: datetime,
    lease: timedelta,
) -> DigestRunRow:
    """A fresh run, leased to the caller and due now."""
    return DigestRunRow(
        digest_id=digest.id,
        team_id=digest.team_id,
        period_key=period_key,
        scheduled_for=scheduled_for,
        late=late,
        manual=manual,
        status=RunStatus.PENDING.value,
        attempts=0,
        next_attempt_at=now,
        lease_until=now + lease,
        notice_posted=False,
        parts=0,
        created_at=now,
    )


def _claim_run(
    session: Session, digest: Digest, due: DueRun, now: datetime, lease: timedelta
) -> DigestRun | None:
    """Insert the (digest, period) row; None when it exists already (someone else claimed it)."""
    row = _run_row(digest, due.period_key, due.scheduled_for, due.late, False, now, lease)
    values = {c.name: getattr(row, c.key) for c in DigestRunRow.__table__.columns if c.key != "id"}
    stmt = (
        upsert_insert(session, DigestRunRow)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["digest_id", "period_key"])
        .returning(DigestRunRow)
    )
    claimed = session.scalars(stmt).first()
    return to_run(claimed) if claimed is not None else None


def to_digest(row: DigestRow) -> Digest:
    return Digest(
        id=row.id,
        short_id=row.short_id,
        team_id=row.team_id,
        channel_id=row.channel_id,
        created_by=row.created_by,
        raw_query=row.raw_query,
        schedule_spec=row.schedule,
        top_n=row.top_n,
        pages=row.pages,
        quiet=row.quiet,
        lang=_lang(row.lang),
        status=DigestStatus(row.status),
        pause_reason=row.pause_reason,
        paused_at=row.paused_at,
        last_period_key=row.last_period_key,
        created_at=row.created_at,
    )


def to_run(row: DigestRunRow) -> DigestRun:
    return DigestRun(
        id=row.id,
        digest_id=row.digest_id,
        period_key=row.period_key,
        scheduled_for=row.scheduled_for,
        late=row.late,
        manual=row.manual,
        status=RunStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        notice_posted=row.notice_posted,
        channel_id=row.channel_id,
        ts=row.ts,
        parts=row.parts,
        created_at=row.created_at,
        completed_at=row.completed_at,
    )


def _lang(code: str) -> Lang:
    """The stored language code; anything else reads as the source language (English)."""
    return code if code in LANGS else SOURCE_LANG


def _lock_digest(session: Session, digest_id: int) -> None:
    """One claim of a digest's runs at a time, across processes (its row locked to the end of the
    transaction; SQLite's write transactions are one at a time anyway)."""
    session.scalars(select(DigestRow.id).where(DigestRow.id == digest_id).with_for_update()).one()


def _under_way(session: Session, digest_id: int, now: datetime) -> bool:
    """Whether a run of the digest is being made now (pending, and leased to someone)."""
    stmt = select(DigestRunRow.id).where(
        DigestRunRow.digest_id == digest_id,
        DigestRunRow.status == RunStatus.PENDING.value,
        DigestRunRow.lease_until > now,
    )
    return session.scalars(stmt.limit(1)).first() is not None
