"""Digests for `/kol digest` and the clock: save, list, show, pause, resume, remove, run now, time
zone; and for the clock, claiming due runs and running them (`bot.digests.pipeline`).

No Slack handler code here. Every command takes the workspace (`team_id`) and refuses another
workspace's digest; bad input raises a bilingual `QueryError`/`DigestError` and stores nothing.
A new digest's first post is its next scheduled slot (`run` posts one at once).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.digests import errors
from bot.digests.models import (
    PAUSED_BY_PREFIX,
    SLACK_PREFIX,
    ChannelDigests,
    Digest,
    DigestDetail,
    Job,
    RunStatus,
)
from bot.digests.pipeline import DigestPipeline, digest_query, parse_digest_query
from bot.digests.request import parse_add
from bot.digests.schedule import due_run, parse_schedule
from bot.models import Lang, Query
from bot.settings import Settings
from bot.store.digests import DigestStore, NewDigest

LEASE = timedelta(minutes=15)  # a clock that died mid-run is taken over after this


def _now() -> datetime:
    return datetime.now(UTC)


class DigestService:
    def __init__(self, store: DigestStore, pipeline: DigestPipeline, *, settings: Settings) -> None:
        self._store, self._pipeline, self._settings = store, pipeline, settings

    # -- commands -------------------------------------------------------------------------------
    def add(self, team_id: str, channel_id: str, user_id: str, text: str, lang: Lang) -> DigestDetail:
        """`add "<search>" <schedule> [top=N] [pages=N] [quiet=yes|no]` for the channel."""
        request = parse_add(text)
        query = parse_digest_query(request.query, self._settings)
        pages = request.pages or query.pages
        if pages > self._settings.kolbot_digest_max_pages:
            raise errors.too_many_pages(pages, self._settings.kolbot_digest_max_pages)
        schedule = parse_schedule(
            request.schedule,
            default_tz=self.timezone(team_id),
            min_interval=timedelta(minutes=self._settings.kolbot_digest_min_interval_min),
        )
        same = _search_key(request.query)
        for digest in self._store.in_channel(team_id, channel_id):  # four of one digest: four posts a day
            if _search_key(digest.raw_query) == same and digest.schedule_spec == schedule.spec:
                raise errors.already_scheduled(digest.short_id)
        now = _now()
        new = NewDigest(
            team_id=team_id,
            channel_id=channel_id,
            created_by=user_id,
            raw_query=request.query,
            schedule_spec=schedule.spec,
            top_n=request.top or query.top,
            pages=pages,
            quiet=bool(request.quiet),
            lang=query.lang or lang,
            last_period_key=schedule.period_key(now),
        )
        return DigestDetail(self._store.create(new, now), [])

    def get(self, team_id: str, digest_id: str) -> Digest:
        """The workspace's digest `digest_id` (refused when it has none by that id)."""
        return self._store.get(team_id, digest_id)

    def show(self, team_id: str, digest_id: str) -> DigestDetail:
        digest = self.get(team_id, digest_id)
        return DigestDetail(digest, self._store.runs(digest.id))

    def channel(self, team_id: str, channel_id: str) -> ChannelDigests:
        digests = self._store.in_channel(team_id, channel_id)
        latest = self._store.latest_runs([d.id for d in digests])
        return ChannelDigests(digests, latest, self.timezone(team_id))

    def in_channel(self, team_id: str, digest_id: str, channel_id: str, *, removing: bool = False) -> Digest:
        """The digest, refused unless it posts in `channel_id`: a digest is paused, resumed, run or
        removed where the team that reads it can see it done. One that paused itself because Slack
        refused its channel (deleted, archived, the bot removed) can be removed from anywhere."""
        digest = self.get(team_id, digest_id)
        gone = removing and (digest.pause_reason or "").startswith(SLACK_PREFIX)
        if digest.channel_id != channel_id and not gone:
            raise errors.other_channel(digest.short_id, digest.channel_id)
        return digest

    def pause(self, team_id: str, digest_id: str, user_id: str) -> Digest:
        digest = self.get(team_id, digest_id)
        if not digest.active:
            raise errors.already_paused(digest.short_id)
        return self._store.pause(team_id, digest_id, f"{PAUSED_BY_PREFIX}{user_id}", _now())

    def resume(self, team_id: str, digest_id: str) -> Digest:
        """Active again from its next slot; periods missed while paused are not posted."""
        digest = self.get(team_id, digest_id)
        if digest.active:
            raise errors.already_active(digest.short_id)
        return self._store.resume(team_id, digest_id, digest.schedule.period_key(_now()))

    def pause_workspace(self, team_id: str, reason: str) -> list[Digest]:
        """Pause every active digest of the workspace (kolbot was removed from it)."""
        active = [d for d in self._store.in_team(team_id) if d.active]
        return [self._store.pause(team_id, d.short_id, reason, _now()) for d in active]

    def resume_workspace(self, team_id: str, reason: str) -> list[Digest]:
        """Resume the workspace's digests that `pause_workspace(team_id, reason)` paused."""
        return [
            self.resume(team_id, d.short_id)
            for d in self._store.in_team(team_id)
            if not d.active and d.pause_reason == reason
        ]

    def remove(self, team_id: str, digest_id: str) -> Digest:
        return self._store.delete(team_id, digest_id)

    def timezone(self, team_id: str) -> str:
        """The zone new digests get when their schedule names none."""
        return self._store.timezone(team_id) or self._settings.kolbot_digest_tz

    def set_timezone(self, team_id: str, user_id: str, zone: str) -> str:
        """Store the workspace's default zone; raises `QueryError` for an unknown zone."""
        tz = parse_schedule(f"daily 00:00 tz={zone.strip()}").tz  # the schedule grammar's zone check
        self._store.set_timezone(team_id, tz, user_id, _now())
        return tz

    def query(self, digest: Digest) -> Query:
        """The digest's search as it runs (for cards)."""
        return digest_query(digest, self._settings)

    def run_now(self, team_id: str, digest_id: str, *, request: str) -> DigestDetail:
        """Post the digest now (even when paused or quiet); raises when it could not be posted.

        `request` names the Slack request this serves: running it again (a retried job) finishes the
        same run, and a run already finished is reported, not made twice."""
        digest = self._store.get(team_id, digest_id)
        job = self._store.claim_manual(digest, _now(), LEASE, request=request)
        pending = job.run.status is RunStatus.PENDING
        status = self._pipeline.run(job) if pending else job.run.status
        detail = self.show(team_id, digest_id)
        if status is not RunStatus.POSTED:
            error = detail.runs[0].last_error or "unknown"
            paused = status is RunStatus.FAILED
            raise errors.not_posted(digest.short_id, error, paused=paused)
        return detail

    # -- the clock ------------------------------------------------------------------------------
    def claim_due(self, now: datetime) -> list[Job]:
        """Claim every run due at `now` (one per digest: after downtime, only the latest period),
        plus retries whose time has come. Runs another process claimed are left out."""
        jobs = []
        for digest in self._store.active():
            due = due_run(digest.schedule, digest.last_period_key, now)
            if due is not None and (job := self._store.claim(digest, due, now, LEASE)) is not None:
                jobs.append(job)
        return jobs + self._store.take_retries(now, LEASE)

    def execute(self, job: Job) -> RunStatus:
        return self._pipeline.run(job)

    def execute_pending(self, run_id: int) -> RunStatus | None:
        """Make the run `run_id` if it is still pending (a queued job run again after it ended does
        nothing); None when there was nothing left to do."""
        job = self._store.pending_job(run_id)
        return None if job is None else self._pipeline.run(job)


def _search_key(text: str) -> str:
    """A digest's search as compared with another's: spaces and case aside."""
    return " ".join(text.split()).casefold()
