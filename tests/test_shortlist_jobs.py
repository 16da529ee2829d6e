"""Shortlist work run as queued jobs whose worker died part-way (`handlers.jobs`, in-process: the
worker's app replays the request, as `kolbot worker` would; the deaths are simulated at the point
the test names, deterministically).

- `/kol shortlist add` run again after its worker died once the creators were stored: the run
  recognises its own earlier work (the same request key) and replies as a first run would, with
  names, once; "already on" is only for creators another request added, and names them.
- `/kol shortlist show` repairing the thread meets a creator's card that an add job posted before
  it died, and does not post it again: thread cards are posted once whoever posts them
  (`bot.post_once.post_keyed`), including after a death between Slack taking the card and kolbot
  recording it (the card is found by its metadata).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from bot.queue import JobInfo, TaskRegistry, Transient
from bot.services import Services
from bot.shortlists.service import ShortlistService
from bot.store.job_posts import JobPosts
from handlers.app import build_app
from handlers.jobs import SlackTask, register_slack_tasks
from tests.fakes.signing import CHANNEL_ID, SignedRequest, SlackRequests
from tests.fakes.slack_api import FakeSlackApi
from tests.test_app_shortlists import ALPHA, BETA, CREATORS, T0


@pytest.fixture
def services(services: Services) -> Services:
    services.snapshots.save_many(CREATORS, live=True, fetched_at=T0)
    return services


@pytest.fixture
def tasks(services: Services) -> TaskRegistry:
    registry = TaskRegistry()
    register_slack_tasks(
        registry, build_app(services.settings, services=services, for_worker=True), services.job_posts
    )
    return registry


def run(tasks: TaskRegistry, task: SlackTask, request: SignedRequest, key: str, attempt: int = 0) -> None:
    args = {"body": request.body, "content_type": request.headers["Content-Type"], "work": "/kol"}
    tasks.run(task, JobInfo(task, f"T0TEST:{key}", attempt, final=False), args)


def dies_once(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, *, before: bool = False) -> None:
    """`owner.name` fails once, after doing its work (or `before` it), as if the worker died there
    (a storage fault: the queue runs the job again); later calls work."""
    original: Callable[..., Any] = getattr(owner, name)
    died: list[bool] = []

    def then_die(self: object, *args: Any, **kwargs: Any) -> Any:
        if before and not died:
            died.append(True)
            raise OperationalError("worker died", {}, Exception("killed"))
        result = original(self, *args, **kwargs)
        if not died:
            died.append(True)
            raise OperationalError("worker died", {}, Exception("killed"))
        return result

    monkeypatch.setattr(owner, name, then_die)


def replies(slack: FakeSlackApi) -> list[str]:
    return [json.dumps(c.body, ensure_ascii=False) for c in slack.calls_to("response")]


def thread_cards(slack: FakeSlackApi, star_id: str) -> list[dict[str, Any]]:
    return [
        c.body
        for c in slack.calls_to("chat.postMessage")
        if c.body.get("thread_ts") and star_id in json.dumps(c.body, ensure_ascii=False)
    ]


def new_shortlist(tasks: TaskRegistry, slack_requests: SlackRequests, slack: FakeSlackApi) -> None:
    run(tasks, SlackTask.SHORTLIST_NEW, slack_requests.command('shortlist new "Spring"'), "new")
    assert len(slack.calls_to("response")) == 1


def test_an_add_run_again_after_its_worker_died_replies_added_with_names_once(
    tasks: TaskRegistry,
    services: Services,
    slack_requests: SlackRequests,
    slack: FakeSlackApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    new_shortlist(tasks, slack_requests, slack)
    dies_once(monkeypatch, ShortlistService, "add")  # the creators are stored, then the worker dies
    add = slack_requests.command(f"shortlist add Spring {ALPHA} {BETA}")
    with pytest.raises(Transient):
        run(tasks, SlackTask.SHORTLIST_ADD, add, "add")
    assert len(slack.calls_to("response")) == 1  # nothing said yet
    run(tasks, SlackTask.SHORTLIST_ADD, add, "add", attempt=1)  # the same request, run again
    [_, told] = replies(slack)  # once
    assert "Added to *Spring*: Alpha 小雨, Beta." in told
    assert "Already" not in told and ALPHA not in told
    assert len(thread_cards(slack, ALPHA)) == len(thread_cards(slack, BETA)) == 1
    # Another request adding them later: "already on", by name.
    run(tasks, SlackTask.SHORTLIST_ADD, slack_requests.command(f"shortlist add Spring {ALPHA}"), "other")
    assert "Already on *Spring*: Alpha 小雨." in replies(slack)[-1]


def test_show_does_not_post_again_a_card_an_add_job_posted_before_it_died(
    tasks: TaskRegistry,
    services: Services,
    slack_requests: SlackRequests,
    slack: FakeSlackApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    new_shortlist(tasks, slack_requests, slack)
    dies_once(monkeypatch, ShortlistService, "set_item_ts", before=True)  # posted, not yet recorded
    with pytest.raises(Transient):
        run(tasks, SlackTask.SHORTLIST_ADD, slack_requests.command(f"shortlist add Spring {ALPHA}"), "add")
    assert len(thread_cards(slack, ALPHA)) == 1
    [item] = services.shortlists.summary("T0TEST", the_shortlist(services)).items
    assert item.card_ts is None  # the repair below sees a creator without a card
    run(tasks, SlackTask.SHORTLIST_SHOW, slack_requests.command("shortlist show Spring"), "show")
    assert len(thread_cards(slack, ALPHA)) == 1  # not posted twice
    [item] = services.shortlists.summary("T0TEST", the_shortlist(services)).items
    assert item.card_ts is not None  # the card the add job posted
    assert any(m.get("ts") == item.card_ts for m in slack.messages(CHANNEL_ID))


def the_shortlist(services: Services) -> str:
    return services.shortlists.list("T0TEST", CHANNEL_ID)[0].shortlist.short_id


def test_show_finds_a_card_whose_post_was_never_recorded_and_does_not_post_it_again(
    tasks: TaskRegistry,
    services: Services,
    slack_requests: SlackRequests,
    slack: FakeSlackApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Killed between Slack taking the card and kolbot recording its answer: the card's intent has
    no answer, so `show` reads the thread, finds the card by its metadata and records it."""
    new_shortlist(tasks, slack_requests, slack)
    original = JobPosts.record

    def die_recording_a_card(self: JobPosts, key: str, response: str) -> None:
        if '"thread_ts"' in response and ALPHA in response:  # Slack's answer to the card's post
            raise OperationalError("worker died", {}, Exception("killed"))
        original(self, key, response)

    monkeypatch.setattr(JobPosts, "record", die_recording_a_card)
    with pytest.raises(Transient):
        run(tasks, SlackTask.SHORTLIST_ADD, slack_requests.command(f"shortlist add Spring {ALPHA}"), "add")
    monkeypatch.setattr(JobPosts, "record", original)
    assert len(thread_cards(slack, ALPHA)) == 1
    run(tasks, SlackTask.SHORTLIST_SHOW, slack_requests.command("shortlist show Spring"), "show")
    assert len(thread_cards(slack, ALPHA)) == 1  # found in the thread, not posted again
    assert slack.calls_to("conversations.replies")
    [item] = services.shortlists.summary("T0TEST", the_shortlist(services)).items
    assert item.card_ts is not None
