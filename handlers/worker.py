"""`kolbot worker`: runs the queued jobs (`bot.queue`) until SIGTERM or Ctrl-C.

Each worker runs up to `KOLBOT_WORKER_CONCURRENCY` jobs at once, on as many threads (kolbot's
work is blocking I/O), beats every `KOLBOT_WORKER_HEARTBEAT_S`, and every so often puts the jobs
of workers silent for `KOLBOT_WORKER_STALLED_S` back in the queue. Run as many as the load needs,
on any machines that reach the database. With `KOLBOT_METRICS=on` it serves Prometheus `/metrics`
(its own counters: the TikHub calls and spend of the jobs it ran) on `KOLBOT_METRICS_PORT`, else
`PORT`.

procrastinate's worker stops when the database stays unreachable for longer than its own retries
(about half a minute); `kolbot worker` then starts it again once the database answers, so an outage
needs no restart by hand.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

from bot.digests.jobs import register_digest_task
from bot.i18n import Text
from bot.observability.metrics import METRICS_PATH, start_metrics_server
from bot.queue import FETCH_POLL_S, QUEUE, JobQueue, TaskRegistry
from bot.services import Services, build_services
from bot.settings import Settings
from handlers.jobs import register_slack_tasks
from handlers.server import checked_app, require, stop_start_up

log = logging.getLogger(__name__)


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
    # where the spend shows. On `KOLBOT_METRICS_PORT`, else `PORT` (0: any free port, printed).
    metrics_server = start_metrics_server(settings)
    if metrics_server is not None:
        port = metrics_server.server_address[1]
        print(f"kolbot worker: metrics on {settings.host}:{port}{METRICS_PATH}", flush=True)
    try:
        asyncio.run(_run(queue, settings))
    except KeyboardInterrupt:
        pass
    finally:
        services.queue = None  # closed by procrastinate with its loop
        services.close()
        if metrics_server is not None:
            metrics_server.shutdown()
            metrics_server.server_close()
    log.info("stopped")
    print("kolbot worker stopped", flush=True)
    return 0


async def _run(queue: JobQueue, settings: Settings) -> None:
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(settings.kolbot_worker_concurrency, thread_name_prefix="kolbot-job")
    )
    async with queue.app.open_async():
        stalled = asyncio.create_task(_retry_stalled(queue, settings.kolbot_worker_heartbeat_s))

        def run_worker() -> Awaitable[None]:
            return queue.app.run_worker_async(
                queues=[QUEUE],
                concurrency=settings.kolbot_worker_concurrency,
                update_heartbeat_interval=settings.kolbot_worker_heartbeat_s,
                fetch_job_polling_interval=FETCH_POLL_S,
                stalled_worker_timeout=settings.kolbot_worker_stalled_s,
                shutdown_graceful_timeout=settings.kolbot_shutdown_grace_s,
                delete_jobs="successful",
                install_signal_handlers=False,
            )

        worker = asyncio.create_task(keep_working(run_worker))
        # SIGTERM or Ctrl-C: procrastinate stops fetching and gives running jobs the grace period;
        # a job still running after it is run again by another worker (`retry_stalled`).
        loop, stopping = asyncio.get_running_loop(), asyncio.Event()

        def on_signal() -> None:
            if not stopping.is_set():
                log.info(
                    "stopping: finishing %d running jobs, up to KOLBOT_SHUTDOWN_GRACE_S=%s s",
                    queue.running(),
                    f"{settings.kolbot_shutdown_grace_s:g}",
                )
            stopping.set()
            worker.cancel()

        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, on_signal)
        print(f"kolbot worker: running up to {settings.kolbot_worker_concurrency} jobs at once", flush=True)
        try:
            stop = asyncio.create_task(stopping.wait())
            await asyncio.wait({worker, stop}, return_when=asyncio.FIRST_COMPLETED)
            stop.cancel()
            # A job thread cannot be cancelled, and procrastinate waits for it however long it runs
            # (a held TikHub call: its whole timeout). Past the grace, leave; the job runs again on
            # another worker.
            _, running = await asyncio.wait({worker}, timeout=settings.kolbot_shutdown_grace_s + 1)
            if running:
                left = queue.running()
                log.info("stopped: %d unfinished jobs will run again on another worker", left)
                print("kolbot worker stopped: unfinished jobs will run again on another worker", flush=True)
                logging.shutdown()
                os._exit(0)
            if not worker.cancelled():
                worker.result()  # a worker that failed by itself says why
        finally:
            stalled.cancel()


RESTART_WAIT_S = (1.0, 2.0, 5.0, 10.0, 30.0)  # then every 30 s


async def keep_working(
    run_worker: Callable[[], Awaitable[None]], waits: tuple[float, ...] = RESTART_WAIT_S
) -> None:
    """Runs the worker until it returns (it was stopped), starting it again after each database
    fault it stopped on; the waits between starts grow to the last of `waits`."""
    from procrastinate.exceptions import ConnectorException

    faults = 0
    while True:
        try:
            await run_worker()
            return
        except ConnectorException as error:
            wait = waits[min(faults, len(waits) - 1)]
            faults += 1
            log.warning(
                "the worker stopped, the database is unreachable (%s); starting again in %.0f s",
                error.__cause__ or error,
                wait,
            )
            await asyncio.sleep(wait)


async def _retry_stalled(queue: JobQueue, every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        try:
            await queue.retry_stalled()
        except Exception:
            log.exception("could not check for stalled jobs; trying again in %.0f s", every_s)
