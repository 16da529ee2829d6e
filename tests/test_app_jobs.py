"""A queued Slack job run by a worker (`handlers.jobs`), in-process: the worker's app replays the
request, posts each message once however often the job runs, leaves transient faults to the
queue's retry, and tells the user when the last attempt fails."""

from __future__ import annotations

import httpx
import pytest
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import OperationalError

from bot.errors import UpstreamError, UpstreamKind
from bot.i18n import tr
from bot.post_once import JobRun, running
from bot.queue import JobInfo, TaskRegistry, Transient
from bot.services import Services
from handlers.app import build_app
from handlers.jobs import SlackTask, register_slack_tasks
from handlers.replies import STORAGE_UNAVAILABLE
from tests.fakes.signing import SignedRequest, SlackRequests
from tests.fakes.slack_api import FakeSlackApi


@pytest.fixture
def worker_tasks(services: Services) -> TaskRegistry:
    tasks = TaskRegistry()
    register_slack_tasks(
        tasks, build_app(services.settings, services=services, for_worker=True), services.job_posts
    )
    return tasks


def run_job(tasks: TaskRegistry, request: SignedRequest, *, attempt: int = 0, final: bool = False) -> None:
    job = JobInfo(SlackTask.SEARCH, "T0TEST:command:job-1", attempt, final)
    args = {"body": request.body, "content_type": request.headers["Content-Type"], "work": "/kol"}
    tasks.run(SlackTask.SEARCH, job, args)


def test_a_job_run_twice_posts_its_results_once(
    worker_tasks: TaskRegistry, slack_requests: SlackRequests, slack: FakeSlackApi
) -> None:
    search = slack_requests.command("护肤 pages=1")
    run_job(worker_tasks, search)  # inline: the worker's app runs the work at once
    [results] = slack.calls_to("response")
    assert results.body["response_type"] == "in_channel" and results.body["blocks"]
    run_job(worker_tasks, search, attempt=1)  # run again, as after a worker died before finishing
    assert len(slack.calls_to("response")) == 1


def test_a_transient_fault_is_left_to_the_retry_until_the_last_attempt(
    worker_tasks: TaskRegistry,
    services: Services,
    slack_requests: SlackRequests,
    slack: FakeSlackApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def storage_down(*args: object, **kwargs: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(services.search, "search", storage_down)
    search = slack_requests.command("护肤 pages=1")
    with pytest.raises(Transient):
        run_job(worker_tasks, search)
    assert slack.calls_to("response") == []  # nobody told yet: the queue tries again
    run_job(worker_tasks, search, attempt=3, final=True)
    [told] = slack.calls_to("response")
    assert (
        told.body["response_type"] == "ephemeral" and tr("zh", STORAGE_UNAVAILABLE.what) in told.body["text"]
    )


def test_a_client_inside_a_job_posts_each_message_once(services: Services, slack: FakeSlackApi) -> None:
    job = JobInfo("digest.run", "digest-run:1", 0, False)
    runs = []
    for _ in range(2):  # the same job twice
        with running(JobRun(job, services.job_posts)):
            client = services.slack.for_workspace("T0TEST")
            posts = [("C1", "digest"), ("C1", "digest"), ("C2", "digest")]  # an identical post is its own
            runs.append([client.chat_postMessage(channel=c, text=t)["ts"] for c, t in posts])
    assert len(slack.calls_to("chat.postMessage")) == 3
    assert runs[0] == runs[1] and len(set(runs[0])) == 3  # the second run got the first run's answers


def _in_process(services: Services, request: SignedRequest, slack: FakeSlackApi) -> str:
    """What the user is told on the one-process path (SQLite: `kolbot serve` runs the work)."""
    assert services.queue is None
    assert build_app(services.settings, services=services).dispatch(request.bolt()).status == 200
    return str(slack.wait_for_calls("response", 1)[-1].body["text"])


def _queued(tasks: TaskRegistry, request: SignedRequest, slack: FakeSlackApi) -> str:
    """What the user is told when a queued job's last attempt fails."""
    before = len(slack.calls_to("response"))
    run_job(tasks, request, attempt=3, final=True)
    return str(slack.wait_for_calls("response", before + 1)[-1].body["text"])


FAILURES = {
    "storage": (
        lambda: OperationalError("SELECT 1", {}, Exception("down")),
        "搜索失败。存储暂时不可用。",
    ),
    "tikhub balance": (lambda: UpstreamError(UpstreamKind.BALANCE, status=402), None),
    "network": (lambda: httpx.ConnectError("refused"), "搜索失败。网络连接失败。"),
}


@pytest.mark.parametrize("case", FAILURES)
def test_a_failed_job_tells_the_user_what_failed_and_what_to_do_as_the_in_process_path_does(
    case: str,
    worker_tasks: TaskRegistry,
    services: Services,
    slack_requests: SlackRequests,
    slack: FakeSlackApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make, headline = FAILURES[case]

    def failing(*args: object, **kwargs: object) -> None:
        raise make()

    monkeypatch.setattr(services.search, "search", failing)
    queued = _queued(worker_tasks, slack_requests.command("护肤 pages=1"), slack)
    in_process = _in_process(services, slack_requests.command("护肤 pages=1"), slack)
    assert queued == in_process  # the same words on both paths
    assert queued.startswith(tr("zh", SlackTask.SEARCH.failed))  # what failed, in the user's language
    if headline is not None:
        assert queued.startswith(headline)
    if case == "tikhub balance":  # the specific remedy: TikHub's balance
        error = make()
        assert isinstance(error, UpstreamError) and error.hint is not None
        assert tr("zh", error.hint) in queued


def test_a_slack_refusal_with_a_remedy_says_what_to_do(
    worker_tasks: TaskRegistry,
    services: Services,
    slack_requests: SlackRequests,
    slack: FakeSlackApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def not_in_channel(*args: object, **kwargs: object) -> None:
        raise SlackApiError("refused", {"ok": False, "error": "not_in_channel"})

    monkeypatch.setattr(services.search, "search", not_in_channel)
    told = _queued(worker_tasks, slack_requests.command("护肤 pages=1"), slack)
    assert "/invite @kolbot" in told and "ref " not in told
