"""What one digest run shows: the data the Slack adapter renders and posts (`Poster.post_digest`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.digests.diff import DigestDiff
from bot.digests.models import Digest
from bot.digests.watch import WatchGroup
from bot.models import Query, SearchStats


@dataclass(frozen=True)
class DigestPost:
    """Everything one digest run shows."""

    digest: Digest
    query: Query
    diff: DigestDiff
    watch: Sequence[WatchGroup]
    stats: SearchStats
    scheduled_for: datetime
    late: bool
    manual: bool

    @property
    def nothing_changed(self) -> bool:
        return self.diff.is_empty and not self.watch
