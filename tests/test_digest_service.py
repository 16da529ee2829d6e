"""Digest service: saving with validation, the diff posted per run, quiet digests, shared fetches,
the page cap, shortlist watch and long digests split across messages."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
import time_machine

from bot.cards.digest_views import digest_messages
from bot.cards.errors import error_text
from bot.cards.validate import validate_message
from bot.digests.changes import NewMatch
from bot.digests.clock import Clock
from bot.digests.diff import DigestDiff
from bot.digests.errors import DigestError
from bot.digests.models import Digest, DigestStatus, RunStatus
from bot.digests.post import DigestPost
from bot.digests.service import LEASE
from bot.digests.snapshot import DigestSnapshot
from bot.errors import KolbotError, QueryError
from bot.formatting import count
from bot.i18n import tr
from bot.models import Duration, Query, SearchStats, SortKey
from bot.services import Services, build_services
from tests.digest_support import CHANNEL, TEAM, USER, Market, digest_settings, posts, shown
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.tikhub_server import FakeTikHub

NOW = datetime(2026, 3, 2, 1, 40, tzinfo=UTC)  # 09:40 in Shanghai, a Monday


@pytest.fixture
def tikhub() -> Iterator[FakeTikHub]:
    with FakeTikHub() as fake:
        yield fake


@pytest.fixture
def demo(slack: FakeSlackApi) -> Iterator[Services]:
    services = build_services(digest_settings(slack))
    yield services
    services.close()


@pytest.fixture
def market(tikhub: FakeTikHub) -> Market:
    market = Market()
    market.serve(tikhub)
    return market


@pytest.fixture
def live(slack: FakeSlackApi, tikhub: FakeTikHub, market: Market) -> Iterator[Services]:
    """Live mode against the fake TikHub serving `market`, cache off so every run sees changes."""
    services = build_services(digest_settings(slack, tikhub, kolbot_cache_ttl_s=0))
    yield services
    services.close()


def add(services: Services, text: str, *, lang: str = "en", channel: str = CHANNEL) -> str:
    return services.digests.add(TEAM, channel, USER, text, lang).digest.short_id


# -- saving -------------------------------------------------------------------------------------


def test_add_stores_the_search_schedule_and_options_and_waits_for_the_next_slot(demo: Services) -> None:
    with time_machine.travel(NOW, tick=False):
        demo.digests.set_timezone(TEAM, USER, "europe/berlin")
        digest_id = add(demo, "“护肤 er>=3%” weekly mon 09:00 top=5 pages=2 quiet=yes")
        digest = demo.digests.show(TEAM, digest_id).digest
        assert (digest.raw_query, digest.top_n, digest.pages, digest.quiet) == ("护肤 er>=3%", 5, 2, True)
        assert digest.schedule_spec == "weekly mon 09:00 Europe/Berlin"  # the workspace's zone
        assert digest.status is DigestStatus.ACTIVE
        assert demo.digests.claim_due(datetime.now(UTC)) == []  # not due until next Monday 09:00
        digest_id = add(demo, '"护肤" daily 09:30 Asia/Shanghai')
    assert demo.digests.show(TEAM, digest_id).digest.schedule_spec == "daily 09:30 Asia/Shanghai"
    assert [d.short_id for d in demo.digests.channel(TEAM, CHANNEL).digests][-1] == digest_id


def test_options_in_chinese(demo: Services) -> None:
    digest_id = add(demo, '"护肤" 每天 09:30 前5 页数=2 安静=是', lang="zh")
    digest = demo.digests.show(TEAM, digest_id).digest
    assert (digest.top_n, digest.pages, digest.quiet) == (5, 2, True)


def test_the_same_search_on_the_same_schedule_is_not_added_twice(demo: Services) -> None:
    """Four of one digest post four times each morning: the second is refused, naming the first."""
    first = add(demo, '"护肤" 每天 09:30')
    with pytest.raises(KolbotError) as caught:
        add(demo, '"护肤 " 每天 9:30')
    assert first in tr("en", caught.value.what) and "digest show" in tr("en", caught.value.hint)
    add(demo, '"护肤" 每天 10:00')  # another time is another digest
    add(demo, '"护肤" 每天 09:30', channel="C0OTHER")  # and another channel's its own


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('"护肤" daily 25:00', "25:00"),
        ('"护肤" fortnightly 09:00', "fortnightly"),
        ('"护肤" daily 09:00 Mars/Olympus', "Mars/Olympus"),
        ('"护肤" every 30m', "too often"),
        ('"护肤 followers>>3" daily 09:00', "followers>>3"),
        ("护肤 daily 09:00", "quotes"),
        ('"护肤 daily 09:00', "closing quote"),
        ('"" daily 09:00', "empty"),
        ('"护肤"', "schedule"),
        ('"护肤" daily 09:00 pages=9', "pages=9"),
        ('"护肤 pages=5" daily 09:00', "pages=5"),
        ('"护肤" daily 09:00 top=50', "top=50"),
        ('"护肤" daily 09:00 quiet=maybe', "quiet=maybe"),
    ],
)
def test_bad_input_names_the_problem_and_saves_nothing(demo: Services, text: str, named: str) -> None:
    with pytest.raises(QueryError) as raised:
        add(demo, text)
    message = error_text(raised.value, "en")
    assert named in message
    assert "Traceback" not in message
    assert error_text(raised.value, "zh") != message
    assert demo.digests.channel(TEAM, CHANNEL).digests == []


def test_unknown_workspace_zone_is_refused(demo: Services) -> None:
    with pytest.raises(QueryError, match="Unknown time zone"):
        demo.digests.set_timezone(TEAM, USER, "Berlin")
    assert demo.digests.timezone(TEAM) == "Asia/Shanghai"


def test_another_workspaces_digest_is_refused_and_left_alone(demo: Services) -> None:
    digest_id = add(demo, '"护肤" daily 09:30')
    for attempt in (
        lambda: demo.digests.show("T0OTHER", digest_id),
        lambda: demo.digests.pause("T0OTHER", digest_id, USER),
        lambda: demo.digests.remove("T0OTHER", digest_id),
        lambda: demo.digests.run_now("T0OTHER", digest_id, request=uuid4().hex),
    ):
        with pytest.raises(DigestError, match="another Slack workspace"):
            attempt()
    assert demo.digests.show(TEAM, digest_id).digest.status is DigestStatus.ACTIVE
    with pytest.raises(DigestError, match="No digest with id"):
        demo.digests.show(TEAM, "zzzzzz")


# -- what a run posts ---------------------------------------------------------------------------


def test_first_run_shows_the_top_n_then_later_runs_show_only_changes(
    live: Services, market: Market, slack: FakeSlackApi
) -> None:
    digest_id = add(live, '"护肤" daily 09:30 top=3 pages=1')
    live.digests.run_now(TEAM, digest_id, request=uuid4().hex)
    [first] = posts(slack)
    assert "Current top 3" in shown(first) and "Later digests show only what changed" in shown(first)
    assert "合成达人1" in shown(first) and "合成达人4" not in shown(first)

    market.put(2, price=12_000)  # price change
    market.drop(3)  # no longer returned
    market.put(9, nickname="新面孔")  # new match
    detail = live.digests.run_now(TEAM, digest_id, request=uuid4().hex)
    second = posts(slack)[1]
    text = shown(second)
    for expected in ("New matches", "新面孔", "No longer matching", "no longer returned", "Price changes"):
        assert expected in text
    assert "¥10,000 → ¥12,000" in text
    assert "Current top" not in text
    assert validate_message(second) == []
    run = detail.runs[0]
    assert (run.status, run.channel_id, run.ts, run.parts) == (
        RunStatus.POSTED,
        CHANNEL,
        slack.messages(CHANNEL)[1]["ts"],
        1,
    )


def test_nothing_changed_posts_one_short_line_or_nothing_when_quiet(
    demo: Services, slack: FakeSlackApi
) -> None:
    clock = Clock(demo.digests, tick_s=60)
    with time_machine.travel(NOW, tick=False) as traveller:
        chatty = add(demo, '"护肤" daily 10:00')
        quiet = add(demo, '"护肤" daily 10:00 quiet=yes', channel="C0QUIET")
        traveller.move_to(NOW.replace(hour=2, minute=0))
        assert clock.tick()["posted"] == 2  # first runs always post
        traveller.shift(timedelta(days=1))
        assert dict(clock.tick()) == {"posted": 1, "skipped": 1}
    assert len(posts(slack, "C0QUIET")) == 1
    line = posts(slack, CHANNEL)[-1]
    assert "nothing changed since the last digest" in line["text"] and len(line["blocks"]) == 1
    assert demo.digests.show(TEAM, quiet).runs[0].status is RunStatus.SKIPPED
    assert demo.digests.show(TEAM, chatty).runs[0].status is RunStatus.POSTED


def test_digests_sharing_a_query_share_one_fetch_per_page(slack: FakeSlackApi, tikhub: FakeTikHub) -> None:
    services = build_services(digest_settings(slack, tikhub))
    try:
        clock = Clock(services.digests, tick_s=60)
        with time_machine.travel(NOW, tick=False) as traveller:
            add(services, '"美妆" daily 10:00 pages=2', channel="C0CH1")
            add(services, '"美妆 er>=3%" daily 10:00 pages=2 top=3', channel="C0CH2")
            add(services, '"母婴" daily 10:00 pages=2', channel="C0CH3")
            traveller.move_to(NOW.replace(hour=2, minute=0))
            assert clock.tick()["posted"] == 3
            assert tikhub.calls == 2 * 2  # two distinct keywords × two pages (the cap), not 3 × 2
            services.search.search(services.parse_query("美妆 pages=2"))  # interactive: cache hits
        assert tikhub.calls == 4
        assert {r.params["page"] for r in tikhub.requests} == {"1", "2"}
    finally:
        services.close()


def test_shortlist_watch_reports_changes_once_linked_to_the_thread(
    live: Services, market: Market, slack: FakeSlackApi
) -> None:
    shortlist = live.shortlists.create(TEAM, CHANNEL, USER, "618 护肤")
    live.shortlists.set_parent_ts(TEAM, shortlist.short_id, CHANNEL, "1700000000.000100")
    live.search.search(live.parse_query("护肤 pages=1"))  # the creators become known
    live.shortlists.add(TEAM, shortlist.short_id, USER, ["syn-001", "syn-002", "syn-004"])
    digest_id = add(live, '"护肤" daily 09:30 top=3 pages=1')
    live.digests.run_now(TEAM, digest_id, request=uuid4().hex)
    assert "618 护肤" not in shown(posts(slack)[0])  # nothing changed since they were added

    market.put(1, price=8_000)  # price cut
    market.put(2, followers=120_000)  # follower drop of 40 %
    market.drop(4)  # no longer returned
    live.digests.run_now(TEAM, digest_id, request=uuid4().hex)
    text = shown(posts(slack)[1])
    assert "Shortlist “618 护肤”" in text
    assert "<https://kolbot-test.slack.com/archives/C0CAMPAIGN/p1700000000000100|" in text
    assert "¥10,000 → ¥8,000" in text
    assert f"followers {count(200_000, 'en')} → {count(120_000, 'en')}" in text
    assert "合成达人4 — no longer returned by Xingtu" in text

    live.digests.run_now(TEAM, digest_id, request=uuid4().hex)  # nothing new: not reported again
    assert "nothing changed" in posts(slack)[2]["text"]


def test_a_second_run_while_one_is_being_made_is_refused_not_posted_twice(demo: Services) -> None:
    """Both would compare against the same last run: the first digest would be posted twice."""
    digest_id = add(demo, '"护肤" daily 09:30')
    digest = demo.digests.show(TEAM, digest_id).digest
    under_way = demo.digests._store.claim_manual(digest, datetime.now(UTC), LEASE, request="first")
    with pytest.raises(KolbotError) as caught:
        demo.digests.run_now(TEAM, digest_id, request="second")
    assert "is being posted right now" in error_text(caught.value, "en")
    assert demo.digests.run_now(TEAM, digest_id, request="first").runs[0].id == under_way.run.id  # its retry


def test_run_now_reports_a_channel_that_is_gone(demo: Services, slack: FakeSlackApi) -> None:
    digest_id = add(demo, '"护肤" daily 09:30')
    slack.fail("chat.postMessage", "not_in_channel")
    with pytest.raises(KolbotError, match="the bot was removed from the channel") as raised:
        demo.digests.run_now(TEAM, digest_id, request=uuid4().hex)
    assert "paused itself" in error_text(raised.value, "en")
    digest = demo.digests.show(TEAM, digest_id).digest
    assert (digest.status, digest.pause_reason) == (DigestStatus.PAUSED, "slack:not_in_channel")


# -- long digests -------------------------------------------------------------------------------


def long_post(count: int) -> DigestPost:
    """A digest with `count` new matches whose names are long."""
    names = [f"合成达人{n:03d}" + "的超长昵称" * 12 for n in range(count)]
    diff = DigestDiff(
        DigestSnapshot(duration=Duration.MEDIUM, top_n=10),
        new=tuple(NewMatch(f"syn-{n}", name, n + 1, 50.0, False) for n, name in enumerate(names)),
    )
    query = Query(raw="护肤", keywords=["护肤"])
    return DigestPost(DIGEST, query, diff, [], SearchStats(), NOW, False, False)


DIGEST = Digest(
    id=1,
    short_id="k3x9ab",
    team_id=TEAM,
    channel_id=CHANNEL,
    created_by=USER,
    raw_query="护肤",
    schedule_spec="daily 09:30 Asia/Shanghai",
    top_n=10,
    pages=3,
    quiet=False,
    lang="en",
    status=DigestStatus.ACTIVE,
    pause_reason=None,
    paused_at=None,
    last_period_key=None,
    created_at=NOW,
)


def test_a_long_digest_is_split_into_valid_parts_and_loses_nothing() -> None:
    post = long_post(400)
    messages = digest_messages(post, now=NOW)
    assert len(messages) >= 3
    for number, message in enumerate(messages, start=1):
        assert validate_message(message.to_dict()) == []
        assert f"({number}/{len(messages)})" in message.blocks[0]["text"]["text"]
    everything = "".join(shown(m.to_dict()) for m in messages)
    for change in post.diff.new:
        assert everything.count(change.nickname) == 2  # once in the blocks, once in the fallback text
    assert "New matches · 400" in shown(messages[0].to_dict())
    assert "(cont.)" in shown(messages[1].to_dict())
    assert "Manage:" in shown(messages[-1].to_dict()) and "Manage:" not in shown(messages[0].to_dict())


def test_a_short_digest_is_one_message() -> None:
    [message] = digest_messages(long_post(5), now=NOW)
    assert "(1/1)" not in shown(message.to_dict())
    assert validate_message(message.to_dict()) == []


def test_creator_names_cannot_inject_slack_markup(
    live: Services, market: Market, slack: FakeSlackApi
) -> None:
    market.put(1, nickname="<!channel> <https://evil.example|点我>")
    live.digests.run_now(TEAM, add(live, '"护肤" daily 09:30 pages=1'), request=uuid4().hex)
    [post] = posts(slack)
    blocks = shown(post["blocks"])
    assert "<!channel>" not in blocks and "<https://evil.example" not in blocks
    assert "&lt;!channel&gt; &lt;https://evil.example|点我&gt;" in blocks
    assert validate_message(post) == []


def test_a_part_refused_after_others_were_posted_is_recorded_not_reposted(
    live: Services, market: Market, slack: FakeSlackApi
) -> None:
    digest_id = add(live, '"护肤" daily 09:30 pages=3 top=3')
    live.digests.run_now(TEAM, digest_id, request=uuid4().hex)
    for n in range(1, 6):
        market.drop(n)
    for n in range(10, 70):
        market.put(n, nickname=f"超长昵称{n}" * 30)  # 60 new matches, long lines: several parts
    answers = iter([{"ok": True, "ts": "1700000100.000001"}, {"ok": False, "error": "msg_too_long"}])
    slack.on("chat.postMessage", lambda fake, body: {"channel": body["channel"], **next(answers)})
    detail = live.digests.run_now(TEAM, digest_id, request=uuid4().hex)
    run = detail.runs[0]
    assert (run.status, run.ts, run.parts) == (RunStatus.POSTED, "1700000100.000001", 1)
    assert run.last_error is not None and run.last_error.startswith("part 2/")
    assert "(1/" in shown(posts(slack)[1]) and len(posts(slack)) == 3  # first run, part 1, part 2


def test_a_scheduled_digest_cut_short_posts_its_other_parts_on_the_retry_and_none_twice(
    live: Services, market: Market, slack: FakeSlackApi
) -> None:
    """Part 2 refused: the run waits for its retry with part 1 recorded; the retry posts parts 2…
    and completes. Completing at once would have lost the changes of the parts never posted."""
    start = datetime(2030, 3, 4, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
    with time_machine.travel(start, tick=False) as clock:
        digest_id = add(live, '"护肤" daily 09:30 pages=3 top=3')
        live.digests.run_now(TEAM, digest_id, request=uuid4().hex)  # the baseline
        for n in range(1, 6):
            market.drop(n)
        for n in range(10, 70):
            market.put(n, nickname=f"超长昵称{n}" * 30)  # many long changes: several parts
        before = len(posts(slack))
        answers = iter([{"ok": True, "ts": "1700000100.000001"}, {"ok": False, "error": "internal_error"}])
        slack.on("chat.postMessage", lambda fake, body: {"channel": body["channel"], **next(answers)})
        clock.shift(timedelta(hours=1, minutes=31))  # 09:31: due
        [job] = live.digests.claim_due(datetime.now(UTC))
        assert live.digests.execute(job) is RunStatus.PENDING
        waiting = live.digests.show(TEAM, digest_id).runs[0]
        assert (waiting.status, waiting.parts, waiting.ts) == (RunStatus.PENDING, 1, "1700000100.000001")
        slack.on("chat.postMessage", lambda fake, body: {"channel": body["channel"], "ok": True, "ts": "1.1"})
        clock.shift(timedelta(minutes=5))  # past the retry delay
        [retry] = live.digests.claim_due(datetime.now(UTC))
        assert live.digests.execute(retry) is RunStatus.POSTED
    sent = posts(slack)[before:]
    total = len(sent)  # part 1, the refused part 2, then parts 2… again
    assert "(1/" in shown(sent[0]) and "(2/" in shown(sent[1]) and "(2/" in shown(sent[2])
    assert not any("(1/" in shown(post) for post in sent[1:])  # part 1 never twice
    done = live.digests.show(TEAM, digest_id).runs[0]
    assert (done.status, done.ts, done.parts) == (RunStatus.POSTED, "1700000100.000001", total - 1)


def test_a_digest_run_tells_later_searches_which_pages_exist(
    live: Services, market: Market, tikhub: FakeTikHub
) -> None:
    for n in range(6, 46):
        market.put(n)  # 45 creators: 3 pages
    digest_id = add(live, '"护肤" daily 09:30 pages=3 top=3')
    live.digests.run_now(TEAM, digest_id, request=uuid4().hex)
    for n in range(6, 46):
        market.drop(n)  # the search shrinks to one page after the digest ran
    tikhub.reset()
    live.search.search(live.parse_query("护肤 pages=3"))
    # Known from the digest's run: all three pages asked at once (a first-time search would
    # have asked page 1 alone and stopped there).
    assert sorted(int(r.params["page"]) for r in tikhub.requests) == [1, 2, 3]


def test_the_manage_line_gives_whole_commands_to_copy() -> None:
    """`pause abc` alone is not a command: each one is the full `/kol digest …` line."""
    [message] = digest_messages(long_post(5), now=NOW)
    manage = shown(message.to_dict()).split("Manage:")[1]
    short_id = long_post(5).digest.short_id
    for verb in ("show", "pause", "remove"):
        assert f"`/kol digest {verb} {short_id}`" in manage


@pytest.mark.parametrize(
    ("text", "schedule", "quiet"),
    [
        ('"护肤" daily 09:30 quiet=yes 安静=是', "daily 09:30", True),  # the same option twice, one meaning
        ('"护肤" daily 09:30 quiet=yes quiet=YES', "daily 09:30", True),
        ('"护肤" daily 09:30 timezone=Asia/Shanghai', "daily 09:30 tz=Asia/Shanghai", None),
        ('"护肤" 每天 09:30 时区=Asia/Shanghai', "每天 09:30 tz=Asia/Shanghai", None),
    ],
)
def test_digest_options_read_as_meant(text: str, schedule: str, quiet: bool | None) -> None:
    from bot.digests.request import parse_add

    request = parse_add(text)
    assert (request.schedule, request.quiet) == (schedule, quiet)


def test_each_creator_in_a_digest_links_to_their_xingtu_page() -> None:
    """A digest names creators the team then wants to open: the name is the way there."""
    [message] = digest_messages(long_post(2), now=NOW)
    text = json.dumps(message.to_dict()["blocks"], ensure_ascii=False)
    name = long_post(2).diff.new[0].nickname
    assert f"<https://www.xingtu.cn/ad/creator/author/douyin/syn-0/1|{name}>" in text
    assert f"<https://www.xingtu.cn/ad/creator/author/douyin/syn-0/1|{name}>" not in message.to_dict()["text"]


def test_a_digest_sorted_by_another_order_names_it() -> None:
    """Ranks by CPM next to scores look out of order unless the digest says what it ranks by."""
    post = long_post(2)
    by_cpm = DigestPost(
        DIGEST,
        Query(raw="护肤 sort=cpm", keywords=["护肤"], sort=SortKey.CPM),
        post.diff,
        [],
        SearchStats(),
        NOW,
        False,
        False,
    )
    assert "sorted by: Lowest CPM" in shown(digest_messages(by_cpm, now=NOW)[0].to_dict())
    assert "sorted by" not in shown(
        digest_messages(post, now=NOW)[0].to_dict()
    )  # the score: said by each line


def test_a_shortlisted_creators_change_that_the_search_reports_is_said_once() -> None:
    from bot.digests.changes import PriceChange
    from bot.digests.shortlist_watch import ShortlistChange
    from bot.digests.watch import WatchGroup
    from bot.shortlists.models import Shortlist, ShortlistStatus

    moved = PriceChange("syn-1", "布丁北北", Duration.MEDIUM, 14_000.0, 3_000.0)
    other = PriceChange("syn-2", "阿狸糖糖", Duration.MEDIUM, 5_700.0, 6_000.0)
    shortlist = Shortlist(
        short_id="s1",
        team_id=TEAM,
        channel_id=CHANNEL,
        name="618",
        owner_id=USER,
        status=ShortlistStatus.OPEN,
        budget_yuan=None,
        duration=Duration.MEDIUM,
        parent_channel_id=None,
        parent_ts=None,
        created_at=NOW,
        updated_at=NOW,
    )
    watch = [
        WatchGroup(
            shortlist, None, [ShortlistChange("s1", "618", moved), ShortlistChange("s1", "618", other)]
        )
    ]
    diff = DigestDiff(DigestSnapshot(duration=Duration.MEDIUM, top_n=10), price_changes=(moved,))
    post = DigestPost(
        DIGEST, Query(raw="护肤", keywords=["护肤"]), diff, watch, SearchStats(), NOW, False, False
    )
    [message] = digest_messages(post, now=NOW)
    text = shown(message.to_dict()["blocks"])
    assert text.count("布丁北北") == 1 and text.count("阿狸糖糖") == 1  # the shortlist adds only what is new
    assert "Shortlist changes: 1" in text


def test_a_digest_whose_search_no_longer_reads_is_not_offered_resume() -> None:
    from bot.cards.digest_views import manage_line
    from bot.digests.models import BAD_QUERY

    unreadable = dataclasses.replace(DIGEST, status=DigestStatus.PAUSED, pause_reason=BAD_QUERY)
    line = manage_line(unreadable, "en")
    assert "add it again with the search corrected" in line and "resume" not in line
    assert f"In <#{CHANNEL}>" in manage_line(DIGEST, "en")  # where its commands work


def test_a_numeric_nickname_is_linked_where_the_name_is_not_in_the_rank() -> None:
    diff = DigestDiff(
        DigestSnapshot(duration=Duration.MEDIUM, top_n=10), new=(NewMatch("s12", "1", 12, 50.0, False),)
    )
    post = DigestPost(
        DIGEST, Query(raw="护肤", keywords=["护肤"]), diff, [], SearchStats(), NOW, False, False
    )
    [message] = digest_messages(post, now=NOW)
    text = json.dumps(message.to_dict()["blocks"], ensure_ascii=False)
    assert "• #12 <https://www.xingtu.cn/ad/creator/author/douyin/s12/1|1> — new in the results" in text
