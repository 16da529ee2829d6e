"""The clock process with time under control: due times (Shanghai, DST), catch-up after an outage,
two clocks racing, Slack pacing and 429s, TikHub refusals, and channels that are gone."""

from __future__ import annotations

import itertools
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bot.cli import main
from bot.digests.clock import Clock
from bot.digests.models import DigestStatus, RunStatus
from bot.services import Services, build_services
from bot.settings import Settings, get_settings
from bot.slack_io.digests import ChannelGate
from tests.digest_support import BOT_TOKEN, CHANNEL, TEAM, USER, digest_settings, posts, shown
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.tikhub_server import FakeTikHub, Fault

MONDAY = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai


@pytest.fixture
def settings(slack: FakeSlackApi) -> Settings:
    return digest_settings(slack)


def add(services: Services, text: str, channel: str = CHANNEL) -> str:
    return services.digests.add(TEAM, channel, USER, text, "en").digest.short_id


def run_clock(services: Services, traveller: time_machine.Traveller, until: datetime) -> None:
    """The real clock loop, its wait replaced by moving the clock one minute per tick."""

    def wait(_tick_s: float) -> bool:
        traveller.shift(timedelta(minutes=1))
        return datetime.now(UTC) > until

    Clock(services.digests, tick_s=60).run_forever(wait=wait)


# -- when digests are due -------------------------------------------------------------------------


def test_a_daily_digest_posts_once_at_its_local_time(services: Services, slack: FakeSlackApi) -> None:
    with time_machine.travel(MONDAY, tick=False) as traveller:
        digest_id = add(services, '"护肤" daily 09:30')
        run_clock(services, traveller, until=MONDAY + timedelta(hours=3))
    [post] = posts(slack)
    [run] = services.digests.show(TEAM, digest_id).runs
    assert run.period_key == "2026-03-02T09:30+08:00"
    assert run.scheduled_for == run.completed_at == datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    assert (run.status, run.late, run.ts) == (RunStatus.POSTED, False, slack.messages(CHANNEL)[0]["ts"])
    assert ":hourglass:" not in shown(post)


@pytest.mark.parametrize(
    ("schedule", "start", "period_key", "runs_at"),
    [
        # Spring forward: 02:30 does not exist on 2026-03-08 in New York; it runs once, at 03:30 EDT.
        ("daily 02:30 America/New_York", datetime(2026, 3, 8, 4, 0), "2026-03-08T03:30-04:00", 7),
        # Fall back: 01:30 happens twice on 2026-11-01; it runs once, at the first (EDT) one.
        ("daily 01:30 America/New_York", datetime(2026, 11, 1, 3, 0), "2026-11-01T01:30-04:00", 5),
    ],
    ids=["skipped-hour", "repeated-hour"],
)
def test_dst_gap_and_repeat_run_exactly_once(
    services: Services, slack: FakeSlackApi, schedule: str, start: datetime, period_key: str, runs_at: int
) -> None:
    start = start.replace(tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        digest_id = add(services, f'"护肤" {schedule}')
        run_clock(services, traveller, until=start + timedelta(hours=6))
    [run] = services.digests.show(TEAM, digest_id).runs
    assert run.period_key == period_key
    assert run.scheduled_for == start.replace(hour=runs_at, minute=30)
    assert len(posts(slack)) == 1


def test_after_an_outage_a_digest_catches_up_once_marked_late(
    services: Services, slack: FakeSlackApi
) -> None:
    clock = Clock(services.digests, tick_s=60)
    with time_machine.travel(MONDAY, tick=False) as traveller:
        digest_id = add(services, '"护肤" daily 09:30')
        traveller.move_to(datetime(2026, 3, 2, 1, 31, tzinfo=UTC))
        assert clock.tick()["posted"] == 1
        traveller.move_to(datetime(2026, 3, 5, 4, 0, tzinfo=UTC))  # down for three days: 12:00 Thursday
        run_clock(services, traveller, until=datetime(2026, 3, 5, 5, 0, tzinfo=UTC))
    assert len(posts(slack)) == 2
    late = posts(slack)[1]
    assert "Late: due 2026-03-05 09:30 Asia/Shanghai" in late["text"]
    latest = services.digests.show(TEAM, digest_id).runs[0]
    assert (latest.late, latest.period_key) == (True, "2026-03-05T09:30+08:00")


def test_two_clocks_racing_over_the_same_runs_post_each_once(db_url: str, slack: FakeSlackApi) -> None:
    settings = digest_settings(slack, database_url=db_url)
    first, second = build_services(settings), build_services(settings)  # two processes' worth
    start = MONDAY + timedelta(minutes=5)
    try:
        with time_machine.travel(start, tick=False) as traveller:
            digest_id = add(first, '"护肤" hourly')
            for hour in range(1, 5):
                traveller.move_to(MONDAY + timedelta(hours=hour, seconds=10))
                barrier = threading.Barrier(2)

                def tick(services: Services, barrier: threading.Barrier = barrier) -> int:
                    clock = Clock(services.digests, tick_s=60)
                    barrier.wait()
                    return clock.tick()["posted"]

                with ThreadPoolExecutor(2) as pool:
                    assert sorted(pool.map(tick, (first, second))) == [0, 1]
        assert len(posts(slack)) == 4
        runs = first.digests.show(TEAM, digest_id).runs
        assert len({run.period_key for run in runs}) == len(runs) == 4
    finally:
        first.close()
        second.close()


# -- Slack and TikHub failures --------------------------------------------------------------------


def due_now(services: Services, traveller: time_machine.Traveller, text: str = '"护肤" daily 09:30') -> str:
    """Add a digest, then move to its first slot."""
    digest_id = add(services, text)
    traveller.move_to(datetime(2026, 3, 2, 1, 30, tzinfo=UTC))
    return digest_id


def test_slack_429_is_waited_out_then_posted(services: Services, slack: FakeSlackApi) -> None:
    slack.throttle("chat.postMessage", retry_after=0)
    with time_machine.travel(MONDAY, tick=False) as traveller:
        digest_id = due_now(services, traveller)
        assert Clock(services.digests, tick_s=60).tick()["posted"] == 1
    assert len(slack.calls_to("chat.postMessage")) == 2
    [run] = services.digests.show(TEAM, digest_id).runs
    assert (run.status, run.attempts, run.ts) == (RunStatus.POSTED, 1, slack.messages(CHANNEL)[0]["ts"])


def test_tikhub_refusal_posts_one_note_then_the_digest_when_data_is_back(slack: FakeSlackApi) -> None:
    with FakeTikHub() as tikhub:
        services = build_services(digest_settings(slack, tikhub))
        tikhub.inject(Fault.REFUSED, times=2)
        clock = Clock(services.digests, tick_s=60)
        with time_machine.travel(MONDAY, tick=False) as traveller:
            digest_id = due_now(services, traveller, '"美妆" daily 09:30 pages=1')
            assert clock.tick()["pending"] == 1
            [run] = services.digests.show(TEAM, digest_id).runs
            assert (run.attempts, run.last_error, run.notice_posted) == (1, "tikhub:refused:10003", True)
            assert run.next_attempt_at == datetime.now(UTC) + timedelta(seconds=60)
            traveller.shift(30)
            assert clock.tick() == {}  # not time to retry yet
            traveller.shift(31)
            assert clock.tick()["pending"] == 1  # refused again: no second note
            traveller.shift(121)
            assert clock.tick()["posted"] == 1
        services.close()
    note, digest = posts(slack)
    assert "data unavailable" in shown(note) and "Will retry at <!date^" in shown(note)
    assert "upstream code 10003" in shown(note)
    assert "Current top" in shown(digest)
    [run] = services.digests.show(TEAM, digest_id).runs
    assert (run.status, run.attempts) == (RunStatus.POSTED, 3)


def test_data_unavailable_all_period_is_said_once_and_the_period_recorded_missed(slack: FakeSlackApi) -> None:
    with FakeTikHub() as tikhub:
        services = build_services(digest_settings(slack, tikhub))
        tikhub.inject(Fault.REFUSED, times=None)
        with time_machine.travel(MONDAY + timedelta(minutes=5), tick=False) as traveller:
            digest_id = add(services, '"美妆" hourly pages=1')
            traveller.move_to(MONDAY + timedelta(hours=1))
            run_clock(services, traveller, until=MONDAY + timedelta(hours=1, minutes=59))
        services.close()
    [note] = posts(slack)
    assert "data unavailable" in shown(note)
    [run] = services.digests.show(TEAM, digest_id).runs
    assert (run.status, run.attempts, run.next_attempt_at) == (RunStatus.MISSED, 6, None)


def test_pausing_gives_up_a_pending_retry(slack: FakeSlackApi) -> None:
    with FakeTikHub() as tikhub:
        services = build_services(digest_settings(slack, tikhub))
        tikhub.inject(Fault.REFUSED, times=None)
        clock = Clock(services.digests, tick_s=60)
        with time_machine.travel(MONDAY, tick=False) as traveller:
            digest_id = due_now(services, traveller, '"美妆" daily 09:30 pages=1')
            assert clock.tick()["pending"] == 1
            services.digests.pause(TEAM, digest_id, USER)
            tikhub.reset()  # the data is back, but the period's run was given up
            services.digests.resume(TEAM, digest_id)
            traveller.shift(timedelta(minutes=5))
            assert clock.tick() == {}
        services.close()
    assert len(posts(slack)) == 1  # the note only
    [run] = services.digests.show(TEAM, digest_id).runs
    assert run.status is RunStatus.MISSED


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived", "account_inactive"])
def test_a_gone_channel_pauses_the_digest_with_the_reason(
    services: Services, slack: FakeSlackApi, error: str
) -> None:
    slack.fail("chat.postMessage", error)
    clock = Clock(services.digests, tick_s=60)
    with time_machine.travel(MONDAY, tick=False) as traveller:
        digest_id = due_now(services, traveller)
        assert clock.tick()["failed"] == 1
        traveller.shift(timedelta(days=1))
        assert clock.tick() == {}
    digest = services.digests.show(TEAM, digest_id).digest
    assert (digest.status, digest.pause_reason) == (DigestStatus.PAUSED, f"slack:{error}")
    assert len(slack.calls_to("chat.postMessage")) == 1


# -- pacing ---------------------------------------------------------------------------------------


def test_posts_to_one_channel_are_spaced_while_other_channels_go_ahead(slack: FakeSlackApi) -> None:
    interval = 0.3
    services = build_services(digest_settings(slack, kolbot_digest_post_interval_s=interval))
    with time_machine.travel(MONDAY, tick=False) as traveller:
        for text in ('"护肤" daily 09:30', '"美妆" daily 09:30', '"母婴" daily 09:30'):
            add(services, text, channel="C0BUSY")
        add(services, '"穿搭" daily 09:30', channel="C0CALM")
        traveller.move_to(datetime(2026, 3, 2, 1, 30, tzinfo=UTC))
        assert Clock(services.digests, tick_s=60, workers=4).tick()["posted"] == 4
    services.close()
    calls = slack.calls_to("chat.postMessage")
    busy = [c.received_at for c in calls if c.body["channel"] == "C0BUSY"]
    [calm] = [c.received_at for c in calls if c.body["channel"] == "C0CALM"]
    assert len(busy) == 3
    assert all(later - earlier >= interval for earlier, later in itertools.pairwise(busy))
    assert calm < busy[-1]  # not queued behind the busy channel


def test_channel_gate_waits_only_for_the_same_channel() -> None:
    now, slept = [100.0], []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        now[0] += seconds

    gate = ChannelGate(1.0, clock=lambda: now[0], sleep=sleep)
    for channel in ("C1", "C2", "C1", "C1"):
        with gate.turn(channel):
            now[0] += 0.25  # the post takes a quarter of a second
    assert slept == [0.75, 1.0]  # C1 waited twice; C2 never waited


# -- the command line ---------------------------------------------------------------------------


def test_kolbot_clock_once_posts_what_is_due(
    slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_API_URL", slack.api_url)
    get_settings.cache_clear()
    services = build_services(get_settings())
    with time_machine.travel(MONDAY, tick=False) as traveller:
        due_now(services, traveller)
        services.close()
        assert main(["clock", "--once"]) == 0
    assert "posted" in capsys.readouterr().out
    assert len(posts(slack)) == 1


def test_kolbot_clock_without_a_bot_token_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["clock", "--once"])
    assert stopped.value.code == 2
    [line] = capsys.readouterr().err.strip().splitlines()  # one line, as serve and worker say it
    assert "SLACK_BOT_TOKEN" in line and "无法启动" in line


def test_kolbot_clock_with_a_token_slack_rejects_exits_2(
    monkeypatch: pytest.MonkeyPatch, slack: FakeSlackApi, capsys: pytest.CaptureFixture[str]
) -> None:
    """serve and worker refuse it at start-up; so does the clock, not at the first digest."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-rejected")
    monkeypatch.setenv("SLACK_API_URL", slack.api_url)
    slack.on("auth.test", lambda fake, body: {"ok": False, "error": "invalid_auth"})
    with pytest.raises(SystemExit) as stopped:
        main(["clock", "--once"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "Slack did not accept SLACK_BOT_TOKEN (invalid_auth)" in err and "xoxb-rejected" not in err


def test_housekeeping_runs_at_most_once_per_period_and_a_failure_does_not_stop_the_clock(
    services: Services,
) -> None:
    """The clock prunes the request ledger hourly; a failing prune is logged, ticking goes on."""
    now = [0.0]
    calls: list[int] = []

    def housekeeping() -> None:
        calls.append(len(calls))
        if len(calls) == 1:
            raise RuntimeError("database briefly unavailable")

    ticks = iter(range(7))

    def wait(_s: float) -> bool:  # each tick is 20 minutes after the one before
        now[0] += 1200
        return next(ticks, None) is None

    clock = Clock(
        services.digests,
        tick_s=0,
        housekeeping=housekeeping,
        housekeeping_every_s=3600,
        clock=lambda: now[0],
    )
    clock.run_forever(wait=wait)
    assert len(calls) == 3  # at 0, 60 and 120 minutes over 8 ticks spanning 140 minutes


def test_the_ledger_prune_forgets_only_old_claims(services: Services) -> None:
    assert services.ledger.claim("command:old")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=2)):
        assert services.ledger.claim("command:new")
        assert services.ledger.prune(datetime.now(UTC) - timedelta(days=1)) == 1
    assert services.ledger.claim("command:old")  # forgotten, so claimable again
    assert not services.ledger.claim("command:new")


def test_the_clock_says_once_that_ticks_work_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Failed ticks each log "digest tick failed"; the first tick that works says so, once."""
    now = [0.0]
    claims = iter([RuntimeError("database down"), RuntimeError("database down"), [], []])

    class Service:
        def claim_due(self, _now: datetime) -> list[object]:
            outcome = next(claims)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome

    ticks = iter([False, False, False, True])

    def wait(tick_s: float) -> bool:
        now[0] += tick_s
        return next(ticks)

    clock = Clock(Service(), tick_s=30, clock=lambda: now[0])  # type: ignore[arg-type]
    with caplog.at_level(logging.INFO, logger="bot.digests.clock"):
        clock.run_forever(wait=wait)
    messages = [record.getMessage() for record in caplog.records]
    assert messages.count("digest tick failed; trying again in 30 s") == 2
    assert [m for m in messages if "again after" in m] == ["digest ticks work again after 60 s (2 failed)"]
    assert messages.index("digest ticks work again after 60 s (2 failed)") == 2
