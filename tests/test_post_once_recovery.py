"""A worker killed between Slack taking a job's post and the post's record (`bot.post_once`,
`bot.post_recovery`): the job run again finds the post in Slack and does not post it twice.

The kill is simulated deterministically: the first run's `JobPosts.record` (or, for a kill before
Slack got the post, `intend` once it committed) raises `Killed`, a BaseException no handler
catches, as the process would have stopped right there; the job then runs again with the store
as the kill left it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.post_once import JobRun, running
from bot.post_recovery import EVENT_TYPE, PAGE
from bot.queue import JobInfo
from bot.services import Services
from bot.store.job_posts import JobPosts
from tests.fakes.slack_api import FakeSlackApi

JOB = JobInfo("digest.run", "digest-run:7", 0, False)
READS = ("conversations.history", "conversations.replies")


class Killed(BaseException):
    """The worker process stopping dead (kill -9): nothing after it runs."""


def die(*args: object, **kwargs: object) -> None:
    raise Killed


def run_job(services: Services, work: Callable[[WebClient], Any], *, attempt: int = 0) -> Any:
    """One run of the job: `work` gets a client that posts once per job."""
    job = JobInfo(JOB.name, JOB.key, attempt, False)
    with running(JobRun(job, services.job_posts)):
        return work(services.slack.for_workspace("T0TEST"))


def killed_run(
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
    work: Callable[[WebClient], Any],
    step: str = "record",
) -> None:
    """A run whose worker dies at `step` of the store (after Slack answered, for "record")."""
    with monkeypatch.context() as patch:
        patch.setattr(services.job_posts, step, die)
        with pytest.raises(Killed):
            run_job(services, work)


def reads(slack: FakeSlackApi) -> list[str]:
    """The history reads made, in order."""
    return [c.path.removeprefix("/api/") for c in slack.calls if c.path.removeprefix("/api/") in READS]


def post(channel: str = "C1", text: str = "digest", **more: Any) -> Callable[[WebClient], str]:
    return lambda client: str(client.chat_postMessage(channel=channel, text=text, **more)["ts"])


def test_a_post_made_before_the_kill_is_found_not_posted_again(
    services: Services, slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    killed_run(services, monkeypatch, post())
    [sent] = slack.messages("C1")
    assert run_job(services, post(), attempt=1) == sent["ts"]  # the first run's answer
    assert len(slack.calls_to("chat.postMessage")) == 1 and slack.messages("C1") == [sent]
    assert reads(slack) == ["conversations.history"]
    assert run_job(services, post(), attempt=2) == sent["ts"]  # now recorded: no more reads
    assert reads(slack) == ["conversations.history"]


def test_a_thread_reply_is_looked_for_in_its_thread(
    services: Services, slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = run_job(services, post(text="card"))
    reply = post(text="charts failed", thread_ts=parent)
    killed_run(services, monkeypatch, lambda client: (post(text="card")(client), reply(client)))
    assert run_job(services, lambda client: (post(text="card")(client), reply(client)), attempt=1)
    assert [m["text"] for m in slack.messages("C1")] == ["card", "charts failed"]
    [lookup] = slack.calls_to("conversations.replies")
    assert reads(slack) == ["conversations.replies"] and lookup.body["ts"] == parent


def test_the_post_is_found_on_a_later_page_of_a_busy_channel(
    services: Services, slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    killed_run(services, monkeypatch, post())
    for n in range(PAGE * 2):  # people talk after it: it is on the third page, newest first
        slack.keep("C1", {"type": "message", "ts": slack.next_ts(), "text": f"chat {n}", "user": "U1"})
    run_job(services, post(), attempt=1)
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert [c.body.get("cursor") for c in slack.calls_to("conversations.history")] == [None, "15", "30"]


def test_a_kill_before_slack_got_the_post_posts_it_on_the_next_run(
    services: Services, slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_intend = services.job_posts.intend

    def intend_then_die(key: str, markers: list[str]) -> None:
        real_intend(key, markers)
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(services.job_posts, "intend", intend_then_die)
        with pytest.raises(Killed):
            run_job(services, post())
    assert slack.messages("C1") == []
    run_job(services, post(), attempt=1)
    assert len(slack.messages("C1")) == 1 and reads(slack) == ["conversations.history"]


def test_a_file_share_is_found_by_its_file_ids(
    services: Services, slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    def upload(client: WebClient) -> Any:
        return client.files_upload_v2(channel="C1", file=b"a,b\n", filename="list.csv", title="list.csv")

    killed_run(services, monkeypatch, upload)
    [shared] = slack.messages("C1")
    answer = run_job(services, upload, attempt=1)
    assert len(slack.calls_to("files.completeUploadExternal")) == 1 and slack.messages("C1") == [shared]
    assert [f["id"] for f in answer["files"]] == [f["id"] for f in shared["files"]]


def test_without_the_history_scope_the_post_is_sent_again_and_the_job_goes_on(
    services: Services, slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An install made before the history scopes: the lookup is refused, the user still gets
    the post (a second time, as before this design), and the operator sees why."""
    killed_run(services, monkeypatch, post())
    slack.fail("conversations.history", "missing_scope")
    with caplog.at_level(logging.WARNING, logger="bot.post_recovery"):
        ts = run_job(services, post(), attempt=1)
    assert [m["ts"] for m in slack.messages("C1")][1] == ts
    assert "missing_scope" in caplog.text


def test_a_channel_kolbot_is_not_in_is_posted_to_again(
    services: Services, slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chat:write.public posts where kolbot has not joined; history answers not_in_channel there."""
    killed_run(services, monkeypatch, post())
    slack.fail("conversations.history", "not_in_channel")
    run_job(services, post(), attempt=1)
    assert len(slack.messages("C1")) == 2


def test_the_normal_path_reads_nothing_and_marks_each_message(
    services: Services, slack: FakeSlackApi
) -> None:
    run_job(services, lambda client: [post(c)(client) for c in ("C1", "C1", "C2")])
    run_job(services, lambda client: [post(c)(client) for c in ("C1", "C1", "C2")], attempt=1)
    assert reads(slack) == [] and len(slack.calls_to("chat.postMessage")) == 3
    marks = [c.body["metadata"] for c in slack.calls_to("chat.postMessage")]
    assert {m["event_type"] for m in marks} == {EVENT_TYPE}
    assert len({m["event_payload"]["post"] for m in marks}) == 3  # one per post
    assert JOB.key not in json.dumps(marks)  # a hash: the job's key is not shown to other apps


def test_an_ephemeral_message_is_neither_intended_nor_looked_for(
    services: Services, slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slack keeps no ephemeral message to find: after a kill it is shown again (documented)."""

    def note(client: WebClient) -> Any:
        return client.chat_postEphemeral(channel="C1", user="U1", text="vote counted")

    killed_run(services, monkeypatch, note)
    run_job(services, note, attempt=1)
    assert len(slack.calls_to("chat.postEphemeral")) == 2 and reads(slack) == []


def test_a_post_slack_refused_leaves_nothing_to_look_for(services: Services, slack: FakeSlackApi) -> None:
    """A refused post (not_in_channel, say) was not made: a later run posts without reading."""
    slack.fail("chat.postMessage", "not_in_channel")
    with pytest.raises(SlackApiError):
        run_job(services, post())
    run_job(services, post(), attempt=1)
    assert len(slack.messages("C1")) == 1 and reads(slack) == []


# -- the store ------------------------------------------------------------------------------------


@pytest.fixture
def posts(sessions: sessionmaker[Session]) -> Iterator[JobPosts]:
    yield JobPosts(sessions)


def test_an_intent_keeps_its_time_and_takes_new_markers_until_its_answer(posts: JobPosts) -> None:
    before = datetime.now(UTC)
    posts.intend("job#a#0", ["F1"])
    first = posts.recall("job#a#0")
    assert first is not None and first.response is None and first.markers == ("F1",)
    assert before - timedelta(seconds=1) <= first.since <= datetime.now(UTC)
    posts.intend("job#a#0", ["F2"])  # posted again after the lookup did not find F1
    again = posts.recall("job#a#0")
    assert again is not None and (again.markers, again.since) == (("F2",), first.since)
    posts.intend("job#c#0", ["F3"])
    posts.forget("job#c#0")  # Slack refused it
    assert posts.recall("job#c#0") is None
    posts.record("job#a#0", '{"ts": "1"}')
    posts.forget("job#a#0")  # recorded: kept
    posts.record("job#a#0", '{"ts": "2"}')  # an overlapping run's answer: the first one stays
    done = posts.recall("job#a#0")
    assert done is not None and (done.response, done.since) == ('{"ts": "1"}', first.since)
    assert posts.recall("job#b#0") is None
