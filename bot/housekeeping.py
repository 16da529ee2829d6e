"""Housekeeping: delete the rows nobody needs any more, so every table stays bounded.

Without it `saved_searches`, `request_claims` and `http_cache` grow with every request. A job is a
name and a function `(now) -> rows deleted`; `default_jobs` lists kolbot's, and another job (say,
purging uninstalled workspaces) is one more entry in that list. `kolbot serve` runs the jobs on a
daemon thread every `KOLBOT_HOUSEKEEPING_INTERVAL_MIN`, and `kolbot clock` on its tick; running
them in several processes at once is harmless, since each job is an idempotent DELETE.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.db.engine import session_factory
from bot.services import Services
from bot.store.http_cache import SqlResponseCache

log = logging.getLogger(__name__)
MB = 1024 * 1024


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[datetime], int]  # (now) -> rows deleted


def default_jobs(services: Services) -> list[Job]:
    """Forget old request claims and saved searches, drop expired TikHub answers and the oldest ones
    above `KOLBOT_CACHE_MAX_MB`, and delete the data of workspaces removed longer than
    `KOLBOT_RETENTION_DAYS` ago (`WorkspaceService.housekeeping`)."""
    s = services.settings
    claims, searches = (
        timedelta(hours=s.kolbot_claim_retention_hours),
        timedelta(days=s.kolbot_search_retention_days),
    )
    cache = SqlResponseCache(session_factory(services.engine))
    cache_cap = round(s.kolbot_cache_max_mb * MB)
    return [
        Job("request claims", lambda now: services.ledger.prune(now - claims)),
        Job("job posts", lambda now: services.job_posts.prune(now - claims)),
        Job("saved searches", lambda now: services.searches.prune(now - searches)),
        Job("expired cache entries", cache.prune),
        Job("cache entries over the size cap", lambda _now: cache.evict_over(cache_cap)),
        Job("removed workspaces", lambda now: len(services.workspaces.housekeeping(now))),
    ]


class Housekeeping:
    def __init__(
        self, jobs: Sequence[Job], *, now: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._jobs, self._now = list(jobs), now

    def run_once(self) -> dict[str, int]:
        """Run every job; a failing job is logged and the others still run. Returns rows deleted per job."""
        deleted: dict[str, int] = {}
        now = self._now()
        for job in self._jobs:
            try:
                deleted[job.name] = job.run(now)
            except Exception:
                log.exception("housekeeping: %s failed; trying again next time", job.name)
        if any(deleted.values()):
            log.info("housekeeping deleted %s", deleted)
        return deleted

    def run_until(self, stop: threading.Event, every_s: float) -> None:
        """Run now, then every `every_s` seconds until `stop` is set."""
        while True:
            self.run_once()
            if stop.wait(every_s):
                return

    def start(self, every_s: float) -> Callable[[], None]:
        """Run on a daemon thread; returns the function that stops it."""
        stop = threading.Event()
        thread = threading.Thread(
            target=self.run_until, args=(stop, every_s), name="kolbot-housekeeping", daemon=True
        )
        thread.start()

        def halt() -> None:
            stop.set()
            thread.join(timeout=5)

        return halt
