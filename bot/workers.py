"""The bounded pool for slow work after a Slack ack, drained with a grace period on shutdown.

A thin layer over `ThreadPoolExecutor` that remembers, for each job not yet finished, whom to
tell if it never will: `drain(grace_s)` stops taking work, waits up to `grace_s` for what is
queued or running, cancels what has not started and calls the `on_abandon` of every job left.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, wait
from typing import Any

from bot.observability.trace import TracingExecutor

log = logging.getLogger(__name__)


class WorkerPool:
    def __init__(self, threads: int, *, name: str = "kolbot-worker") -> None:
        # Jobs run in the submitter's context: its request trace and its TikHub payer.
        self._executor = TracingExecutor(threads, thread_name_prefix=name)
        self._lock = threading.Lock()
        self._unfinished: dict[Future[Any], Callable[[], object] | None] = {}

    def submit(
        self, fn: Callable[..., object], *args: Any, on_abandon: Callable[[], object] | None = None
    ) -> Future[Any]:
        """Queue `fn(*args)`; `on_abandon()` is called if a shutdown ends before it finished."""
        with self._lock:
            future = self._executor.submit(fn, *args)
            self._unfinished[future] = on_abandon
        future.add_done_callback(self._finished)
        return future

    def _finished(self, future: Future[Any]) -> None:
        with self._lock:
            self._unfinished.pop(future, None)

    def shutdown(self, wait: bool = True) -> None:
        self._executor.shutdown(wait=wait)

    def drain(self, grace_s: float) -> int:
        """Finish queued and running work for up to `grace_s`; returns how many jobs did not finish
        (their `on_abandon` was called; those still running are left to the caller, who exits)."""
        self._executor.shutdown(wait=False)  # no new work
        with self._lock:
            pending = list(self._unfinished)
        wait(pending, timeout=grace_s)
        with self._lock:
            left = [(f, tell) for f, tell in self._unfinished.items() if not f.done()]
        self._executor.shutdown(wait=False, cancel_futures=True)
        for _, tell in left:
            if tell is not None:
                try:
                    tell()
                except Exception:
                    log.exception("could not tell a user their work was abandoned")
        return len(left)
