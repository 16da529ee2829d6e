"""`/kol digest run` as a queued job (`digest.run_now`) that is run again: after its worker died
mid-run (the queue's stalled-job retry), or once it has posted (a duplicate delivery of the job).

The manual run is keyed by the Slack request the job serves (issue 10 §1: each task is idempotent,
keyed by its request), so running the job again finishes the same run instead of making a second one
that the clock would post again after the first run's lease.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.digests.service import LEASE
from bot.services import Services, build_services
from tests.digest_support import CHANNEL, TEAM, USER, digest_settings
from tests.fakes.slack_api import FakeSlackApi

REQUEST = "command:13345224609.738474920.8088930838d88f008e0"  # one Slack request, run twice


class WorkerDied(BaseException):
    """Stands for the kill -9 of the worker running the job (nothing after it runs)."""


@pytest.fixture
def demo(slack: FakeSlackApi) -> Iterator[Services]:
    services = build_services(digest_settings(slack))
    yield services
    services.close()


def channel_posts(slack: FakeSlackApi) -> int:
    return sum(c.body.get("channel") == CHANNEL for c in slack.calls_to("chat.postMessage"))


def test_a_digest_run_job_run_again_after_its_worker_died_posts_once(
    demo: Services, slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest_id = demo.digests.add(TEAM, CHANNEL, USER, '"护肤" daily 09:30', "en").digest.short_id
    pipeline = demo.digests._pipeline
    make = pipeline.run

    def dies(job: object) -> object:
        raise WorkerDied

    monkeypatch.setattr(pipeline, "run", dies)
    with pytest.raises(WorkerDied):  # the first attempt: the run is claimed, then the worker dies
        demo.digests.run_now(TEAM, digest_id, request=REQUEST)
    monkeypatch.setattr(pipeline, "run", make)
    demo.digests.run_now(TEAM, digest_id, request=REQUEST)  # the queue runs the job again on another worker
    assert channel_posts(slack) == 1
    later = datetime.now(UTC) + LEASE + timedelta(minutes=1)  # the clock, once the lease is over
    for job in demo.digests.claim_due(later):
        if job.run.manual:
            demo.digests.execute(job)
    assert channel_posts(slack) == 1


def test_a_digest_run_job_that_already_posted_is_reported_not_posted_again(
    demo: Services, slack: FakeSlackApi
) -> None:
    digest_id = demo.digests.add(TEAM, CHANNEL, USER, '"护肤" daily 09:30', "en").digest.short_id
    first = demo.digests.run_now(TEAM, digest_id, request=REQUEST)
    again = demo.digests.run_now(TEAM, digest_id, request=REQUEST)
    assert channel_posts(slack) == 1 and len(first.runs) == len(again.runs) == 1
    other = demo.digests.run_now(TEAM, digest_id, request=REQUEST + "-another")  # a new request posts
    assert channel_posts(slack) == 2 and len(other.runs) == 2
