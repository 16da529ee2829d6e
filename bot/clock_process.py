"""The `kolbot clock` process: builds the services and ticks the digest `Clock` until stopped.

Kept apart from `bot.digests.clock` so the digest domain never imports the composition root.
"""

from __future__ import annotations

import signal
import threading
from functools import partial

from bot import collector
from bot.digests.clock import Clock
from bot.digests.jobs import enqueue_digest_run
from bot.housekeeping import Housekeeping, default_jobs
from bot.observability.metrics import start_metrics_server
from bot.queue import JobQueue
from bot.services import build_services
from bot.settings import Settings

CONFIG_ERROR_EXIT = 2


def serve_clock(settings: Settings, *, once: bool = False) -> int:
    """`kolbot clock`: tick until SIGTERM/Ctrl-C, or (`once`) post what is due now and exit.

    Run exactly one clock; a second one is harmless (runs are claimed in the database) but useless.
    The caller checks `settings.missing_for_clock()` first and says what is missing (`bot.cli`).
    """
    services = build_services(settings, db_threads=settings.kolbot_digest_workers + 1)
    if settings.uses_queue:
        services.queue = JobQueue(settings).open()
    if not once:
        start_metrics_server(settings)
        collector.tune()
    queue = services.queue
    clock = Clock(
        services.digests,
        tick_s=settings.kolbot_digest_tick_s,
        workers=settings.kolbot_digest_workers,
        housekeeping=Housekeeping(default_jobs(services)).run_once,
        housekeeping_every_s=settings.kolbot_housekeeping_interval_min * 60,
        enqueue=None if queue is None else partial(enqueue_digest_run, queue),
    )
    try:
        if once:
            print(f"digests: {dict(clock.tick()) or 'nothing due'}", flush=True)
        else:
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            print(
                f"kolbot clock: checking for due digests every {settings.kolbot_digest_tick_s:g} s",
                flush=True,
            )
            clock.run_forever(wait=stop.wait)
    except KeyboardInterrupt:
        pass
    finally:
        services.close()
    return 0
