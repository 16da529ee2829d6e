"""Each feature's slow work is queued as its own named task (`handlers.jobs.SlackTask`), which
the worker runs and counts by name; jobs queued under the old single name still run.

The serve-side app queues into a recording stand-in for `JobQueue`; the worker's registry runs
what it recorded, as `kolbot worker` would. Real processes on PostgreSQL:
`tests/test_scale_processes.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from bot.cards.actions import PageValue
from bot.observability.metrics import reset_metrics
from bot.queue import JobInfo, TaskRegistry, Transient
from bot.services import Services
from handlers.app import build_app
from handlers.jobs import LEGACY_TASK, SlackTask, register_slack_tasks
from tests.fakes.queue import RecordingQueue
from tests.fakes.signing import SignedRequest, SlackRequests, button
from tests.fakes.slack_api import FakeSlackApi

STAR, OTHER = "7000000000000000001", "7000000000000000002"

REQUESTS: dict[str, tuple[Callable[[SlackRequests], SignedRequest], SlackTask]] = {
    "search": (lambda r: r.command("护肤 pages=1"), SlackTask.SEARCH),
    "show": (lambda r: r.command(f"show {STAR}"), SlackTask.DEEP_DIVE),
    "compare": (lambda r: r.command(f"compare {STAR} {OTHER}"), SlackTask.COMPARE),
    "shortlist list": (lambda r: r.command("shortlist list"), SlackTask.SHORTLIST_LIST),
    "shortlist new": (lambda r: r.command("shortlist new 618 beauty"), SlackTask.SHORTLIST_NEW),
    "plan list": (lambda r: r.command("plan list"), SlackTask.PLAN_LIST),
    "more results": (
        lambda r: r.block_action(button("kol_more", PageValue(search_ref="abc123", start=2).encode())),
        SlackTask.MORE_RESULTS,
    ),
    "home opened": (
        lambda r: r.event({"type": "app_home_opened", "user": r.user_id, "tab": "home"}),
        SlackTask.HOME,
    ),
}


def queued_by_serve(services: Services, request: SignedRequest) -> list[tuple[str, str, dict[str, object]]]:
    """What `kolbot serve` queues for `request`."""
    queue = RecordingQueue()
    services.queue = queue  # only `defer` is used on this side
    try:
        assert build_app(services.settings, services=services).dispatch(request.bolt()).status == 200
    finally:
        services.queue = None
    return queue.deferred


def worker_tasks(services: Services) -> TaskRegistry:
    tasks = TaskRegistry()
    app = build_app(services.settings, services=services, for_worker=True)
    register_slack_tasks(tasks, app, services.job_posts)
    return tasks


@pytest.mark.parametrize("case", REQUESTS)
def test_each_feature_is_queued_as_its_own_task(
    case: str, services: Services, slack_requests: SlackRequests
) -> None:
    make, task = REQUESTS[case]
    [(name, key, args)] = queued_by_serve(services, make(slack_requests))
    assert name == task.value
    assert key.startswith("T0TEST:")
    assert isinstance(args["body"], str)  # JSON arguments: the request itself, no closure


def test_the_worker_runs_every_named_task_and_the_old_single_name(services: Services) -> None:
    assert set(worker_tasks(services).names()) == {t.value for t in SlackTask} | {LEGACY_TASK}


def test_a_search_job_runs_under_its_name_and_is_counted(
    services: Services, slack_requests: SlackRequests, slack: FakeSlackApi
) -> None:
    counters = reset_metrics()
    [(name, key, args)] = queued_by_serve(services, slack_requests.command("护肤 pages=1"))
    worker_tasks(services).run(name, JobInfo(name, key, attempt=0, final=False), args)
    [results] = slack.calls_to("response")
    assert results.body["response_type"] == "in_channel"
    assert counters.jobs.labels(task="search", outcome="done")._value.get() == 1
    assert counters.job_seconds.labels(task="search")._sum.get() > 0


def test_job_outcomes_are_counted_by_task() -> None:
    counters = reset_metrics()
    tasks = TaskRegistry()

    def flaky(job: JobInfo) -> None:
        raise Transient("storage briefly down")

    def broken(job: JobInfo) -> None:
        raise RuntimeError("bug")

    tasks.register("flaky", flaky)
    tasks.register("broken", broken)
    with pytest.raises(Transient):
        tasks.run("flaky", JobInfo("flaky", "k", 0, final=False), {})
    with pytest.raises(Transient):
        tasks.run("flaky", JobInfo("flaky", "k", 2, final=True), {})
    with pytest.raises(RuntimeError):
        tasks.run("broken", JobInfo("broken", "k", 0, final=False), {})
    assert counters.jobs.labels(task="flaky", outcome="retry")._value.get() == 1
    assert counters.jobs.labels(task="flaky", outcome="failed")._value.get() == 1
    assert counters.jobs.labels(task="broken", outcome="failed")._value.get() == 1


def test_a_job_replayed_into_other_work_runs_and_says_so(
    services: Services,
    slack_requests: SlackRequests,
    slack: FakeSlackApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A request queued as one task and routed to another by the code that runs it (a deploy in
    between): the current code's work runs, and the log names both."""
    [(_name, key, args)] = queued_by_serve(services, slack_requests.command("护肤 pages=1"))
    with caplog.at_level(logging.WARNING):
        worker_tasks(services).run("compare", JobInfo("compare", key, attempt=0, final=False), args)
    assert slack.calls_to("response")
    assert f"job {key} was queued as compare and runs as search" in caplog.text
