"""One request id for a queued Slack request: the line `kolbot serve` writes when it acks and
queues the request, and the lines the worker writes when it replays it (its `job run` line, a
failure it reports included), carry the same `request_id` (`handlers.jobs`, `handlers.observe`).
The worker writes no second `slack request` line and counts no request metrics: a job run has its
own line (task, request id, attempt, outcome, error kind, duration) and the job metrics.

In-process: the serve-side app queues into a recording stand-in for `JobQueue` (deferring is all
`kolbot serve` does with it), and the worker's task runs the job it recorded, as `kolbot worker`
would. Real processes on PostgreSQL: `tests/test_scale_processes.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy.exc import OperationalError

from bot.observability.logs import RequestIdFilter
from bot.observability.metrics import reset_metrics
from bot.queue import JobInfo, TaskRegistry, Transient
from bot.services import Services
from handlers.app import build_app
from handlers.jobs import LEGACY_TASK, register_slack_tasks
from tests.fakes.queue import RecordingQueue
from tests.fakes.signing import SlackRequests
from tests.fakes.slack_api import FakeSlackApi


class Records(logging.Handler):
    """Every record at INFO and above, with `request_id` set as kolbot's handler sets it."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.addFilter(RequestIdFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def request_lines(self) -> list[logging.LogRecord]:
        return [r for r in self.records if r.getMessage().startswith("slack request ")]

    def job_lines(self) -> list[logging.LogRecord]:
        return [r for r in self.records if r.getMessage().startswith("job run ")]


@pytest.fixture
def records() -> Iterator[Records]:
    handler, root = Records(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


def serve_then_work(
    services: Services, request_text: str, slack_requests: SlackRequests, *, final: bool
) -> None:
    """Ack and queue `/kol <request_text>` as `kolbot serve` does, then run the job as a worker."""
    queue = RecordingQueue()
    services.queue = queue  # only `defer` is used on this side
    try:
        web = build_app(services.settings, services=services)
        assert web.dispatch(slack_requests.command(request_text).bolt()).status == 200
    finally:
        services.queue = None
    [(name, key, args)] = queue.deferred
    tasks = TaskRegistry()
    register_slack_tasks(
        tasks, build_app(services.settings, services=services, for_worker=True), services.job_posts
    )
    tasks.run(name, JobInfo(name, key, attempt=0, final=final), args)


def test_the_worker_logs_a_queued_request_under_the_id_serve_gave_it(
    services: Services, slack_requests: SlackRequests, slack: FakeSlackApi, records: Records
) -> None:
    counters = reset_metrics()
    serve_then_work(services, "护肤 pages=1", slack_requests, final=False)
    slack.wait_for_calls("response", 1)  # the worker posted the results
    [serve_line] = records.request_lines()  # from the ack only: the replay is not a second request
    assert serve_line.outcome == "ok"
    assert len(serve_line.request_id) == 12
    [run] = records.job_lines()
    assert (run.task, run.request_id, run.attempt, run.outcome) == ("search", serve_line.request_id, 1, "ok")
    assert (run.kind, run.subcommand, run.team, run.error) == ("command", "search", "T0TEST", "-")
    assert run.duration_ms >= 0 and "ack_ms" not in run.getMessage()
    job_line = next(r for r in records.records if r.getMessage().startswith("job T0TEST:"))
    assert job_line.request_id == serve_line.request_id
    assert counters.requests.labels("command", "ok")._value.get() == 1  # serve's, not twice
    assert counters.jobs.labels(task="search", outcome="done")._value.get() == 1


def test_a_failure_the_worker_reports_carries_the_same_request_id(
    services: Services,
    slack_requests: SlackRequests,
    slack: FakeSlackApi,
    records: Records,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(services.search, "search", broken)
    serve_then_work(services, "护肤 pages=1", slack_requests, final=True)
    [told] = slack.calls_to("response")
    assert told.body["response_type"] == "ephemeral"
    [serve_line] = records.request_lines()
    failure = next(r for r in records.records if r.getMessage().startswith("unexpected error (ref "))
    reference = failure.getMessage().split("(ref ", 1)[1].rstrip(")")
    assert reference in told.body["text"]  # the user's reference finds this line...
    assert failure.request_id == serve_line.request_id  # ...and the ack's
    [run] = records.job_lines()
    assert (run.request_id, run.outcome, run.error) == (serve_line.request_id, "error", "RuntimeError")
    assert "boom" not in run.getMessage()  # the kind of the error, never its text


def test_a_job_queued_without_a_request_id_still_runs_under_a_fresh_one(
    services: Services, slack_requests: SlackRequests, slack: FakeSlackApi, records: Records
) -> None:
    """Jobs queued by a `kolbot serve` from before the id was carried (a rolling deploy), when all
    Slack work was one task."""
    request = slack_requests.command("护肤 pages=1")
    tasks = TaskRegistry()
    register_slack_tasks(
        tasks, build_app(services.settings, services=services, for_worker=True), services.job_posts
    )
    args = {"body": request.body, "content_type": request.headers["Content-Type"], "work": "/kol"}
    tasks.run(LEGACY_TASK, JobInfo(LEGACY_TASK, "T0TEST:old", 0, False), args)
    slack.wait_for_calls("response", 1)
    assert records.request_lines() == []
    [run] = records.job_lines()
    assert len(run.request_id) == 12 and run.task == LEGACY_TASK


def test_an_attempt_that_will_be_retried_is_logged_as_a_retry_with_its_error_kind(
    services: Services,
    slack_requests: SlackRequests,
    slack: FakeSlackApi,
    records: Records,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def storage_down(*args: object, **kwargs: object) -> None:
        raise OperationalError("SELECT secret_stuff", {}, Exception("connection refused"))

    counters = reset_metrics()
    monkeypatch.setattr(services.search, "search", storage_down)
    with pytest.raises(Transient):
        serve_then_work(services, "护肤 pages=1", slack_requests, final=False)
    assert slack.calls_to("response") == []  # the queue tries again; nobody is told yet
    [serve_line] = records.request_lines()
    [run] = records.job_lines()
    assert (run.request_id, run.outcome, run.error) == (serve_line.request_id, "retry", "OperationalError")
    assert "secret_stuff" not in run.getMessage()
    assert counters.jobs.labels(task="search", outcome="retry")._value.get() == 1
    assert counters.requests.labels("command", "ok")._value.get() == 1
