"""Idempotency for Slack: a retried or double-clicked request is handled once.

`claim_all(keys, along=…)` claims a request's keys and commits the jobs `along(jobs)` defers
(`JobQueue.defer(within=jobs)`) in one transaction: on PostgreSQL `kolbot serve` queues a
request's work there (`handlers.jobs`), so the claim and the job commit together or not at all.

Concurrent claims are group-committed (`bot.db.group_commit`): the requests of a burst share one
transaction instead of one each; every caller still returns only once its claim (and its job) is
committed, and waits for the batches before its own no longer than its `bounded_waits` allow. A
batch commits or fails as a whole: when it fails, no request of it is claimed, and each caller
gets the error. A request whose own `along` raises (its job's arguments are not JSON, say), or whose
keys cannot be stored, fails alone, before the batch is written.

On PostgreSQL a batch of requests with one key and at most one job each (every slash command,
view and event), no key asked twice, is one statement on a connection of its own
(`bot.db.direct`): it inserts the keys not claimed yet and the jobs of the requests whose key it
inserted. Any other batch (a click, whose double-click keys may collide within the batch; a job
with nothing to claim; SQLite) goes through a SQLAlchemy transaction, which gives back the keys a
losing request inserted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.direct import DirectConnection
from bot.db.engine import strip_nul, transaction, wait_limit_s
from bot.db.group_commit import GroupCommit
from bot.db.results import rowcount
from bot.db.tables import RequestClaim
from bot.db.upsert import upsert_insert
from bot.queue import JobRow, JobRows, insert_jobs, insert_jobs_sql, job_records, job_records_sql

Along = Callable[[JobRows], object]
_Claim = tuple[tuple[str, ...], Along | None]  # one request's keys, and what commits with them
_Request = tuple[tuple[str, ...], list[JobRow]]  # its keys and its jobs
_Outcome = bool | Exception  # claimed or not, or what the request's own `along` raised

# One batch of one-key requests: the keys not claimed yet are inserted, and the jobs of the
# requests whose key was (in their order); returns the inserted keys. The statement is its own
# transaction. `$1`: the batch's records (`bot.queue.job_records`); the keys come back as JSON.
# Keys are inserted in sorted order, as by the transaction: two processes claiming the same keys
# at once then wait for each other instead of deadlocking.
_CLAIM_WITH_JOBS = f"""
WITH request AS (
    SELECT * FROM {job_records_sql("$1", "request", keyed=True)}
), claimed AS (
    INSERT INTO request_claims (key, claimed_at) SELECT key, now() FROM request ORDER BY key
    ON CONFLICT (key) DO NOTHING RETURNING key
)
SELECT (SELECT array_to_json(array_agg(key)) FROM claimed), cardinality({
    insert_jobs_sql("request WHERE task_name IS NOT NULL AND key IN (SELECT key FROM claimed)")
})
"""


class RequestLedger:
    def __init__(self, sessions: sessionmaker[Session], *, direct: DirectConnection | None = None) -> None:
        """`direct`: on PostgreSQL, the connection batches of one-key requests are claimed on."""
        self._sessions, self._direct = sessions, direct
        self._batches: GroupCommit[_Claim, _Outcome] = GroupCommit(self._claim_batch)

    def claim(self, key: str) -> bool:
        """True for the first caller with this key, False for every later one."""
        return self.claim_all((key,))

    def claim_all(self, keys: Sequence[str], *, along: Along | None = None) -> bool:
        """Claims every key in one transaction: True when none was claimed before, and then the
        jobs `along(jobs)` deferred within `jobs` commit with the claims; False, with nothing
        written, when any key was. Anything `along` raises propagates, and nothing is claimed.
        With no keys, only the jobs are committed. Jobs need PostgreSQL (procrastinate's tables)."""
        try:
            outcome = self._batches.submit((tuple(keys), along), patience=wait_limit_s())
        except TimeoutError as error:  # the batch before it hangs: as a database past the bound
            raise OperationalError("claim", None, error) from error
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def close(self) -> None:
        if self._direct is not None:
            self._direct.close()

    def _claim_batch(self, claims: Sequence[_Claim]) -> list[_Outcome]:
        """Claims each request's keys, all in one transaction; a request whose `along` raises gets
        its error and takes no part."""
        outcomes: list[_Outcome | None] = []  # None: the batch's verdict, in `requests`
        requests: list[_Request] = []
        for keys, along in claims:
            jobs = JobRows()
            try:
                request = _storable(keys)
                if along is not None:
                    along(jobs)
            except Exception as error:
                outcomes.append(error)
                continue
            outcomes.append(None)
            requests.append((request, jobs.rows))
        won = iter(self._claim(requests) if requests else [])
        return [next(won) if outcome is None else outcome for outcome in outcomes]

    def _claim(self, requests: Sequence[_Request]) -> list[bool]:
        if self._direct is not None and _one_key_each(requests):
            return self._claim_in_one_statement(self._direct, requests)
        return self._claim_in_transaction(requests)

    def _claim_in_one_statement(self, direct: DirectConnection, requests: Sequence[_Request]) -> list[bool]:
        keys = [keys[0] for keys, _ in requests]
        records = job_records([jobs[0] if jobs else None for _, jobs in requests], keys)
        claimed, _ = direct.fetch_one(_CLAIM_WITH_JOBS, [records], wait_s=wait_limit_s())
        free = set(json.loads(claimed)) if claimed else set()
        return [key in free for key in keys]

    def _claim_in_transaction(self, requests: Sequence[_Request]) -> list[bool]:
        """As if the requests were claimed one by one in order: a key two requests ask for goes to
        the earlier one that claims it, and a request that finds any key taken claims none (what
        it would have taken stays free for the requests after it)."""
        with transaction(self._sessions) as session:
            free = _insert_new(session, {key for keys, _ in requests for key in keys})
            won: list[bool] = []
            taken: set[str] = set()
            for keys, _ in requests:
                won.append(free.issuperset(keys) and taken.isdisjoint(keys))
                taken.update(keys if won[-1] else ())
            if free - taken:  # inserted, but no request won them: given back
                session.execute(delete(RequestClaim).where(RequestClaim.key.in_(free - taken)))
            jobs = [job for w, (_, rows) in zip(won, requests, strict=True) if w for job in rows]
            if jobs:
                connection = session.connection().connection.driver_connection
                insert_jobs(connection, jobs)  # type: ignore[arg-type]  # PostgreSQL's, with a queue
        return won

    def prune(self, before: datetime) -> int:
        """Forget claims made before `before`; returns how many were removed."""
        with transaction(self._sessions) as session:
            return rowcount(session.execute(delete(RequestClaim).where(RequestClaim.claimed_at < before)))


def _storable(keys: Sequence[str]) -> tuple[str, ...]:
    """`keys` without NUL, which PostgreSQL refuses in text; `UnicodeEncodeError` for a lone
    surrogate, so that request fails alone rather than its batch."""
    cleaned = tuple(strip_nul(key) for key in keys)
    for key in cleaned:
        key.encode()
    return cleaned


def _one_key_each(requests: Sequence[_Request]) -> bool:
    """Every request has one key, none the same as another's, and at most one job."""
    keys = {keys[0] for keys, _ in requests if len(keys) == 1}
    return len(keys) == len(requests) and all(len(jobs) <= 1 for _, jobs in requests)


def _insert_new(session: Session, keys: set[str]) -> set[str]:
    """Inserts the keys not claimed yet; returns those. One statement, compiled once (SQLAlchemy
    sends the rows as one multi-row INSERT): a Core insert, as the ORM's costs more CPU per row."""
    if not keys:
        return set()
    now = datetime.now(UTC)
    table = RequestClaim.__table__
    stmt = upsert_insert(session, table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.key)
    return set(session.scalars(stmt, [{"key": k, "claimed_at": now} for k in sorted(keys)]))
