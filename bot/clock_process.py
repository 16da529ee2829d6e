"""The `kolbot clock` process: builds the services and ticks the digest `Clock` until stopped.

Kept apart from `bot.digests.clock` so the digest domain never imports the composition root.
"""

from __future__ import annotations

import logging
import signal
import threading
from functools import partial

from bot import collector
from bot.db.health import DatabaseHealth
from bot.digests.clock import Clock
from bot.digests.jobs import enqueue_digest_run
from bot.housekeeping import Housekeeping, default_jobs
from bot.observability.admin import HEALTH_PATH, AdminServer, Check, start_admin_server
from bot.queue import JobQueue
from bot.services import build_services
from bot.settings import Settings

log = logging.getLogger(__name__)


def serve_clock(settings: Settings, *, once: bool = False) -> int:
    """`kolbot clock`: tick until SIGTERM/Ctrl-C, or (`once`) post what is due now and exit.

    Run exactly one clock; a second one is harmless (runs are claimed in the database) but useless.
    The caller checks `settings.missing_for_clock()` first and says what is missing (`bot.cli`).
    """
    services = build_services(settings, db_threads=settings.kolbot_digest_workers + 1)
    if settings.uses_queue:
        services.queue = JobQueue(settings).open()
    queue = services.queue
    clock = Clock(
        services.digests,
        tick_s=settings.kolbot_digest_tick_s,
        workers=settings.kolbot_digest_workers,
        housekeeping=Housekeeping(default_jobs(services)).run_once,
        housekeeping_every_s=settings.kolbot_housekeeping_interval_min * 60,
        enqueue=None if queue is None else partial(enqueue_digest_run, queue),
    )
    admin = None
    try:
        if once:
            print(f"digests: {dict(clock.tick()) or 'nothing due'}", flush=True)
        else:
            admin = _start_admin(settings, [DatabaseHealth(services.engine).problem, clock.stuck])
            collector.tune()
            print(
                f"kolbot clock: checking for due digests every {settings.kolbot_digest_tick_s:g} s",
                flush=True,
            )
            _run_until_stopped(clock, settings.kolbot_shutdown_grace_s)
    except KeyboardInterrupt:
        pass
    finally:
        if admin is not None:
            admin.close()
        services.close()
    return 0


def _start_admin(settings: Settings, checks: list[Check]) -> AdminServer | None:
    """`/healthz` (and `/metrics`) on `KOLBOT_METRICS_PORT`; printed, as the port may be any free one."""
    admin = start_admin_server(settings, checks, {"mode": "clock"})
    if admin is not None:
        print(f"kolbot clock: health on {settings.host}:{admin.port}{HEALTH_PATH}", flush=True)
    return admin


def _run_until_stopped(clock: Clock, grace_s: float) -> None:
    """Tick on a thread of its own until SIGTERM or Ctrl-C; then let the tick under way finish for
    at most `grace_s` (a run it abandons is claimed, and run again once its lease lapses).

    The ticks are not on the main thread so that a signal is acted on at once, even while a tick
    waits on a database that does not answer: the process logs that it stops and leaves within
    the grace, instead of after every connection attempt of the tick and its housekeeping.
    """
    stop = threading.Event()
    ticking = threading.Thread(
        target=clock.run_forever,
        kwargs={"wait": stop.wait, "stopped": stop.is_set},
        name="clock",
        daemon=True,  # a tick stuck on the database past the grace does not keep the process alive
    )
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    ticking.start()
    why = "SIGTERM"
    try:
        stop.wait()
    except KeyboardInterrupt:
        why = "Ctrl-C"
        stop.set()
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the grace below is the bound
    log.info("kolbot clock stopping (%s): letting the current tick finish for up to %g s", why, grace_s)
    ticking.join(grace_s)
    if ticking.is_alive():
        log.warning("kolbot clock stopped with a tick still running (waiting on the database or Slack)")
    else:
        log.info("kolbot clock stopped")
