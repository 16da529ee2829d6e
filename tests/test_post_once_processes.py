"""A real worker killed (kill -9) after Slack took its post and before it could record the answer:
the job's next run finds the message in the channel and the channel shows it once
(`bot.post_once`, `tests/scale_harness.py`)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from tests.fakes.slack_api import _CANNED, FakeSlackApi
from tests.scale_harness import wait_until

if TYPE_CHECKING:
    from tests.scale_harness import Cluster

CHANNEL = "C0DIGESTKILL"


def hold_after_posting(slack: FakeSlackApi, channel: str) -> tuple[threading.Event, threading.Event]:
    """The first chat.postMessage to `channel` is posted (the channel shows it), then its answer
    waits until `release`: the worker that sent it can be killed before it hears Slack's answer."""
    held, release = threading.Event(), threading.Event()

    def handler(fake: FakeSlackApi, body: dict) -> dict:
        answer = _CANNED["chat.postMessage"](fake, body)
        if body.get("channel") == channel and not held.is_set():
            held.set()
            release.wait(60)
        return answer

    slack.on("chat.postMessage", handler)
    return held, release


def test_a_worker_killed_before_recording_a_post_does_not_post_it_twice(cluster: Cluster) -> None:
    web = cluster.serve()
    slack = cluster.slack
    at = datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(hours=12)  # not due: only `run` posts
    cluster.post(
        web, cluster.requests("adder", channel_id=CHANNEL).command(f'digest add "护肤" daily {at:%H}:00')
    )
    doomed = cluster.worker()
    wait_until(lambda: cluster.query("SELECT count(*) FROM digests")[0][0] == 1, 30, "the digest")
    [(short_id,)] = cluster.query("SELECT short_id FROM digests")
    held, release = hold_after_posting(slack, CHANNEL)
    try:
        cluster.post(web, cluster.requests("runner", channel_id=CHANNEL).command(f"digest run {short_id}"))
        assert held.wait(60), "the worker never posted the digest"
        doomed.proc.kill()  # kill -9: Slack has the message, the worker never heard so
        doomed.proc.wait()
    finally:
        release.set()
    cluster.worker()
    cluster.wait_until_queue_empty()
    assert len(slack.messages(CHANNEL)) == 1  # the channel shows it once
    assert [c.body["channel"] for c in slack.calls_to("chat.postMessage")] == [CHANNEL]
    assert slack.calls_to("conversations.history")  # the next run looked for it before posting
    assert cluster.query("SELECT status FROM digest_runs") == [("posted",)]
