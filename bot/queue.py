"""Slow work as named jobs with JSON arguments: procrastinate on PostgreSQL, in-process on SQLite.

A task is a plain function `fn(job: JobInfo, **args)` registered under a name in a `TaskRegistry`.
`JobQueue.defer(name, key, args)` commits a procrastinate job (PostgreSQL), on its own or, with
`within=session`, in the caller's SQLAlchemy transaction (`kolbot serve` commits a request's claim
and its job in one transaction: `handlers.jobs`); `kolbot worker`
processes run it (`handlers.worker`). Without PostgreSQL there is no queue: `kolbot serve` calls
the same task functions on its `WorkerPool` (`handlers.background`).

Each job carries the idempotency key of what it serves (a Slack request, a digest run): a task
uses it to claim its work once and to record what it posted (`bot.store.job_posts`), so a job run
again, after a crash or a retry, never posts twice. A task raises `Transient` for a fault worth
retrying; procrastinate runs it again after 2, 4, 8… s (`KOLBOT_JOB_RETRY_WAIT_S`), up to
`KOLBOT_JOB_ATTEMPTS` runs; `JobInfo.final` tells the task it is the last, when it must tell the
user instead of raising. Workers beat every `KOLBOT_WORKER_HEARTBEAT_S`; the jobs of a worker
silent for `KOLBOT_WORKER_STALLED_S` (killed, say) are put back in the queue by the others
(`retry_stalled`), so acknowledged work is finished within about a minute.

procrastinate (imported only where a queue is built) is used through its synchronous API in
`kolbot serve` (deferring) and its asyncio worker in `kolbot worker`; its tables come with
migration 0008.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from bot.db.engine import normalize_url, strip_nul
from bot.observability.metrics import metrics
from bot.settings import Settings

if TYPE_CHECKING:
    import psycopg
    from procrastinate.job_context import JobContext
    from procrastinate.jobs import Job
    from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

QUEUE = "kolbot"


@dataclass(frozen=True)
class JobInfo:
    """What a running task knows of its job."""

    name: str
    key: str  # idempotency key of the Slack request or digest run it serves
    attempt: int  # 0 for the first run
    final: bool  # no retry follows a failure of this run: tell the user


class Transient(Exception):
    """Raised by a task for a fault worth another attempt (storage or network briefly down)."""


Task = Callable[..., object]


class TaskRegistry:
    """Task names to functions `fn(job: JobInfo, **args)`; one registry per process."""

    def __init__(self) -> None:
        self._tasks: dict[str, Task] = {}

    def register(self, name: str, fn: Task) -> None:
        self._tasks[name] = fn

    def names(self) -> list[str]:
        return sorted(self._tasks)

    def run(self, name: str, job: JobInfo, args: Mapping[str, Any]) -> object:
        """Run task `name`, counted by task and outcome (done, retry, failed) in the metrics."""
        started, outcome = time.perf_counter(), "failed"
        try:
            result = self._tasks[name](job, **args)
            outcome = "done"
            return result
        except Transient:
            outcome = "failed" if job.final else "retry"
            raise
        finally:
            counters = metrics()
            counters.jobs.labels(task=name, outcome=outcome).inc()
            counters.job_seconds.labels(task=name).observe(time.perf_counter() - started)


class JobQueue:
    """procrastinate wired to kolbot's tasks: `defer` in any process, `run_worker` in `kolbot worker`."""

    def __init__(self, settings: Settings, registry: TaskRegistry | None = None, *, threads: int = 4) -> None:
        """`registry`: the tasks this process runs (a worker); deferring needs only their names.
        `threads`: how many of the process's threads may defer at once (the size of its pool)."""
        import procrastinate  # only processes with a queue pay for the import (about 0.1 s)

        self._settings, self._registry = settings, registry
        url = normalize_url(settings.effective_database_url).set(drivername="postgresql")
        conninfo = url.render_as_string(hide_password=False)
        self.app = procrastinate.App(
            connector=procrastinate.PsycopgConnector(
                conninfo=conninfo, kwargs={"connect_timeout": 5}, min_size=1, max_size=max(1, threads)
            ),
        )
        retry = procrastinate.RetryStrategy(
            max_attempts=settings.kolbot_job_attempts - 1,  # retries after the first run
            exponential_wait=settings.kolbot_job_retry_wait_s,
            retry_exceptions={Transient},
        )
        _listen_for_commits()  # at start-up: SQLAlchemy's event registration is not thread-safe
        for name in registry.names() if registry else []:
            self.app.task(name=name, queue=QUEUE, retry=retry, pass_context=True)(self._runner(name))

    def _runner(self, name: str) -> Callable[..., object]:
        attempts = self._settings.kolbot_job_attempts

        def run(context: JobContext, *, key: str, args: dict[str, Any]) -> object:
            tried = context.job.attempts
            job = JobInfo(name=name, key=key, attempt=tried, final=tried + 1 >= attempts)
            assert self._registry is not None  # only a worker (with its registry) runs tasks
            return self._registry.run(name, job, args)

        return run

    def open(self) -> JobQueue:
        self.app.open()
        return self

    def close(self) -> None:
        self.app.close()

    def defer(
        self,
        name: str,
        key: str,
        args: Mapping[str, Any],
        *,
        lock: str | None = None,
        within: Session | None = None,
    ) -> None:
        """Commit a job. `lock`: jobs with the same lock run one at a time, in order.

        `within`: a SQLAlchemy session in a transaction on the same PostgreSQL database (psycopg 3):
        the job commits with that transaction, or rolls back with it. Every job deferred within one
        transaction is inserted by one statement when it commits (`_insert_deferred`): the claim
        transaction of a burst of Slack requests carries one job per request, and procrastinate's
        per-call `defer` costs more Python per job than the web process can spare before an ack.
        Without `within`, the job is committed at once on procrastinate's pool."""
        from procrastinate.jobs import Job

        # PostgreSQL's jsonb refuses NUL, as its text does (`bot.db.engine.strip_nul`). Within a
        # session, arguments that are not JSON raise here, in the caller's request, not in the
        # commit of a whole batch.
        kwargs = strip_nul({"key": key, "args": dict(args)})
        job = Job(queue=QUEUE, task_name=name, lock=lock, queueing_lock=None, task_kwargs=kwargs)
        if within is None:
            self.app.job_manager.defer_job(job)
            return
        encoded = json.dumps(kwargs)
        if within.in_nested_transaction():  # a savepoint's rollback would not take its jobs back
            raise ValueError("jobs cannot be deferred within a savepoint")
        if not within.in_transaction():  # a rollback before it begins would not take the job back
            raise ValueError("jobs are deferred within a transaction")
        within.info.setdefault(_DEFERRED, []).append((job, encoded))

    async def retry_stalled(self) -> int:
        """Put the running jobs of workers silent for `KOLBOT_WORKER_STALLED_S` back in the queue."""
        manager = self.app.job_manager
        stalled = self._settings.kolbot_worker_stalled_s
        await manager.prune_stalled_workers(stalled)
        jobs = list(await manager.get_stalled_jobs(seconds_since_heartbeat=stalled))
        for job in jobs:
            try:
                await manager.retry_job(job)
                log.warning("job %s (%s) of a stalled worker is queued again", job.id, job.task_name)
            except Exception:  # another worker queued it first
                log.info("job %s was queued again elsewhere", job.id)
        return len(jobs)


_DEFERRED = "kolbot_deferred_jobs"  # Session.info key: the jobs to insert at commit
# procrastinate's own insert (`procrastinate_defer_jobs_v1`, migration 0008), given its composite
# rows built here from plain arrays: procrastinate's `batch_defer_jobs` sends them as an array of
# composites, which psycopg dumps in Python, escaping each job's JSON twice (0.13 ms a job, against
# 0.05 this way, for a Slack request's body as the job's arguments).
_INSERT_JOBS = """
SELECT procrastinate_defer_jobs_v1(ARRAY(
    SELECT ROW(queue_name, task_name, priority, lock, queueing_lock, args, NULL)
        ::procrastinate_job_to_defer_v1
    FROM unnest(%s::varchar[], %s::varchar[], %s::int[], %s::varchar[], %s::varchar[], %s::text[]::jsonb[])
        WITH ORDINALITY AS job(queue_name, task_name, priority, lock, queueing_lock, args, n)
    ORDER BY n
))
"""


@cache
def _listen_for_commits() -> None:
    """Once per process: jobs deferred `within` a session are inserted as it commits, and
    forgotten when its transaction ends any other way."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    event.listen(Session, "before_commit", _insert_deferred)
    event.listen(Session, "after_transaction_end", _forget_deferred)


def _insert_deferred(session: Session) -> None:
    """One INSERT of every job deferred in the committing transaction, on its connection; if it
    fails, the commit raises and the transaction (claims included) rolls back. A savepoint's commit
    (this hook fires for those too) leaves them to the outer transaction's."""
    deferred = session.info.get(_DEFERRED)
    if not deferred or session.in_nested_transaction():
        return
    connection = session.connection().connection.driver_connection
    assert connection is not None  # a connection in a transaction has its driver's
    _insert_jobs(connection, deferred)
    del session.info[_DEFERRED]


def _insert_jobs(connection: psycopg.Connection[Any], jobs: list[tuple[Job, str]]) -> None:
    """One statement inserting `jobs` (each with its arguments as JSON; none scheduled for later)
    on `connection`, in its transaction. psycopg's errors come out as SQLAlchemy's, as from any
    other statement of the transaction: a lock or statement timeout is a storage fault."""
    import psycopg
    from sqlalchemy.exc import DBAPIError

    columns = (
        [job.queue for job, _ in jobs],
        [job.task_name for job, _ in jobs],
        [job.priority for job, _ in jobs],
        [job.lock for job, _ in jobs],
        [job.queueing_lock for job, _ in jobs],
        [encoded for _, encoded in jobs],
    )
    try:
        connection.execute(_INSERT_JOBS, columns)
    except psycopg.Error as error:
        raise DBAPIError.instance(_INSERT_JOBS, columns, error, psycopg.Error) from error


def _forget_deferred(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended: committed or rolled back
        session.info.pop(_DEFERRED, None)
