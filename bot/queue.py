"""Slow work as named jobs with JSON arguments: procrastinate on PostgreSQL, in-process on SQLite.

A task is a plain function `fn(job: JobInfo, **args)` registered under a name in a `TaskRegistry`.
`JobQueue.defer(name, key, args)` commits a procrastinate job (PostgreSQL), on its own or, with
`within=jobs`, as a row of a `JobRows` that the caller commits in its own transaction
(`kolbot serve` commits a request's claim and its job in one statement: `bot.store.requests`,
`handlers.jobs`); `kolbot worker` processes run it (`handlers.worker`). Without PostgreSQL there
is no queue: `kolbot serve` calls the same task functions on its `WorkerPool`
(`handlers.background`).

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
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.db.engine import PG_CONNECT_ARGS, normalize_url, primary_message_only, strip_nul
from bot.settings import Settings

if TYPE_CHECKING:
    import psycopg
    from procrastinate.job_context import JobContext
    from sqlalchemy.engine import Engine

    from bot.observability.metrics import QueueDepth

log = logging.getLogger(__name__)

QUEUE = "kolbot"
# How often an idle worker looks for jobs besides PostgreSQL's notifications (procrastinate's
# default, passed explicitly: the takeover bound counts on it).
FETCH_POLL_S = 5.0
# A job whose worker was killed must be finished by another within this (issue 10 §1).
TAKEOVER_LIMIT_S = 60.0


@dataclass(frozen=True)
class JobInfo:
    """What a running task knows of its job."""

    name: str
    key: str  # idempotency key of the Slack request or digest run it serves
    attempt: int  # 0 for the first run
    final: bool  # no retry follows a failure of this run: tell the user


def takeover_s(settings: Settings) -> float:
    """The longest a job of a killed worker waits until another worker starts it again: the
    killed worker must be silent for `KOLBOT_WORKER_STALLED_S` after its last beat, the others
    look for silent workers every `KOLBOT_WORKER_HEARTBEAT_S`, and a job put back is fetched at
    once (notified) or at the next poll (`FETCH_POLL_S`). 40 s with the defaults, leaving 20 s of
    `TAKEOVER_LIMIT_S` for the job's own run."""
    return settings.kolbot_worker_stalled_s + settings.kolbot_worker_heartbeat_s + FETCH_POLL_S


class Transient(Exception):
    """Raised by a task for a fault worth another attempt (storage or network briefly down)."""


Task = Callable[..., object]


class TaskRegistry:
    """Task names to functions `fn(job: JobInfo, **args)`; one registry per process."""

    def __init__(self) -> None:
        self._tasks: dict[str, Task] = {}
        self._running = 0
        self._lock = threading.Lock()
        self._when_idle: list[Callable[[], object]] = []

    def register(self, name: str, fn: Task) -> None:
        self._tasks[name] = fn

    def names(self) -> list[str]:
        return sorted(self._tasks)

    def running(self) -> int:
        """How many runs are under way in this process now."""
        with self._lock:
            return self._running

    def when_idle(self, callback: Callable[[], object]) -> None:
        """Call `callback` once no run is under way: now if none is, else in the thread that ends
        the last one."""
        with self._lock:
            if self._running:
                self._when_idle.append(callback)
                return
        callback()

    def run(self, name: str, job: JobInfo, args: Mapping[str, Any]) -> object:
        """Run task `name` as the current `JobTrace`: one `job run` line per attempt (its outcome:
        ok, user_error, upstream_error, error, or retry with the fault's kind) and the job metrics
        (done, retry, failed). A Slack task's line carries the request id `kolbot serve` gave the
        request it replays (`args["request_id"]`)."""
        from bot.observability.trace import JobTrace, error_kind, request_id_or_none, tracing

        trace = JobTrace(kind="job", subcommand=name, team="-", task=name, attempt=job.attempt)
        if given := request_id_or_none(args.get("request_id")):
            trace.request_id = given
        with self._lock:
            self._running += 1
        with tracing(trace):
            try:
                return self._tasks[name](job, **args)
            except Transient as error:
                cause = error.__cause__ or error
                trace.set_outcome("error" if job.final else "retry", error_kind(cause))
                raise
            except Exception as error:
                trace.set_outcome("error", error_kind(error))
                raise
            finally:
                with self._lock:
                    self._running -= 1
                    idle: list[Callable[[], object]] = []
                    if not self._running:
                        idle, self._when_idle = self._when_idle, []
                trace.end()
                for callback in idle:
                    callback()


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
                conninfo=conninfo, kwargs=dict(PG_CONNECT_ARGS), min_size=1, max_size=max(1, threads)
            ),
        )
        retry = procrastinate.RetryStrategy(
            max_attempts=settings.kolbot_job_attempts - 1,  # retries after the first run
            exponential_wait=settings.kolbot_job_retry_wait_s,
            retry_exceptions={Transient},
        )
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

    def running(self) -> int:
        """How many jobs this process is running now (0 where it runs none)."""
        return self._registry.running() if self._registry is not None else 0

    def when_idle(self, callback: Callable[[], object]) -> None:
        """Call `callback` once this process runs no job (now, where it runs none)."""
        if self._registry is None:
            callback()
        else:
            self._registry.when_idle(callback)

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
        within: JobRows | None = None,
    ) -> None:
        """Commit a job. `lock`: jobs with the same lock run one at a time, in order.

        `within`: the job becomes a row of `within`, which its owner commits in its own transaction
        (the claims of a burst of Slack requests and their jobs: `bot.store.requests`); arguments
        that are not JSON raise here, in the caller's request, not in the commit of a whole batch.
        Without `within`, the job is committed at once on procrastinate's pool."""
        kwargs = strip_nul({"key": key, "args": dict(args)})  # PostgreSQL refuses NUL in text
        encoded = stored_json(kwargs)
        if within is not None:
            within.add(JobRow(name, encoded, lock))
            return
        from procrastinate.jobs import Job

        job = Job(queue=QUEUE, task_name=name, lock=lock, queueing_lock=None, task_kwargs=kwargs)
        self.app.job_manager.defer_job(job)

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


@dataclass(frozen=True)
class JobRow:
    """A job as procrastinate's `procrastinate_defer_jobs_v1` inserts it (migration 0008)."""

    task_name: str
    args: str  # {"key": …, "args": …} as JSON from `stored_json`: `job_records` splices it in as is
    lock: str | None = None
    queue: str = QUEUE
    priority: int = 0


def stored_json(value: Any) -> str:
    """`value` as JSON PostgreSQL's jsonb takes: `TypeError` for what is not JSON, `ValueError`
    for NaN and infinities (which jsonb refuses), and `UnicodeEncodeError` for a lone surrogate
    (which `json.dumps` would escape and jsonb refuse)."""
    encoded = json.dumps(value, ensure_ascii=False, allow_nan=False)
    encoded.encode()
    return encoded


class JobRows:
    """Jobs deferred `within` a transaction someone else commits."""

    def __init__(self) -> None:
        self.rows: list[JobRow] = []

    def add(self, row: JobRow) -> None:
        self.rows.append(row)


# The fields of a job record (`job_records`), as `jsonb_to_recordset` reads them (`job_records_sql`).
JOB_RECORD = "queue_name varchar, task_name varchar, priority int, lock varchar, args jsonb"


def insert_jobs_sql(rows: str) -> str:
    """An expression inserting the jobs of relation `rows` (the fields of `JOB_RECORD` and `n`,
    their order) in one call of procrastinate's own insert, whose composite rows are built here:
    procrastinate's `batch_defer_jobs` sends an array of composites, which psycopg dumps in Python,
    escaping each job's JSON twice."""
    return f"""procrastinate_defer_jobs_v1(ARRAY(
    SELECT ROW(queue_name, task_name, priority, lock, NULL, args, NULL)
        ::procrastinate_job_to_defer_v1
    FROM {rows} ORDER BY n
))"""


def job_records(rows: Sequence[JobRow | None], keys: Sequence[str] | None = None) -> str:
    """`rows` as one JSON array of records with `JOB_RECORD`'s fields (None: a record without a
    job, its fields null), each with its `key` when `keys` are given. One text parameter, encoded by
    `json.dumps` in C, where psycopg adapts arrays element by element in Python; a job's `args`,
    JSON already (`stored_json`), go in as they are."""
    records = []
    for n, row in enumerate(rows):
        fields: dict[str, Any] = {} if keys is None else {"key": keys[n]}
        if row is None:
            records.append(json.dumps(fields, ensure_ascii=False))
            continue
        fields.update(queue_name=row.queue, task_name=row.task_name, priority=row.priority, lock=row.lock)
        records.append(f'{json.dumps(fields, ensure_ascii=False)[:-1]}, "args": {row.args}}}')
    return f"[{', '.join(records)}]"


def job_records_sql(param: str, alias: str, *, keyed: bool = False) -> str:
    """Relation `alias` of the records `job_records` encoded into parameter `param` (`%s` for
    psycopg, `$1` for libpq): a `key` first when `keyed`, the fields of `JOB_RECORD`, and `n`,
    their order."""
    fields = f"key varchar, {JOB_RECORD}" if keyed else JOB_RECORD
    names = ", ".join(field.split()[0] for field in fields.split(", "))
    records = f"jsonb_to_recordset({param}::jsonb) AS ({fields})"
    return f"ROWS FROM ({records}) WITH ORDINALITY AS {alias}({names}, n)"


_INSERT_JOBS = f"SELECT {insert_jobs_sql(job_records_sql('%s', 'job'))}"


def insert_jobs(connection: psycopg.Connection[Any], rows: Sequence[JobRow]) -> None:
    """One statement inserting `rows` on `connection`, in its transaction. psycopg's errors come out
    as SQLAlchemy's, as from any other statement of the transaction (a lock or statement timeout is
    a storage fault), without the parameters or the server's detail, which can quote them: they hold
    Slack requests."""
    import psycopg
    from sqlalchemy.exc import DBAPIError

    try:
        connection.execute(_INSERT_JOBS, (job_records(rows),))
    except psycopg.Error as error:
        primary = primary_message_only(error)  # the rest can quote the jobs
        raise DBAPIError.instance(_INSERT_JOBS, None, primary, psycopg.Error, hide_parameters=True) from None


_DEPTH_SQL = """
SELECT count(*), coalesce(extract(epoch FROM now() - min(coalesce(j.scheduled_at, e.at))), 0)
FROM procrastinate_jobs j
LEFT JOIN LATERAL (
    SELECT min(at) AS at FROM procrastinate_events WHERE job_id = j.id AND type = 'deferred'
) e ON true
WHERE j.status = 'todo' AND (j.scheduled_at IS NULL OR j.scheduled_at <= now())
"""


def queue_depth(engine: Engine) -> QueueDepth:
    """What is waiting for a worker (a `/metrics` scrape reads it): a queue that grows while no
    worker runs would otherwise go unnoticed, as every ack still says "searching…"."""
    from bot.observability.metrics import QueueDepth  # not at import: `kolbot search` starts without it

    with engine.connect() as connection:
        connection.exec_driver_sql("SET LOCAL statement_timeout = 1000")  # a scrape never hangs on it
        waiting, oldest = connection.exec_driver_sql(_DEPTH_SQL).one()
        connection.rollback()
    return QueueDepth(waiting=int(waiting), oldest_s=float(oldest))
