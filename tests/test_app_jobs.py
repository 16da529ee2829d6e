"""A queued Slack job run by a worker (`handlers.jobs`), in-process: the worker's app replays the
request, posts each message once however often the job runs, leaves transient faults to the
queue's retry, and tells the user when the last attempt fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import OperationalError

from bot.cards.actions import ActionId, PageValue, ScreenValue
from bot.errors import UpstreamError, UpstreamKind
from bot.i18n import tr
from bot.post_once import JobRun, running
from bot.queue import JobInfo, TaskRegistry, Transient
from bot.screen import AudienceScreen
from bot.services import Services
from handlers.app import build_app
from handlers.jobs import SlackTask, register_slack_tasks
from handlers.modals import FORM_FAILED
from handlers.replies import STORAGE_UNAVAILABLE
from tests.fakes.signing import SignedRequest, SlackRequests, button, select
from tests.fakes.slack_api import FakeSlackApi
from tests.test_app_actions import element, sort_value


@pytest.fixture
def worker_tasks(services: Services) -> TaskRegistry:
    tasks = TaskRegistry()
    register_slack_tasks(
        tasks, build_app(services.settings, services=services, for_worker=True), services.job_posts
    )
    return tasks


def run_job(
    tasks: TaskRegistry,
    request: SignedRequest,
    *,
    attempt: int = 0,
    final: bool = False,
    task: SlackTask = SlackTask.SEARCH,
) -> None:
    job = JobInfo(task, "T0TEST:command:job-1", attempt, final)
    args = {"body": request.body, "content_type": request.headers["Content-Type"], "work": "/kol"}
    tasks.run(task, job, args)


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
    before = len(slack.calls_to("response"))  # the work answers after the ack, on the worker pool
    assert build_app(services.settings, services=services).dispatch(request.bolt()).status == 200
    return str(slack.wait_for_calls("response", before + 1)[before].body["text"])


def _queued(
    tasks: TaskRegistry, request: SignedRequest, slack: FakeSlackApi, task: SlackTask = SlackTask.SEARCH
) -> str:
    """What the user is told when a queued job's last attempt fails."""
    before = len(slack.calls_to("response"))
    run_job(tasks, request, attempt=3, final=True, task=task)
    return str(slack.wait_for_calls("response", before + 1)[before].body["text"])


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


# -- clicks: their work fails like a command's ------------------------------------------------------


def _storage_down(*args: object, **kwargs: object) -> None:
    raise OperationalError("SELECT 1", {}, Exception("connection refused"))


def _results_card(services: Services, slack_requests: SlackRequests, slack: FakeSlackApi) -> dict[str, Any]:
    """A Chinese search with audience targets, run in-process: its results card (the demo data's
    free screen follows it) as posted, with a ts."""
    app = build_app(services.settings, services=services)
    assert app.dispatch(slack_requests.command("护肤 受众性别=女>=70% pages=1").bolt()).status == 200
    card, _screen = (c.body for c in slack.wait_for_calls("response", 2))
    return {"type": "message", "ts": slack.next_ts(), **card}


def _more(card: dict[str, Any]) -> dict[str, Any]:
    return element(card, ActionId.MORE)


def _resort(card: dict[str, Any]) -> dict[str, Any]:
    return select(ActionId.SORT, sort_value(card, "cpm"), text="CPM")


def _details(card: dict[str, Any]) -> dict[str, Any]:
    return element(card, ActionId.DETAILS)


def _screen(card: dict[str, Any]) -> dict[str, Any]:
    """*Screen* on the prompt a costlier screen of this search would have posted."""
    ref = PageValue.decode(_more(card)["value"]).search_ref
    return button(ActionId.SCREEN_RUN, ScreenValue(search_ref=ref, count=20).encode(), text="筛查（$0.40）")


# click, its task, and the call that fails: (services) -> (object, attribute)
CLICKS: dict[str, tuple[Callable[[dict[str, Any]], dict[str, Any]], SlackTask, Callable[[Services], Any]]] = {
    "more results": (_more, SlackTask.MORE_RESULTS, lambda s: (s.search, "more")),
    "more results, before the saved search is read": (
        _more,
        SlackTask.MORE_RESULTS,
        lambda s: (s.searches, "get"),  # told in the clicked card's language
    ),
    "re-sort": (_resort, SlackTask.RESORT, lambda s: (s.search, "search")),
    "details": (_details, SlackTask.DEEP_DIVE, lambda s: (s.deepdive, "load")),
    # `services.screen` is built on each use: the class is patched
    "audience screen": (_screen, SlackTask.AUDIENCE_SCREEN, lambda s: (AudienceScreen, "run")),
}


@pytest.mark.parametrize("case", CLICKS)
def test_a_failed_click_says_what_failed_in_the_users_language_on_both_paths(
    case: str,
    worker_tasks: TaskRegistry,
    services: Services,
    slack_requests: SlackRequests,
    slack: FakeSlackApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    action_of, task, failing = CLICKS[case]
    card = _results_card(services, slack_requests, slack)
    monkeypatch.setattr(*failing(services), _storage_down)
    click = action_of(card)
    queued = _queued(worker_tasks, slack_requests.block_action(click, message=card), slack, task)
    in_process = _in_process(services, slack_requests.block_action(click, message=card), slack)
    assert queued == in_process  # the same words on both paths
    # what failed, then why and what to do, in the search's language (the workspace's is English)
    assert services.default_lang == "en"
    assert queued.startswith(f"{tr('zh', task.failed)}{tr('zh', STORAGE_UNAVAILABLE.what)}")
    assert STORAGE_UNAVAILABLE.hint is not None and tr("zh", STORAGE_UNAVAILABLE.hint) in queued


def test_a_transient_fault_in_a_click_job_is_retried_not_reported(
    worker_tasks: TaskRegistry,
    services: Services,
    slack_requests: SlackRequests,
    slack: FakeSlackApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    card = _results_card(services, slack_requests, slack)
    told_before = len(slack.calls_to("response"))
    monkeypatch.setattr(services.search, "more", _storage_down)
    click = slack_requests.block_action(_more(card), message=card)
    for attempt in range(3):
        with pytest.raises(Transient):  # the queue runs the job again
            run_job(worker_tasks, click, attempt=attempt, task=SlackTask.MORE_RESULTS)
    assert len(slack.calls_to("response")) == told_before  # nobody told yet
    monkeypatch.undo()  # the database is back for the next attempt
    run_job(worker_tasks, click, attempt=3, final=True, task=SlackTask.MORE_RESULTS)
    [more] = slack.calls_to("response")[told_before:]
    assert more.body["response_type"] == "in_channel"  # the next results, once
    assert PageValue.decode(_more(more.body)["value"]).start > 1


def test_a_form_that_cannot_be_opened_says_what_failed(
    services: Services, slack_requests: SlackRequests, slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = _results_card(services, slack_requests, slack)
    monkeypatch.setattr(services.snapshots, "get", _storage_down)
    told = _in_process(
        services, slack_requests.block_action(element(card, ActionId.ADD_TO_SHORTLIST), message=card), slack
    )
    assert told.startswith(f"{tr('zh', FORM_FAILED)}{tr('zh', STORAGE_UNAVAILABLE.what)}")
    assert slack.calls_to("views.open") == []
