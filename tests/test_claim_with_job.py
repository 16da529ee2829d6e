"""`kolbot serve` on PostgreSQL claims a command and commits its job in one transaction
(`handlers.jobs.defer_slack_work`, `RequestLedger.claim_all(along=)`, `JobQueue.defer(within=)`):

- a duplicate delivery (Slack's retry of an acked command) is acked and makes no second job;
- a failed enqueue leaves no claim behind, so Slack's retry is served;
- the claim and the job row are written by one transaction: a job the database refuses after the
  claim's INSERT leaves neither.

A real procrastinate queue on the throwaway PostgreSQL database (skipped without it); the ledger's
all-or-nothing claim also on SQLite.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from slack_bolt import App
from sqlalchemy.exc import DBAPIError

from bot.db.engine import normalize_url
from bot.queue import JobRow, JobRows, insert_jobs
from bot.services import Services
from bot.store.requests import RequestLedger
from handlers.middleware import ACK_WAIT_S
from tests.fakes.signing import SlackRequests
from tests.queue_fixtures import TEAM, claimed, jobs_for, key_of, needs_pg, raw
from tests.test_claim_batches import told_storage_is_unavailable


@needs_pg
def test_a_duplicate_delivery_is_acked_and_makes_no_second_job(
    web: App, pg_url: str, slack_requests: SlackRequests
) -> None:
    search = slack_requests.command("护肤 pages=1")
    assert web.dispatch(search.bolt()).status == 200
    assert jobs_for(pg_url, search) == 1 and claimed(pg_url, search)
    assert web.dispatch(search.retried().bolt()).status == 200  # acked, and dropped:
    assert jobs_for(pg_url, search) == 1  # no second job


@needs_pg
def test_a_failed_enqueue_leaves_no_claim_so_slacks_retry_is_served(
    web: App, pg_url: str, slack_requests: SlackRequests
) -> None:
    search = slack_requests.command("护肤 pages=1")
    url = normalize_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url) as blocker:  # the job table is locked: the INSERT gives up after ACK_WAIT_S
        blocker.execute("LOCK TABLE procrastinate_jobs IN ACCESS EXCLUSIVE MODE")
        release = threading.Timer(3 * ACK_WAIT_S, blocker.rollback)  # an enqueue that waits longer succeeds
        release.start()
        started = time.monotonic()
        answer = web.dispatch(search.bolt())
        waited = time.monotonic() - started
        release.join()
    assert told_storage_is_unavailable(answer)  # a storage fault, as any other timed-out statement
    assert waited < 2 * ACK_WAIT_S
    assert not claimed(pg_url, search) and jobs_for(pg_url, search) == 0
    assert web.dispatch(search.retried().bolt()).status == 200
    assert claimed(pg_url, search) and jobs_for(pg_url, search) == 1


@needs_pg
def test_the_claim_and_the_job_commit_together(web: App, pg_url: str, slack_requests: SlackRequests) -> None:
    search = slack_requests.command("护肤 pages=1")
    assert web.dispatch(search.bolt()).status == 200
    with raw(pg_url) as conn:
        rows = conn.execute(
            "SELECT xmin::text FROM request_claims WHERE key = %s"
            " UNION ALL SELECT xmin::text FROM procrastinate_jobs WHERE args->>'key' = %s",
            (key_of(search), f"{TEAM}:{key_of(search)}"),
        ).fetchall()
    assert len(rows) == 2 and rows[0] == rows[1]  # written by one transaction


@needs_pg
def test_a_job_the_database_refuses_leaves_no_claim_so_slacks_retry_is_served(
    web: App, pg_url: str, slack_requests: SlackRequests
) -> None:
    search = slack_requests.command("护肤 pages=1")
    with refused_jobs(pg_url):  # the job's INSERT fails after the claim's
        assert web.dispatch(search.bolt()).status == 200
    assert not claimed(pg_url, search) and jobs_for(pg_url, search) == 0
    assert web.dispatch(search.retried().bolt()).status == 200  # Slack's retry is served
    assert claimed(pg_url, search) and jobs_for(pg_url, search) == 1


@contextmanager
def refused_jobs(pg_url: str) -> Iterator[None]:
    """While in the block, PostgreSQL refuses every new row of `procrastinate_jobs`."""
    with raw(pg_url) as conn:
        conn.execute(
            "CREATE FUNCTION refuse_job() RETURNS trigger LANGUAGE plpgsql"
            " AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
        )
        conn.execute(
            "CREATE TRIGGER refuse_job BEFORE INSERT ON procrastinate_jobs EXECUTE FUNCTION refuse_job()"
        )
        try:
            yield
        finally:
            conn.execute("DROP TRIGGER refuse_job ON procrastinate_jobs")
            conn.execute("DROP FUNCTION refuse_job()")


def test_claim_all_is_all_or_nothing(sessions: Any) -> None:
    ledger = RequestLedger(sessions)
    assert ledger.claim("click@2")
    assert not ledger.claim_all(("click:new", "click@2"))
    assert ledger.claim("click:new")  # was not claimed by the refused call
    assert ledger.claim_all(("a", "b"))
    assert not ledger.claim("a") and not ledger.claim("b")


def test_what_along_raises_propagates_and_nothing_is_claimed(sessions: Any) -> None:
    ledger = RequestLedger(sessions)

    def fail(_jobs: object) -> None:
        raise RuntimeError("enqueue failed")

    with pytest.raises(RuntimeError):
        ledger.claim_all(("k1", "k2"), along=fail)
    with pytest.raises(RuntimeError):
        ledger.claim_all(("k3",), along=fail)
    assert ledger.claim_all(("k1", "k2")) and ledger.claim("k3")


@needs_pg
def test_a_queued_request_is_a_procrastinate_job_ready_to_run(
    web: App, pg_url: str, slack_requests: SlackRequests
) -> None:
    search = slack_requests.command("护肤 pages=1")
    assert web.dispatch(search.bolt()).status == 200
    with raw(pg_url) as conn:
        row = conn.execute(
            "SELECT queue_name, task_name, status, lock, queueing_lock, priority, scheduled_at, args"
            " FROM procrastinate_jobs WHERE args->>'key' = %s",
            (f"{TEAM}:{key_of(search)}",),
        ).fetchone()
    assert row is not None
    *columns, args = row
    assert columns == ["kolbot", "search", "todo", None, None, 0, None]
    assert args["args"]["body"] == search.body and args["args"]["work"] == "/kol"


@needs_pg
def test_nul_in_a_key_or_a_jobs_arguments_is_dropped_not_a_failed_batch(
    queued: Services, pg_url: str
) -> None:
    assert queued.queue is not None
    queue = queued.queue

    def job(jobs: JobRows) -> None:
        queue.defer("search", "T:nul", {"body": "a\x00b", "fi\x00eld": "c"}, within=jobs)

    assert queued.ledger.claim_all(("n\x00ul",), along=job)
    with raw(pg_url) as conn:
        row = conn.execute("SELECT args FROM procrastinate_jobs WHERE args->>'key' = 'T:nul'").fetchone()
        assert conn.execute("SELECT count(*) FROM request_claims WHERE key = 'nul'").fetchone() == (1,)
    assert row is not None and row[0]["args"] == {"body": "ab", "field": "c"}


@needs_pg
def test_a_job_insert_the_database_refuses_quotes_none_of_the_jobs(pg_url: str) -> None:
    """The server's detail and context can quote the jobs' JSON, which holds Slack requests."""
    rows = [JobRow("search", '{"key": "T:x", "args": {"body": "token=xoxb-secret"}, "n": NaN}')]
    with raw(pg_url) as conn, pytest.raises(DBAPIError) as refused:
        insert_jobs(conn, rows)
    assert "invalid input syntax for type json" in str(refused.value)
    assert "xoxb-secret" not in str(refused.value) and refused.value.__cause__ is None


@needs_pg
def test_a_job_with_nothing_to_claim_is_committed_alone(queued: Services, pg_url: str) -> None:
    assert queued.queue is not None
    queue = queued.queue
    assert queued.ledger.claim_all((), along=lambda jobs: queue.defer("search", "T:alone", {}, within=jobs))
    with raw(pg_url) as conn:
        assert conn.execute(
            "SELECT count(*) FROM procrastinate_jobs WHERE args->>'key' = 'T:alone'"
        ).fetchone() == (1,)


@needs_pg
def test_after_the_database_dropped_its_connections_the_next_command_is_served(
    web: App, pg_url: str, slack_requests: SlackRequests
) -> None:
    first, second = slack_requests.command("护肤 pages=1"), slack_requests.command("美妆 pages=1")
    assert web.dispatch(first.bolt()).status == 200 and claimed(pg_url, first)
    with raw(pg_url) as admin:  # as a restart of the database would
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    answer = web.dispatch(second.bolt())
    assert not told_storage_is_unavailable(answer)
    assert claimed(pg_url, second) and jobs_for(pg_url, second) == 1
