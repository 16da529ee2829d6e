"""`/kol digest …` through the real Bolt app: signed commands in, acks, channel posts and the
response_url out; every refusal names the problem and saves nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from slack_bolt import App
from slack_bolt.response import BoltResponse

from bot.cards.validate import validate_message
from bot.digests.models import DigestRun, DigestStatus, RunStatus
from bot.services import Services
from bot.settings import Settings
from tests.digest_support import CHANNEL, TEAM, USER, digest_settings, posts, shown
from tests.fakes.signing import SlackRequests
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_app import eventually

SECRET = "digest-signing-secret"


@pytest.fixture
def settings(slack: FakeSlackApi) -> Settings:
    return digest_settings(slack)


@pytest.fixture
def requests(slack: FakeSlackApi) -> SlackRequests:
    return SlackRequests(
        SECRET, response_url=slack.response_url(), team_id=TEAM, user_id=USER, channel_id=CHANNEL
    )


def ack(response: BoltResponse) -> dict:
    assert response.status == 200, response.body
    body = json.loads(response.body) if response.body.startswith("{") else {"text": response.body}
    if body.get("blocks"):
        assert validate_message(body) == []
    return body


def send(app: App, requests: SlackRequests, text: str, **kwargs: str) -> dict:
    return ack(app.dispatch(requests.command(f"digest {text}", **kwargs).bolt()))


def as_shown(body: dict) -> str:
    """What the user reads (Slack unescapes &, < and >)."""
    return shown(body).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def saved_id(services: Services) -> str:
    [digest] = services.digests.channel(TEAM, CHANNEL).digests
    return digest.short_id


def wait_for_run(services: Services, digest_id: str, timeout: float = 5.0) -> DigestRun:
    """The digest's latest run once it is over (`run` finishes after the ack)."""

    def finished() -> DigestRun | None:
        runs = services.digests.show(TEAM, digest_id).runs
        return runs[0] if runs and runs[0].status is not RunStatus.PENDING else None

    return eventually(finished, timeout, f"digest {digest_id} has no finished run after {timeout}s")


def test_add_list_show_pause_resume_remove(app: App, requests: SlackRequests, services: Services) -> None:
    saved = send(app, requests, 'add "skincare followers>=10w" weekdays 10:00 top=5 quiet=yes')
    digest_id = saved_id(services)
    assert f"Digest {digest_id} saved" in shown(saved)
    assert "weekdays (Mon–Fri) at 10:00, Asia/Shanghai time" in shown(saved)
    assert "followers ≥ 100,000" in as_shown(saved) and "top 5" in shown(saved)

    listed = send(app, requests, "list")
    assert digest_id in shown(listed) and "next: <!date^" in shown(listed) and "no run yet" in shown(listed)
    assert digest_id in shown(send(app, requests, f"show {digest_id}"))

    paused = send(app, requests, f"pause {digest_id}")
    assert "is paused" in paused["text"]
    assert f"paused by <@{USER}>" in shown(send(app, requests, "list"))
    assert "active again; next digest" in send(app, requests, f"resume {digest_id}")["text"]
    assert services.digests.show(TEAM, digest_id).digest.status is DigestStatus.ACTIVE

    assert "is removed" in send(app, requests, f"remove {digest_id}")["text"]
    assert services.digests.channel(TEAM, CHANNEL).digests == []
    assert "No digests in this channel yet" in shown(send(app, requests, "list"))


def test_chinese_commands_get_chinese_answers(app: App, requests: SlackRequests, services: Services) -> None:
    saved = send(app, requests, "add “护肤 粉丝>=10w” 每周一 09:00")
    assert "已保存" in shown(saved) and "每周一 09:00" in shown(saved)
    assert services.digests.show(TEAM, saved_id(services)).digest.lang == "zh"
    assert "本频道的定时推送" in shown(send(app, requests, "列表 推送"))


def test_run_posts_the_digest_in_the_channel_now(
    app: App, requests: SlackRequests, services: Services, slack: FakeSlackApi
) -> None:
    send(app, requests, 'add "skincare" daily 09:30 top=3')
    digest_id = saved_id(services)
    assert "Posting digest" in send(app, requests, f"run {digest_id}")["text"]
    slack.wait_for_calls("chat.postMessage")
    [post] = posts(slack, CHANNEL)
    assert "Current top 3" in shown(post) and validate_message(post) == []
    run = wait_for_run(services, digest_id)
    assert (run.status, run.channel_id, run.manual) == (RunStatus.POSTED, CHANNEL, True)
    assert slack.responses() == []  # nothing went wrong
    assert "posted" in shown(send(app, requests, f"show {digest_id}"))


def run_refused_by_slack(
    app: App, requests: SlackRequests, services: Services, slack: FakeSlackApi, error: str
) -> tuple[str, dict]:
    """A digest added, then run while Slack refuses its post with `error`: its id and the answer."""
    send(app, requests, 'add "skincare" daily 09:30')
    digest_id = saved_id(services)
    slack.fail("chat.postMessage", error)
    send(app, requests, f"run {digest_id}")
    [answer] = slack.wait_for_calls("response")
    return digest_id, answer.body


def test_run_into_a_channel_the_bot_left_says_so_and_pauses(
    app: App, requests: SlackRequests, services: Services, slack: FakeSlackApi
) -> None:
    _, answer = run_refused_by_slack(app, requests, services, slack, "not_in_channel")
    assert answer["response_type"] == "ephemeral"
    assert "was not posted" in answer["text"] and "Invite the bot back" in answer["text"]
    listed = shown(send(app, requests, "list"))
    assert "paused itself: the bot was removed from the channel" in listed


@pytest.mark.parametrize(
    ("error", "remedy"),
    [("invalid_blocks", "Try again in a few minutes"), ("token_revoked", "reinstall kolbot")],
)
def test_a_run_slack_refused_for_another_reason_is_not_told_to_invite_the_bot(
    app: App, requests: SlackRequests, services: Services, slack: FakeSlackApi, error: str, remedy: str
) -> None:
    """Every code but the channel's own used to get "Invite the bot back to the channel"."""
    _, answer = run_refused_by_slack(app, requests, services, slack, error)
    assert remedy in answer["text"] and "invite" not in answer["text"].lower()


def test_run_into_an_archived_channel_says_to_unarchive_it_without_the_code(
    app: App, requests: SlackRequests, services: Services, slack: FakeSlackApi
) -> None:
    digest_id, answer = run_refused_by_slack(app, requests, services, slack, "is_archived")
    assert "the channel was archived" in answer["text"] and "Unarchive the channel" in answer["text"]
    assert "is_archived" not in answer["text"] and "invite" not in answer["text"].lower()
    assert "last error: the channel was archived" in shown(send(app, requests, f"show {digest_id}"))


def test_workspace_time_zone(app: App, requests: SlackRequests, services: Services) -> None:
    assert "use Asia/Shanghai time" in send(app, requests, "tz")["text"]
    assert "now use Europe/Berlin time" in send(app, requests, "tz europe/berlin")["text"]
    send(app, requests, 'add "skincare" daily 09:30')
    assert services.digests.show(TEAM, saved_id(services)).digest.schedule_spec.endswith("Europe/Berlin")
    refused = send(app, requests, "tz Berlin")
    assert "Unknown time zone “Berlin”" in refused["text"]
    assert services.digests.timezone(TEAM) == "Europe/Berlin"


def test_help(app: App, requests: SlackRequests) -> None:
    for text in ("", "help"):
        body = send(app, requests, text)
        assert "digest add" in shown(body) and "quiet=yes" in shown(body)
    zh = send(app, requests, "help lang=zh")
    assert "推送 添加" in shown(zh) and "安静=是" in shown(zh) and "每天" in shown(zh)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('add "skincare" daily 25:00', "“25:00” is not a time of day"),
        ('add "skincare" daily 09:00 Mars/Olympus', "Unknown time zone “Mars/Olympus”"),
        ('add "skincare" every 30m', "runs too often"),
        ('add "skincare followers>>3" daily 09:00', "followers>>3"),
        ("add skincare daily 09:00", "Put the search in quotes"),
        ('add "skincare" daily 09:00 pages=7', "at most 3 page(s)"),
        ('add "skincare" daily 09:00 top=0', "top must be a whole number"),
        ('add "skincare"', "Say when to post"),
        ('add "护肤" 每天 25:00', "“25:00”不是有效时间"),
        ("add 护肤 每天 09:30", "每天 09:30 前10"),  # the example in Chinese too
        ("snooze abc", "Unknown digest command “snooze”"),
        ("show", "needs a digest id"),
        ("pause zzzzzz", "No digest with id “zzzzzz”"),
        ("run zzzzzz", "No digest with id “zzzzzz”"),  # in the ack, not after "Posting digest zzzzzz…"
        ('add "skincare" daily 09:30 quiet=yes quiet=no', "“quiet=no”: quiet= is given twice; keep one."),
        (
            'add "skincare" daily 09:30 banana=1',
            "“banana=1”: a digest's options are top=, pages=, quiet= and tz=.",
        ),
    ],
)
def test_refusals_name_the_problem_and_save_nothing(
    app: App, requests: SlackRequests, services: Services, slack: FakeSlackApi, text: str, named: str
) -> None:
    body = send(app, requests, text)
    assert named in as_shown(body)
    assert services.digests.channel(TEAM, CHANNEL).digests == []
    assert posts(slack) == []


def test_the_chinese_alias_answers_in_chinese_whatever_follows(
    app: App, requests: SlackRequests, slack: FakeSlackApi
) -> None:
    body = ack(app.dispatch(requests.command("推送 snooze").bolt()))
    assert "snooze" in as_shown(body) and "Unknown digest command" not in as_shown(body)
    assert posts(slack) == []


def test_another_workspaces_digest_is_refused(
    app: App, requests: SlackRequests, services: Services, slack: FakeSlackApi
) -> None:
    send(app, requests, 'add "skincare" daily 09:30')
    digest_id = saved_id(services)
    for verb in ("show", "pause", "resume", "remove", "run"):
        body = send(app, requests, f"{verb} {digest_id}", team_id="T0OTHER")
        assert "belongs to another Slack workspace" in body["text"]
    assert services.digests.show(TEAM, digest_id).digest.status is DigestStatus.ACTIVE
    assert posts(slack) == []


def test_a_digest_command_that_fails_says_which_one_and_what_to_do(
    app: App,
    requests: SlackRequests,
    services: Services,
    slack: FakeSlackApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(services.digests, "channel", broken)
    send(app, requests, "list")
    [told] = slack.wait_for_calls("response")
    text = shown(told.body)
    assert "`/kol digest list` failed. Something went wrong on our side." in text and "boom" not in text


def test_a_digest_saved_in_english_is_confirmed_in_english(app: App, requests: SlackRequests) -> None:
    """`lang=en` inside the quoted search makes an English digest: its confirmation says so in English."""
    body = send(app, requests, 'add "护肤 lang=en" daily 09:30')
    assert "Digest" in shown(body) and "定时推送" not in shown(body)


def test_a_digest_is_managed_from_its_own_channel_and_replies_say_its_state(
    app: App, requests: SlackRequests, services: Services, slack: FakeSlackApi
) -> None:
    send(app, requests, 'add "skincare" daily 09:30')
    digest_id = saved_id(services)
    elsewhere = SlackRequests(
        SECRET, response_url=slack.response_url(), team_id=TEAM, user_id=USER, channel_id="C0RANDOM"
    )
    for verb in ("pause", "resume", "remove", "run"):
        refused = as_shown(send(app, elsewhere, f"{verb} {digest_id}"))
        assert f"Digest {digest_id} posts in <#{CHANNEL}>; nothing was changed." in refused, verb
    assert "skincare" in as_shown(send(app, elsewhere, f"show {digest_id}"))  # reading it is fine
    assert f"Digest {digest_id} is already active." in as_shown(send(app, requests, f"resume {digest_id}"))
    active = as_shown(send(app, requests, f"show {digest_id}"))  # whole commands, for the state it is in
    assert f"`/kol digest pause {digest_id}` stops it" in active and "resume" not in active
    send(app, requests, f"pause {digest_id}")
    assert f"`/kol digest resume {digest_id}` starts it again" in as_shown(
        send(app, requests, f"show {digest_id}")
    )
    assert f"Digest {digest_id} is already paused." in as_shown(send(app, requests, f"pause {digest_id}"))
    ran = as_shown(send(app, requests, f"run {digest_id}"))
    assert f"Posting digest {digest_id} once; it stays paused." in ran
    wait_for_run(services, digest_id)
    assert services.digests.show(TEAM, digest_id).digest.status is DigestStatus.PAUSED


def test_chinese_words_for_run_and_time_zones(
    app: App, requests: SlackRequests, services: Services, slack: FakeSlackApi
) -> None:
    assert "Asia/Shanghai" in as_shown(send(app, requests, "时区 北京"))
    assert services.digests.timezone(TEAM) == "Asia/Shanghai"
    send(app, requests, 'add "skincare" daily 09:30 tz=东京')
    digest_id = saved_id(services)
    assert services.digests.get(TEAM, digest_id).schedule.tz == "Asia/Tokyo"
    ran = as_shown(send(app, requests, f"运行 {digest_id}"))  # `run`, in Chinese
    assert f"推送 {digest_id}" in ran and "Unknown digest command" not in ran and "可用" not in ran
    wait_for_run(services, digest_id)


def test_digest_help_is_about_digests(app: App, requests: SlackRequests) -> None:
    shown_help = as_shown(send(app, requests, "help"))
    assert "Scheduled digests: what changed, on a schedule" in shown_help and "digest add" in shown_help
    assert "Find Douyin creators" not in shown_help and "Add to shortlist" not in shown_help
    zh = as_shown(ack(app.dispatch(requests.command("推送 帮助").bolt())))
    assert "定时推送：按时告诉你有什么变化" in zh and "中文命令" in zh
    assert validate_message(send(app, requests, "help")) == []


def test_a_digest_whose_channel_is_gone_can_be_removed_from_anywhere(
    app: App, requests: SlackRequests, services: Services, slack: FakeSlackApi
) -> None:
    send(app, requests, 'add "skincare" daily 09:30')
    digest_id = saved_id(services)
    services.digests._store.pause(TEAM, digest_id, "slack:channel_not_found", datetime.now(UTC))
    elsewhere = SlackRequests(
        SECRET, response_url=slack.response_url(), team_id=TEAM, user_id=USER, channel_id="C0RANDOM"
    )
    shown_there = as_shown(send(app, elsewhere, f"show {digest_id}"))
    assert "from any channel" in shown_there and "posts one now" not in shown_there  # no run offered
    refused = as_shown(send(app, elsewhere, f"resume {digest_id}"))  # only in its own channel, once fixed
    assert f"Digest {digest_id} posts in <#{CHANNEL}>" in refused
    assert "is removed" in as_shown(send(app, elsewhere, f"remove {digest_id}"))
    assert services.digests.channel(TEAM, CHANNEL).digests == []


def test_a_chinese_verb_missing_its_id_is_quoted_as_typed(app: App, requests: SlackRequests) -> None:
    answer = shown(send(app, requests, "恢复"))
    assert "恢复" in answer and "resume" not in answer
