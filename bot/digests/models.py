"""What the digest store and service return: digests, their runs, and a claimed run (a job)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from bot.digests.schedule import Schedule, parse_schedule
from bot.models import Lang


class DigestStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"


class RunStatus(StrEnum):
    PENDING = "pending"  # claimed, not posted yet (running, or waiting for a retry)
    POSTED = "posted"
    SKIPPED = "skipped"  # nothing changed and the digest is quiet
    MISSED = "missed"  # no data before the period ended (or a later period took over)
    FAILED = "failed"  # the channel is gone: the digest paused itself


# Why a digest is paused, as stored in `pause_reason`: "by:<user_id>", "slack:<error>", "query".
PAUSED_BY_PREFIX = "by:"
SLACK_PREFIX = "slack:"
TIKHUB_PREFIX = "tikhub:"  # a run's error when TikHub failed
BAD_QUERY = "query"


@lru_cache(maxsize=1024)
def stored_schedule(spec: str) -> Schedule:
    """A stored `Schedule.spec` back as a `Schedule`; no minimum interval (it was checked when saved)."""
    return parse_schedule(spec, min_interval=timedelta(0))


@dataclass(frozen=True)
class Digest:
    id: int
    short_id: str
    team_id: str
    channel_id: str
    created_by: str
    raw_query: str
    schedule_spec: str
    top_n: int
    pages: int
    quiet: bool
    lang: Lang
    status: DigestStatus
    pause_reason: str | None
    paused_at: datetime | None
    last_period_key: str | None
    created_at: datetime

    @property
    def schedule(self) -> Schedule:
        return stored_schedule(self.schedule_spec)

    @property
    def active(self) -> bool:
        return self.status is DigestStatus.ACTIVE


@dataclass(frozen=True)
class DigestRun:
    id: int
    digest_id: int
    period_key: str
    scheduled_for: datetime
    late: bool
    manual: bool
    status: RunStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    notice_posted: bool
    channel_id: str | None
    ts: str | None
    parts: int
    created_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True)
class Job:
    """A run this process has claimed (or leased for a retry), with its digest."""

    digest: Digest
    run: DigestRun


@dataclass(frozen=True)
class DigestDetail:
    digest: Digest
    runs: list[DigestRun]  # newest first


@dataclass(frozen=True)
class ChannelDigests:
    digests: list[Digest]
    latest: dict[int, DigestRun]  # newest run by digest id
    tz: str  # the workspace's default zone for new digests
