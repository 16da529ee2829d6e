"""The `clock` process: every tick, claim the due digest runs and post them.

The clock holds no state of its own: what is due is computed from the database, and a run is
claimed there before anything is posted, so restarts, deploys or a second clock never post a
period twice, and after downtime each digest catches up once. Runs are grouped by channel: a
channel's runs go one after the other (the poster spaces them), different channels in parallel.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from bot.digests.models import Job
from bot.digests.service import LEASE, DigestService

log = logging.getLogger(__name__)

QUEUED = "queued"  # outcome of a run handed to the job queue (`bot.digests.jobs`)
ERROR = "error"  # outcome of a run that raised unexpectedly (it is retried once its lease lapses)


class Clock:
    """Ticks the digests; also runs periodic housekeeping (`bot.housekeeping`), at most once per
    `housekeeping_every_s`."""

    def __init__(
        self,
        service: DigestService,
        *,
        tick_s: float,
        workers: int = 16,
        housekeeping: Callable[[], object] | None = None,
        housekeeping_every_s: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
        enqueue: Callable[[Job], object] | None = None,
    ) -> None:
        """`enqueue`: hand each claimed run to the job queue (workers post it) instead of posting here."""
        self._service, self._tick_s, self._workers = service, tick_s, max(1, workers)
        self._enqueue = enqueue
        self._housekeeping, self._housekeeping_every_s = housekeeping, housekeeping_every_s
        self._clock = clock
        self._last_housekeeping: float | None = None
        self._failing_since: float | None = None  # when the current run of failed ticks began
        self._failed_ticks = 0
        self._busy_since: float | None = None  # when the tick (and housekeeping) under way began

    def tick(self, now: datetime | None = None) -> Counter[str]:
        """Claim and make every run due at `now`; returns how many ended in each status."""
        jobs = self._service.claim_due(now or datetime.now(UTC))
        outcomes: Counter[str] = Counter()
        if not jobs:
            return outcomes
        if self._enqueue is not None:
            for job in jobs:
                self._enqueue(job)
            outcomes[QUEUED] = len(jobs)
            log.info("digest tick: %d run(s) queued", len(jobs))
            return outcomes
        by_channel: dict[str, list[Job]] = defaultdict(list)
        for job in jobs:
            by_channel[job.digest.channel_id].append(job)
        with ThreadPoolExecutor(min(self._workers, len(by_channel)), thread_name_prefix="digest") as pool:
            for results in pool.map(self._run_channel, by_channel.values()):
                outcomes.update(results)
        log.info("digest tick: %s", dict(outcomes))
        return outcomes

    def run_forever(
        self, *, wait: Callable[[float], bool] | None = None, stopped: Callable[[], bool] = lambda: False
    ) -> None:
        """Tick until `wait(tick_s)` returns True (default: forever, once per tick). `stopped()` is
        asked after each tick too: a clock told to stop does not start its housekeeping.

        A failing tick (say, the database is down) is logged and tried again next tick; the first
        tick that works after failures says so once.
        """
        wait = wait or threading.Event().wait
        while True:
            self._busy_since = self._clock()
            try:
                self.tick()
            except Exception:
                if self._failing_since is None:
                    self._failing_since = self._clock()
                self._failed_ticks += 1
                log.exception("digest tick failed; trying again in %.0f s", self._tick_s)
            else:
                if self._failing_since is not None:
                    log.info(
                        "digest ticks work again after %.0f s (%d failed)",
                        self._clock() - self._failing_since,
                        self._failed_ticks,
                    )
                self._failing_since, self._failed_ticks = None, 0
            if stopped():
                return
            self._housekeep()
            self._busy_since = None
            if wait(self._tick_s):
                return

    def stuck(self) -> str | None:
        """For `/healthz`: a tick (with its housekeeping) under way for longer than a digest run's
        lease, after which another clock would take its runs over; None otherwise."""
        since = self._busy_since
        if since is None or self._clock() - since <= LEASE.total_seconds():
            return None
        return f"digest tick running for {self._clock() - since:.0f} s"

    def _housekeep(self) -> None:
        now = self._clock()
        due = self._last_housekeeping is None or now - self._last_housekeeping >= self._housekeeping_every_s
        if self._housekeeping is None or not due:
            return
        self._last_housekeeping = now
        try:
            self._housekeeping()
        except Exception:
            log.exception("housekeeping failed; trying again in %.0f s", self._housekeeping_every_s)

    def _run_channel(self, jobs: list[Job]) -> list[str]:
        return [self._run(job) for job in jobs]

    def _run(self, job: Job) -> str:
        try:
            return self._service.execute(job).value
        except Exception:
            log.exception("digest %s: run %d failed unexpectedly", job.digest.short_id, job.run.id)
            return ERROR
