"""Group-committed claims (`RequestLedger`, `bot.db.group_commit`): the commands of a burst are
claimed, and their jobs committed, in one transaction before any of them is acked.

- the claims and jobs of one batch commit together (one PostgreSQL transaction: same `xmin`);
- a failed batch leaves no claim and no job, and each of its requests is answered "storage is
  unavailable" (Slack's retries are then served);
- a duplicate, within a batch or of an earlier one, is acked and makes no second job;
- the batch's claim rules on both backends: a key asked twice in a batch goes to the earlier
  request, and a request finding one key taken claims none.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from slack_bolt import App, BoltResponse
from sqlalchemy.exc import OperationalError

from bot.db.direct import DirectConnection
from bot.db.engine import bounded_waits
from bot.i18n import tr
from bot.queue import JobQueue, JobRow, JobRows, stored_json
from bot.services import Services
from bot.store.requests import RequestLedger
from handlers.replies import STORAGE_UNAVAILABLE
from tests.fakes.signing import SignedRequest, SlackRequests
from tests.queue_fixtures import TEAM, claimed, jobs_for, key_of, needs_pg, raw
from tests.scale_harness import wait_until


class HeldQueue:
    """`JobQueue.defer`, with the first call held until `release`. The claim statements sent on the
    ledger's own connection are recorded (their keys, in `statements`); number `fail_at` fails as
    when the database goes away."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.held, self.release = threading.Event(), threading.Event()
        self.fail_at: int | None = None
        self.calls = 0
        self.statements: list[list[str]] = []
        defer, fetch_one = JobQueue.defer, DirectConnection.fetch_one

        def held_defer(queue: JobQueue, *args: Any, **kwargs: Any) -> None:
            self.calls += 1
            if self.calls == 1:
                self.held.set()
                assert self.release.wait(10)
            defer(queue, *args, **kwargs)

        def recorded(direct: DirectConnection, query: str, params: Any, **kwargs: Any) -> tuple[Any, ...]:
            self.statements.append([record["key"] for record in json.loads(params[0])])
            if len(self.statements) == self.fail_at:
                raise OperationalError(query, params, Exception("connection lost"))
            return fetch_one(direct, query, params, **kwargs)

        monkeypatch.setattr(JobQueue, "defer", held_defer)
        monkeypatch.setattr(DirectConnection, "fetch_one", recorded)


def burst(web: App, queued: Services, held: HeldQueue, requests: list[SignedRequest]) -> list[BoltResponse]:
    """The first request's batch is held in its enqueue while the others arrive; then all go on."""
    with ThreadPoolExecutor(len(requests)) as pool:
        first = pool.submit(web.dispatch, requests[0].bolt())
        assert held.held.wait(10)
        rest: list[Future[BoltResponse]] = [pool.submit(web.dispatch, r.bolt()) for r in requests[1:]]
        wait_until(lambda: len(queued.ledger._batches._pending) == len(rest), 10, "the others to wait")
        held.release.set()
        return [future.result(10) for future in [first, *rest]]


def told_storage_is_unavailable(answer: BoltResponse) -> bool:
    """An HTTP 200 ack with the "storage is unavailable" message (in Chinese: the searches are)."""
    assert answer.status == 200
    return (
        answer.body.startswith("{") and tr("zh", STORAGE_UNAVAILABLE.what) in json.loads(answer.body)["text"]
    )


def xmins(pg_url: str, table: str, column: str, values: list[str]) -> set[str]:
    """The transactions that wrote the rows whose `column` is one of `values`."""
    with raw(pg_url) as conn:
        rows = conn.execute(f"SELECT xmin::text FROM {table} WHERE {column} = ANY(%s)", (values,)).fetchall()
    assert len(rows) == len(values)
    return {row[0] for row in rows}


def search_job(queue: JobQueue, key: str) -> Callable[[JobRows], None]:
    """What a search's request commits with its claim: its job, keyed `key`."""
    return lambda jobs: queue.defer("search", key, {}, within=jobs)


def queued_keys(pg_url: str, run: str) -> list[str]:
    """The keys of the jobs queued under `run` (the database is shared by the module's tests)."""
    with raw(pg_url) as conn:
        rows = conn.execute(
            "SELECT args->>'key' FROM procrastinate_jobs WHERE args->>'key' LIKE %s ORDER BY id",
            (f"{run}:%",),
        ).fetchall()
    return [key for (key,) in rows]


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldQueue]:
    yield HeldQueue(monkeypatch)


@needs_pg
def test_the_claims_and_jobs_of_a_batch_commit_in_one_transaction(
    web: App, queued: Services, held: HeldQueue, pg_url: str, slack_requests: SlackRequests
) -> None:
    searches = [slack_requests.command(f"护肤 pages={n}") for n in (1, 2, 3, 4)]
    answers = burst(web, queued, held, searches)
    assert [answer.status for answer in answers] == [200] * 4
    keys = [key_of(search) for search in searches]
    batch = xmins(pg_url, "request_claims", "key", keys[1:])
    assert len(batch) == 1  # the three that arrived during the first commit: one transaction
    assert xmins(pg_url, "procrastinate_jobs", "args->>'key'", [f"{TEAM}:{k}" for k in keys[1:]]) == batch
    assert xmins(pg_url, "request_claims", "key", keys[:1]) != batch  # the first committed on its own


@needs_pg
def test_a_batch_of_commands_is_one_statement(
    web: App, queued: Services, held: HeldQueue, slack_requests: SlackRequests
) -> None:
    searches = [slack_requests.command(f"护肤 pages={n}") for n in (1, 2, 3, 4)]
    assert [answer.status for answer in burst(web, queued, held, searches)] == [200] * 4
    keys = [key_of(search) for search in searches]
    # the lone first request's batch, then the other three (in the order their threads arrived)
    assert [sorted(batch) for batch in held.statements] == [keys[:1], sorted(keys[1:])]


@needs_pg
def test_a_failed_batch_leaves_no_claims_and_each_request_is_told(
    web: App, queued: Services, held: HeldQueue, pg_url: str, slack_requests: SlackRequests
) -> None:
    searches = [slack_requests.command(f"护肤 pages={n}") for n in (1, 2, 3, 4)]
    held.fail_at = 2  # the second batch's statement
    first, *rest = burst(web, queued, held, searches)
    assert not told_storage_is_unavailable(first) and claimed(pg_url, searches[0])
    assert all(told_storage_is_unavailable(answer) for answer in rest)
    assert not any(claimed(pg_url, search) for search in searches[1:])
    assert all(jobs_for(pg_url, search) == 0 for search in searches[1:])
    for search in searches[1:]:  # Slack's retries are served
        assert web.dispatch(search.retried().bolt()).status == 200
        assert claimed(pg_url, search) and jobs_for(pg_url, search) == 1


@needs_pg
def test_duplicates_in_and_across_batches_make_no_second_job(
    web: App, queued: Services, held: HeldQueue, pg_url: str, slack_requests: SlackRequests
) -> None:
    search, other = slack_requests.command("护肤 pages=1"), slack_requests.command("美妆 pages=1")
    # the first delivery, then (during its commit) two retries of it and another command
    answers = burst(web, queued, held, [search, search.retried(), search.retried(2), other])
    assert [answer.status for answer in answers] == [200] * 4
    assert jobs_for(pg_url, search) == 1 and jobs_for(pg_url, other) == 1
    assert claimed(pg_url, search) and claimed(pg_url, other)


def test_a_key_asked_twice_in_a_batch_goes_to_the_earlier_request(sessions: Any) -> None:
    ledger = RequestLedger(sessions)
    won = ledger._claim_batch([(("a",), None), (("b", "a"), None), (("c",), None)])
    assert won == [True, False, True]
    assert ledger.claim("b")  # the request that lost kept nothing


@needs_pg
@pytest.mark.parametrize("two_keys", [False, True], ids=["one key each", "two keys"])
def test_only_the_jobs_of_the_requests_that_won_are_committed(
    queued: Services, pg_url: str, two_keys: bool
) -> None:
    """Both ways a batch is written: one statement (one key each), or a transaction."""
    assert queued.queue is not None
    queue, run = queued.queue, uuid.uuid4().hex  # the database is shared by the module's tests
    a, b, c, taken = (f"{run}:{name}" for name in "abct")
    assert queued.ledger.claim(taken)

    losing = (b, taken) if two_keys else (taken,)
    batch = [((a,), search_job(queue, a)), (losing, search_job(queue, b)), ((c,), search_job(queue, c))]
    assert queued.ledger._claim_batch(batch) == [True, False, True]
    assert queued_keys(pg_url, run) == [a, c]
    assert queued.ledger.claim(b)  # the request that lost kept nothing


@needs_pg
@pytest.mark.parametrize("two_keys", [False, True], ids=["one key each", "two keys"])
def test_a_jobs_fields_and_arguments_are_stored_as_deferred(
    queued: Services, pg_url: str, two_keys: bool
) -> None:
    """The batch's records are JSON (`bot.queue.job_records`), with each job's arguments spliced in
    as the JSON they already are: quotes, backslashes, newlines and any script come back intact."""
    queue = queued.queue
    assert queue is not None
    key = f"{uuid.uuid4().hex}:quoted"
    args = {"body": 'text=护肤 "达人" \\ 100%\n🙂</>&', "content_type": "application/x-www-form-urlencoded"}

    def job(jobs: JobRows) -> None:
        queue.defer("shortlist.add", key, args, lock="shortlist:7", within=jobs)

    keys = (key, f"{key}:second") if two_keys else (key,)
    assert queued.ledger._claim_batch([(keys, job)]) == [True]
    with raw(pg_url) as conn:
        row = conn.execute(
            "SELECT queue_name, task_name, priority, lock, args FROM procrastinate_jobs"
            " WHERE args->>'key' = %s",
            (key,),
        ).fetchone()
    assert row == ("kolbot", "shortlist.add", 0, "shortlist:7", {"key": key, "args": args})


@needs_pg
def test_requests_with_and_without_a_job_share_one_statement(queued: Services, pg_url: str) -> None:
    """A view or event claimed before its listener (no job) in the same batch as commands."""
    queue = queued.queue
    assert queue is not None
    run = uuid.uuid4().hex
    a, b, c = (f"{run}:{name}" for name in "abc")

    batch = [((a,), search_job(queue, a)), ((b,), None), ((c,), search_job(queue, c))]
    assert queued.ledger._claim_batch(batch) == [True] * 3
    assert queued_keys(pg_url, run) == [a, c]
    assert not queued.ledger.claim(b)  # claimed, with no job


def test_a_request_whose_key_or_job_cannot_be_stored_fails_alone(sessions: Any) -> None:
    """A lone surrogate (a JSON payload can carry one as an escape) would fail the batch's write:
    it fails its own request before the batch is written."""
    ledger = RequestLedger(sessions)

    def job(jobs: JobRows) -> None:
        jobs.add(JobRow("search", stored_json({"body": "\ud800"})))

    def not_a_number(jobs: JobRows) -> None:  # NaN is JSON to Python, not to jsonb
        jobs.add(JobRow("search", stored_json({"score": float("nan")})))

    won = ledger._claim_batch(
        [(("bad\ud800",), None), (("ok",), None), (("bad job",), job), (("nan job",), not_a_number)]
    )
    assert isinstance(won[0], UnicodeEncodeError) and won[1] is True
    assert isinstance(won[2], UnicodeEncodeError) and isinstance(won[3], ValueError)
    assert ledger.claim("bad job") and ledger.claim("nan job")  # nothing of the failed requests was claimed


def test_a_request_finding_one_key_taken_claims_none_of_its_keys(sessions: Any) -> None:
    ledger = RequestLedger(sessions)
    assert ledger.claim("taken")
    assert ledger._claim_batch([(("new", "taken"), None), (("other",), None)]) == [False, True]
    assert ledger.claim("new") and not ledger.claim("other")


def test_a_key_a_losing_request_gave_back_goes_to_the_next_request_asking_it(sessions: Any) -> None:
    """As if the requests had been claimed one by one: the first finds "taken" taken and claims
    nothing, so "a" is free for the second, which must not be dropped as a duplicate."""
    ledger = RequestLedger(sessions)
    assert ledger.claim("taken")
    assert ledger._claim_batch([(("a", "taken"), None), (("a",), None)]) == [False, True]
    assert not ledger.claim("a")


def test_a_request_whose_own_change_fails_fails_alone_in_its_batch(sessions: Any) -> None:
    """One request's `along` raising (its job cannot be queued) must not fail the acks of the
    other requests committed with it: they are claimed, it is not, and its caller gets its error."""
    ledger = RequestLedger(sessions)
    held, release = threading.Event(), threading.Event()

    def hold(_: Any) -> None:
        held.set()
        assert release.wait(10)

    def fail(_: Any) -> None:
        raise ValueError("this request's job cannot be queued")

    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(ledger.claim_all, ("first",), along=hold)
        assert held.wait(10)
        batch: list[Future[bool]] = []
        for key, along in (("before", None), ("bad", fail), ("after", None)):
            batch.append(pool.submit(ledger.claim_all, (key,), along=along))
            wait_until(lambda: len(ledger._batches._pending) == len(batch), 10, f"{key} to wait")
        release.set()
        assert first.result(10)
        before, bad, after = batch
        assert before.result(10) and after.result(10)
        with pytest.raises(ValueError, match="cannot be queued"):
            bad.result(10)
    assert ledger.claim("bad") and not ledger.claim("before") and not ledger.claim("after")


def test_a_claim_waits_for_a_hung_batch_no_longer_than_its_bound(sessions: Any) -> None:
    """The claim before it hangs (a dead connection): an ack's claim gives up within its
    `bounded_waits`, as on a database past its bound ("storage is unavailable"), and claims nothing."""
    ledger = RequestLedger(sessions)
    held, release = threading.Event(), threading.Event()

    def hang(_: Any) -> None:
        held.set()
        assert release.wait(10)

    leader = threading.Thread(target=lambda: ledger.claim_all(("first",), along=hang), daemon=True)
    leader.start()
    assert held.wait(10)
    with bounded_waits(0.01), pytest.raises(OperationalError):
        ledger.claim("next")
    release.set()
    leader.join(10)
    assert ledger.claim("next")
