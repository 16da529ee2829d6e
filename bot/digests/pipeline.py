"""One digest run: fetch, diff against the previous run, shortlist watch, render, post, record.

The fetch goes through the same `CreatorSource` (so the same TikHub client, response cache and
in-flight coalescing) as interactive searches: digests sharing a keyword in a period share one
upstream call per page. A run is complete only once posted (or deliberately skipped when quiet).
When the data cannot be fetched, a note saying when we retry is posted once per period and the
run is retried on a doubling backoff until the period ends; Slack errors that mean the channel is
gone pause the digest with the reason.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.digests.changes import DiffThresholds
from bot.digests.diff import diff_digest
from bot.digests.models import BAD_QUERY, SLACK_PREFIX, TIKHUB_PREFIX, Digest, Job, RunStatus
from bot.digests.post import DigestPost
from bot.digests.poster import Poster, PostError
from bot.digests.snapshot import DigestSnapshot
from bot.digests.watch import WatchReport, watch_shortlists
from bot.errors import QueryError, UpstreamError
from bot.grammar import parse_query
from bot.models import Creator, Query, SearchResult
from bot.observability.metrics import metrics
from bot.search import OnSeen, SearchService
from bot.settings import Settings
from bot.shortlists.models import Shortlist
from bot.shortlists.service import ShortlistService
from bot.sources.base import CreatorSource
from bot.sources.extents import SearchExtents
from bot.spend.payer import Feature, Payer, current_payer, paying
from bot.store.digests import DigestStore, PreviousRun

log = logging.getLogger(__name__)

MAX_RETRY_DELAY = timedelta(hours=1)


def _now() -> datetime:
    return datetime.now(UTC)


def thresholds(settings: Settings) -> DiffThresholds:
    return DiffThresholds(
        followers_pct=settings.kolbot_digest_followers_pct,
        followers_abs=settings.kolbot_digest_followers_abs,
        rank_move=settings.kolbot_digest_rank_move,
    )


def parse_digest_query(text: str, settings: Settings) -> Query:
    """The grammar with the configured defaults; without `pages=` a digest fetches up to the cap."""
    return parse_query(
        text,
        default_pages=min(settings.kolbot_default_pages, settings.kolbot_digest_max_pages),
        max_pages=settings.kolbot_max_pages,
        default_top=settings.kolbot_default_top,
    )


def digest_query(digest: Digest, settings: Settings) -> Query:
    """The stored search with the digest's own page cap and top N."""
    query = parse_digest_query(digest.raw_query, settings)
    return query.model_copy(update={"pages": digest.pages, "top": digest.top_n})


def digest_payer(digest: Digest) -> Payer:
    """Who pays for a run: the user who asked for it (`/kol digest run`), else the digest's creator."""
    asking = current_payer()
    own = asking is not None and asking.team_id == digest.team_id and asking.user_id
    user = asking.user_id if own and asking else digest.created_by
    return Payer(digest.team_id, user, Feature.DIGESTS)


class DigestPipeline:
    def __init__(
        self,
        store: DigestStore,
        *,
        source: CreatorSource,
        shortlists: ShortlistService,
        poster: Poster,
        settings: Settings,
        on_seen: Sequence[OnSeen] = (),
        extents: SearchExtents | None = None,
    ) -> None:
        self._store, self._source, self._shortlists = store, source, shortlists
        self._extents = extents  # shared with search: a digest's run tells later searches its pages
        self._poster, self._settings, self._on_seen = poster, settings, on_seen
        self._thresholds = thresholds(settings)

    def run(self, job: Job) -> RunStatus:
        """Make the run; a manual run whose data is unavailable raises the `UpstreamError`."""
        digest, run = job.digest, job.run
        try:
            query = digest_query(digest, self._settings)
        except QueryError:
            log.warning("digest %s: stored search no longer parses; pausing", digest.short_id)
            return self._pause(job, BAD_QUERY)
        try:
            with paying(digest_payer(digest)):
                result, seen = self._search(query)
        except UpstreamError as err:
            return self._unavailable(job, query, err)
        post, watch = self._compare(job, query, result, seen)
        if post.nothing_changed and digest.quiet and not run.manual:
            snapshot, state = post.diff.snapshot, watch.state_json
            self._store.complete(run.id, RunStatus.SKIPPED, _now(), snapshot=snapshot, watch_json=state)
            return RunStatus.SKIPPED
        return self._deliver(job, post, post.diff.snapshot, watch.state_json)

    # -- steps ----------------------------------------------------------------------------------
    def _search(self, query: Query) -> tuple[SearchResult, list[Creator]]:
        """Search through the shared source, collecting every creator fetched (matched or not)."""
        seen: list[Creator] = []

        def record(creators: list[Creator], *, live: bool, fetched_at: datetime, from_cache: bool) -> None:
            seen.extend(creators)
            for hook in self._on_seen:
                hook(creators, live=live, fetched_at=fetched_at, from_cache=from_cache)

        return SearchService(self._source, on_seen=record, extents=self._extents).search(query), seen

    def _compare(
        self, job: Job, query: Query, result: SearchResult, seen: list[Creator]
    ) -> tuple[DigestPost, WatchReport]:
        """This run against the previous one: the digest's diff and the shortlist watch."""
        digest, run = job.digest, job.run
        previous = self._store.previous(digest.id)
        diff = diff_digest(
            previous.snapshot if previous else None,
            result,
            top_n=digest.top_n,
            seen=seen,
            thresholds=self._thresholds,
        )
        watch = self._watch(digest, seen, diff.snapshot, previous)
        post = DigestPost(
            digest, query, diff, watch.groups, result.stats, run.scheduled_for, run.late, run.manual
        )
        return post, watch

    def _watch(
        self, digest: Digest, seen: list[Creator], current: DigestSnapshot, previous: PreviousRun | None
    ) -> WatchReport:
        listings = self._shortlists.list(digest.team_id, digest.channel_id, include_closed=False)
        summaries = [self._shortlists.summary(digest.team_id, item.shortlist.short_id) for item in listings]
        return watch_shortlists(
            summaries,
            seen=seen,
            current=current,
            previous=previous.snapshot if previous else None,
            previous_state=previous.watch_json if previous else None,
            thresholds=self._thresholds,
            thread_url=self._thread_url,
        )

    def _thread_url(self, shortlist: Shortlist) -> str | None:
        if not (shortlist.parent_channel_id and shortlist.parent_ts):
            return None
        return self._poster.archive_url(shortlist.team_id, shortlist.parent_channel_id, shortlist.parent_ts)

    def _deliver(self, job: Job, post: DigestPost, snapshot: DigestSnapshot, watch_json: str) -> RunStatus:
        """Post the digest, or the parts of it an earlier attempt of the run did not get out."""
        channel = job.digest.channel_id
        earlier = [job.run.ts or ""] * job.run.parts  # parts out already (only the first ts is kept)
        error: str | None = None
        try:
            posted = [*earlier, *self._poster.post_digest(post, skip=job.run.parts)]
        except PostError as err:
            posted = [*earlier, *err.posted]
            if err.channel_gone:
                return self._pause(job, f"{SLACK_PREFIX}{err.code}", posted=posted)
            if not posted:
                return self._retry_later(job, str(err))
            error = f"part {len(posted) + 1}/{job.run.parts + err.parts} not posted: {err}"
            log.warning("digest %s: %s", job.digest.short_id, error)
            retry_at = self._retry_at(job)
            if retry_at is not None:  # the other parts next time: their changes are not lost
                self._store.record_failure(
                    job.run.id, error, retry_at=retry_at, notice_posted=job.run.notice_posted, posted=posted
                )
                return RunStatus.PENDING
            # No time left in the period (or a manual run): complete it rather than post parts twice.
        self._store.complete(
            job.run.id,
            RunStatus.POSTED,
            _now(),
            snapshot=snapshot,
            watch_json=watch_json,
            channel_id=channel,
            ts=posted[0],
            parts=len(posted),
            error=error,
        )
        metrics().digests_posted.inc()
        return RunStatus.POSTED

    def _unavailable(self, job: Job, query: Query, err: UpstreamError) -> RunStatus:
        """Post the note once per period, then retry later; a manual run just reports the error."""
        code = f"{err.kind}" + (f":{err.upstream_code}" if err.upstream_code is not None else "")
        error = f"{TIKHUB_PREFIX}{code}"
        log.warning("digest %s: data unavailable (%s)", job.digest.short_id, error)
        if job.run.manual:
            self._store.record_failure(job.run.id, error, retry_at=None, notice_posted=False)
            raise err
        retry_at = self._retry_at(job)
        noticed = job.run.notice_posted
        if not noticed:
            next_run = job.digest.schedule.next_due(job.run.scheduled_for)
            try:
                self._poster.post_unavailable(
                    job.digest, query.keyword, err, retry_at=retry_at, next_run=next_run
                )
                noticed = True
            except PostError as post_err:
                if post_err.channel_gone:
                    return self._pause(job, f"{SLACK_PREFIX}{post_err.code}")
                log.warning("digest %s: could not post the note: %s", job.digest.short_id, post_err)
        self._store.record_failure(job.run.id, error, retry_at=retry_at, notice_posted=noticed)
        return RunStatus.PENDING if retry_at else RunStatus.MISSED

    def _retry_later(self, job: Job, error: str) -> RunStatus:
        retry_at = self._retry_at(job)
        self._store.record_failure(job.run.id, error, retry_at=retry_at, notice_posted=job.run.notice_posted)
        return RunStatus.PENDING if retry_at else RunStatus.MISSED

    def _retry_at(self, job: Job) -> datetime | None:
        """After 1, 2, 4… × the retry delay (capped), if that is still within the run's period."""
        if job.run.manual:
            return None
        delay = timedelta(seconds=self._settings.kolbot_digest_retry_s * 2**job.run.attempts)
        at = _now() + min(delay, MAX_RETRY_DELAY)
        return at if at < job.digest.schedule.next_due(job.run.scheduled_for) else None

    def _pause(self, job: Job, reason: str, *, posted: Sequence[str] = ()) -> RunStatus:
        """The digest cannot post (channel gone, search unreadable): pause it and say why."""
        now = _now()
        self._store.pause(job.digest.team_id, job.digest.short_id, reason, now)
        self._store.complete(
            job.run.id,
            RunStatus.FAILED,
            now,
            channel_id=job.digest.channel_id if posted else None,
            ts=posted[0] if posted else None,
            parts=len(posted),
            error=reason,
        )
        return RunStatus.FAILED
