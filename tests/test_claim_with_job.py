"""`kolbot serve` on PostgreSQL claims a command and commits its job in one transaction
(`handlers.jobs.defer_slack_work`, `RequestLedger.claim_all(along=)`, `JobQueue.defer(within=)`):

- a duplicate delivery (Slack's retry of an acked command) is acked and makes no second job;
- a failed enqueue leaves no claim behind, so Slack's retry is served;
- the claim and the job row commit together: neither is visible before the commit, and a failure
  after the job's INSERT rolls both back.

A real procrastinate queue on the throwaway PostgreSQL database (skipped without it); the ledger's
all-or-nothing claim also on SQLite.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import psycopg
import pytest
from slack_bolt import App
from sqlalchemy import text

from bot import queue as queue_module
from bot.db.engine import normalize_url
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
def test_the_claim_and_the_job_commit_together(
    web: App, queued: Services, pg_url: str, slack_requests: SlackRequests, monkeypatch: pytest.MonkeyPatch
) -> None:
    search = slack_requests.command("护肤 pages=1")
    seen: list[tuple[bool, int]] = []
    insert = queue_module._insert_jobs

    def insert_then_look(*args: Any) -> None:
        insert(*args)  # the job's INSERT has run; nothing is committed yet
        seen.append((claimed(pg_url, search), jobs_for(pg_url, search)))

    monkeypatch.setattr(queue_module, "_insert_jobs", insert_then_look)
    assert web.dispatch(search.bolt()).status == 200
    assert seen == [(False, 0)]  # neither visible to another connection before the commit
    assert claimed(pg_url, search) and jobs_for(pg_url, search) == 1  # both after it


@needs_pg
def test_a_failure_after_the_jobs_insert_rolls_back_the_claim_and_the_job(
    web: App, pg_url: str, slack_requests: SlackRequests, monkeypatch: pytest.MonkeyPatch
) -> None:
    search = slack_requests.command("护肤 pages=1")
    insert = queue_module._insert_jobs

    def insert_then_fail(*args: Any) -> None:
        insert(*args)
        raise RuntimeError("after the job's INSERT, before the commit")

    monkeypatch.setattr(queue_module, "_insert_jobs", insert_then_fail)
    assert web.dispatch(search.bolt()).status == 200
    assert not claimed(pg_url, search) and jobs_for(pg_url, search) == 0
    monkeypatch.undo()
    assert web.dispatch(search.retried().bolt()).status == 200  # Slack's retry is served
    assert claimed(pg_url, search) and jobs_for(pg_url, search) == 1


def test_claim_all_is_all_or_nothing(sessions: Any) -> None:
    ledger = RequestLedger(sessions)
    assert ledger.claim("click@2")
    ran: list[object] = []
    assert not ledger.claim_all(("click:new", "click@2"), along=ran.append)
    assert ran == []  # a duplicate changes nothing
    assert ledger.claim("click:new")  # was not claimed by the refused call
    assert ledger.claim_all(("a", "b"), along=ran.append) and len(ran) == 1
    assert not ledger.claim("a") and not ledger.claim("b")


def test_what_along_raises_rolls_the_claims_back(sessions: Any) -> None:
    ledger = RequestLedger(sessions)

    def fail(_session: object) -> None:
        raise RuntimeError("enqueue failed")

    with pytest.raises(RuntimeError):
        ledger.claim_all(("k1", "k2"), along=fail)
    assert ledger.claim_all(("k1", "k2"))


@needs_pg
def test_a_job_is_not_deferred_within_a_savepoint_whose_rollback_would_keep_it(queued: Services) -> None:
    assert queued.queue is not None
    with (
        queued.sessions.begin() as session,
        session.begin_nested(),
        pytest.raises(ValueError, match="savepoint"),
    ):
        queued.queue.defer("search", "T:k", {}, within=session)


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
def test_nul_in_a_jobs_arguments_is_dropped_not_a_failed_batch(queued: Services, pg_url: str) -> None:
    assert queued.queue is not None
    with queued.sessions.begin() as session:
        queued.queue.defer("search", "T:nul", {"body": "a\x00b"}, within=session)
    with raw(pg_url) as conn:
        row = conn.execute("SELECT args FROM procrastinate_jobs WHERE args->>'key' = 'T:nul'").fetchone()
    assert row is not None and row[0]["args"] == {"body": "ab"}


@needs_pg
def test_a_savepoints_commit_leaves_the_jobs_to_the_outer_transaction(queued: Services) -> None:
    assert queued.queue is not None
    count = text("SELECT count(*) FROM procrastinate_jobs WHERE args->>'key' = 'T:outer'")
    with queued.sessions.begin() as session:
        queued.queue.defer("search", "T:outer", {}, within=session)
        with session.begin_nested():
            pass  # its commit must not insert the outer transaction's job (a failure after it would lose it)
        assert session.scalar(count) == 0
    with queued.sessions.begin() as session:
        assert session.scalar(count) == 1  # inserted by the outer commit


@needs_pg
def test_a_job_is_not_deferred_in_a_session_with_no_transaction(queued: Services) -> None:
    assert queued.queue is not None
    with queued.sessions() as session, pytest.raises(ValueError, match="within a transaction"):
        queued.queue.defer("search", "T:k", {}, within=session)
