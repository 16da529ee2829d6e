"""A stand-in for `bot.queue.JobQueue` on the side of `kolbot serve`, which only defers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.queue import JobRows


class RecordingQueue:
    """What `kolbot serve` needs of `JobQueue`: `defer` (here: remembered, not committed)."""

    def __init__(self) -> None:
        self.deferred: list[tuple[str, str, dict[str, Any]]] = []

    def defer(
        self,
        name: str,
        key: str,
        args: Mapping[str, Any],
        *,
        lock: str | None = None,
        within: JobRows | None = None,
    ) -> int:
        self.deferred.append((name, key, dict(args)))
        return len(self.deferred)
