"""`kolbot worker`: runs the queued jobs (`bot.queue`) until SIGTERM or Ctrl-C.

Each worker runs up to `KOLBOT_WORKER_CONCURRENCY` jobs at once, on as many threads (kolbot's
work is blocking I/O), beats every `KOLBOT_WORKER_HEARTBEAT_S`, and every so often puts the jobs
of workers silent for `KOLBOT_WORKER_STALLED_S` back in the queue. Run as many as the load needs,
on any machines that reach the database. On `KOLBOT_METRICS_PORT` (else, with `KOLBOT_METRICS=on`,
`PORT`) it answers `GET /healthz` (the database answers and the event loop turns) and, with
`KOLBOT_METRICS=on`, Prometheus `/metrics` (its own counters: the TikHub calls and spend of the jobs
it ran); `bot.observability.admin`.

procrastinate's worker stops when the database stays unreachable for longer than its own retries
(about half a minute); `kolbot worker` then starts it again once the database answers, so an outage
needs no restart by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from bot.db.health import DatabaseHealth
from bot.digests.jobs import register_digest_task
from bot.i18n import Text
from bot.observability.admin import HEALTH_PATH, start_admin_server
from bot.observability.outages import first_line, outage_kind
from bot.queue import FETCH_POLL_S, QUEUE, JobQueue, TaskRegistry
from bot.services import Services, build_services
from bot.settings import Settings
from handlers.jobs import register_slack_tasks
from handlers.server import checked_app, require, stop_start_up

if TYPE_CHECKING:
    import procrastinate
    import procrastinate.worker

log = logging.getLogger(__name__)

LOOP_TIMEOUT_S = 2.0  # a health probe's wait for the event loop


def registry(services: Services) -> TaskRegistry:
    """Every task a worker runs: Slack requests' slow work, and digest runs."""
    tasks = TaskRegistry()
    app = checked_app(services.settings, services, for_worker=True)
    register_slack_tasks(tasks, app, services.job_posts)
    register_digest_task(tasks, services.digests, services.job_posts)
    return tasks


def work(settings: Settings) -> int:
    """Run jobs until stopped; refuses to start without PostgreSQL (there is no queue then)."""
    require(settings.missing_for_clock())
    if not settings.uses_queue:
        stop_start_up(
            Text(
                "kolbot worker needs the job queue: DATABASE_URL naming a PostgreSQL database, and "
                "KOLBOT_QUEUE not set to false (otherwise kolbot serve runs the work itself)"
            ),
        )
    os.environ.pop("SLACK_BOT_TOKEN", None)  # in `settings` already; Bolt would warn it is unused
    services = build_services(settings, db_threads=settings.kolbot_worker_concurrency + 2)
    queue = JobQueue(settings, registry(services))
    services.queue = queue
    # The worker makes the TikHub calls (and spends the money) of queued work: its counters are
    # where the spend shows. On `KOLBOT_METRICS_PORT`, else `PORT` (`PORT=0`: any free port, printed).
    loop = LoopProbe()
    checks = [DatabaseHealth(services.engine).problem, loop.problem]
    admin = start_admin_server(settings, checks, {"mode": "worker"})
    if admin is not None:
        print(f"kolbot worker: health on {settings.host}:{admin.port}{HEALTH_PATH}", flush=True)
    try:
        asyncio.run(_run(queue, settings, loop))
    except KeyboardInterrupt:
        pass
    finally:
        services.queue = None  # closed by procrastinate with its loop
        services.close()
        if admin is not None:
            admin.close()
    log.info("stopped")
    print("kolbot worker stopped", flush=True)
    return 0


async def _run(queue: JobQueue, settings: Settings, probe: LoopProbe) -> None:
    probe.watch(asyncio.get_running_loop())
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(settings.kolbot_worker_concurrency, thread_name_prefix="kolbot-job")
    )
    grace = settings.kolbot_shutdown_grace_s
    async with queue.app.open_async():
        stalled = asyncio.create_task(_retry_stalled(queue, settings.kolbot_worker_heartbeat_s))
        workers = Workers(
            queue.app,
            queues=[QUEUE],
            concurrency=settings.kolbot_worker_concurrency,
            update_heartbeat_interval=settings.kolbot_worker_heartbeat_s,
            fetch_job_polling_interval=FETCH_POLL_S,
            stalled_worker_timeout=settings.kolbot_worker_stalled_s,
            shutdown_graceful_timeout=grace,
            delete_jobs="successful",
            install_signal_handlers=False,
        )
        loop, stopping = asyncio.get_running_loop(), asyncio.Event()
        worker = asyncio.create_task(keep_working(workers.run, stopping=stopping))

        # SIGTERM or Ctrl-C: procrastinate is told to fetch no more jobs before the log says what
        # is left to finish; running jobs get the grace period, and a job still running after it
        # is run again by another worker (`retry_stalled`).
        def on_signal() -> None:
            if stopping.is_set():
                return
            stopping.set()
            workers.stop()
            log.info(
                "stopping: finishing %d running jobs, up to KOLBOT_SHUTDOWN_GRACE_S=%s s",
                queue.running(),
                f"{grace:g}",
            )

        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, on_signal)
        print(f"kolbot worker: running up to {settings.kolbot_worker_concurrency} jobs at once", flush=True)
        try:
            stop = asyncio.create_task(stopping.wait())
            await asyncio.wait({worker, stop}, return_when=asyncio.FIRST_COMPLETED)
            stop.cancel()
            if stopping.is_set() and not await _wound_down(worker, queue, grace):
                # A job thread cannot be cancelled, and procrastinate waits for it however long it
                # runs (a held TikHub call: its whole timeout); nor can its bookkeeping outlast a
                # database that does not answer. Leave; an unfinished job runs again on another
                # worker.
                left = queue.running()
                if left:
                    log.info("stopped: %d unfinished jobs will run again on another worker", left)
                    print(
                        "kolbot worker stopped: unfinished jobs will run again on another worker", flush=True
                    )
                else:
                    log.info("stopped without waiting for the database: no job was running")
                    print("kolbot worker stopped", flush=True)
                logging.shutdown()
                os._exit(0)
            worker.result()  # a worker that failed by itself says why
        finally:
            stalled.cancel()


# After the last running job ends, how long procrastinate may take to record it and sign the worker
# off before the worker leaves anyway (the database does not answer: the job is run again).
SETTLE_S = 2.0


async def _wound_down(worker: asyncio.Task[None], queue: JobQueue, grace_s: float) -> bool:
    """Waits, once stopping, for procrastinate's worker to end: up to the grace (and 1 s) while a
    job runs, up to `SETTLE_S` more once none does (unless a job fetched as the signal came starts
    meanwhile: it gets the rest of the grace). False if it had not ended by then."""
    loop, idle = asyncio.get_running_loop(), asyncio.Event()

    def on_idle() -> None:  # in the thread that ended the last job, or here
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            loop.call_soon_threadsafe(idle.set)

    queue.when_idle(on_idle)
    idle_wait = asyncio.create_task(idle.wait())
    end = loop.time() + grace_s + 1
    try:
        await asyncio.wait({worker, idle_wait}, timeout=grace_s + 1, return_when=asyncio.FIRST_COMPLETED)
        if not worker.done() and idle.is_set():
            await asyncio.wait({worker}, timeout=max(0.0, min(SETTLE_S, end - loop.time())))
            if not worker.done() and queue.running():  # a fetch under way at the signal: its job
                await asyncio.wait({worker}, timeout=max(0.0, end - loop.time()))
    finally:
        idle_wait.cancel()
    return worker.done()


class LoopProbe:
    """Does the worker's event loop turn? procrastinate fetches jobs, beats and hands jobs to their
    threads on it: a loop that does not run a no-op within `timeout_s` does none of that."""

    def __init__(self, timeout_s: float = LOOP_TIMEOUT_S) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timeout_s = timeout_s

    def watch(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def problem(self) -> str | None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return "worker not running"
        try:
            turned = asyncio.run_coroutine_threadsafe(asyncio.sleep(0), loop)
        except RuntimeError:  # the loop closed meanwhile
            return "worker not running"
        try:
            turned.result(self._timeout_s)
        except TimeoutError:
            turned.cancel()
            return "worker event loop does not answer"
        return None


class Workers:
    """procrastinate's worker, made anew for each start by `keep_working`; `stop()` tells the one
    running (or about to start) to fetch no more jobs, at once, before the signal's log line."""

    def __init__(self, app: procrastinate.App, **options: Any) -> None:
        self._app, self._options = app, options
        self._current: procrastinate.worker.Worker | None = None
        self._stopped = False

    async def run(self, started: Callable[[], None]) -> None:
        from procrastinate.worker import Worker

        if self._stopped:
            return
        worker = Worker(app=self._app, **self._options)
        # Raises `ConnectorException` while the database does not answer (a fault to wait out).
        await self._app.check_connection_async()
        started()
        if self._stopped:  # stopped while the database answered
            return
        self._current = worker
        await worker.run()  # takes a stop() made before its first await

    def stop(self) -> None:
        self._stopped = True
        if self._current is not None:
            self._current.stop()


RESTART_WAIT_S = (1.0, 2.0, 5.0, 10.0, 30.0)  # then every 30 s


async def keep_working(
    run_worker: Callable[[Callable[[], None]], Awaitable[None]],
    waits: tuple[float, ...] = RESTART_WAIT_S,
    *,
    stopping: asyncio.Event | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Runs the worker until it returns (it was stopped), starting it again after each database
    fault it stopped on; the waits between starts grow to the last of `waits`, and start again
    from the first once a worker ran (a later outage is not met with the longest wait).

    `run_worker(started)` calls `started()` once the database answers it, before it runs jobs:
    after a fault, that is when the log says the worker is running again. Once `stopping` is set,
    the worker is not started again (a wait between starts ends at once).

    The "stopped … starting again" warning carries the fault as text, not as the exception: the
    log's outage limiter (`bot.observability.outages`) must never hold back the operator's
    signal that the worker stopped, whatever other database errors it counted in the minute."""
    from procrastinate.exceptions import ConnectorException

    faults = 0
    down_since: float | None = None  # when the worker first stopped on the current outage

    def started() -> None:
        nonlocal faults, down_since
        if down_since is not None:
            log.info(
                "the worker is running again after %.0f s of database outage (it stopped %d times)",
                clock() - down_since,
                faults,
            )
        faults, down_since = 0, None

    while stopping is None or not stopping.is_set():
        try:
            await run_worker(started)
            return
        except ConnectorException as error:
            if stopping is not None and stopping.is_set():
                return
            wait = waits[min(faults, len(waits) - 1)]
            faults += 1
            if down_since is None:
                down_since = clock()
            log.warning(
                "the worker stopped, the database is unreachable (%s); starting again in %.0f s",
                fault_text(error.__cause__ or error),
                wait,
            )
            if stopping is None:
                await asyncio.sleep(wait)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), wait)


def fault_text(error: BaseException) -> str:
    """A database fault as one short line: "psycopg_pool.PoolTimeout: couldn't get a connection…"
    for an outage, the exception's first line otherwise (no SQL, no traceback)."""
    found = outage_kind(error)
    return f"{found[0]}: {found[1]}" if found else first_line(str(error)) or type(error).__name__


async def _retry_stalled(queue: JobQueue, every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        try:
            await queue.retry_stalled()
        except Exception:
            log.exception("could not check for stalled jobs; trying again in %.0f s", every_s)
