"""Shortlist cards and modals: exact summary numbers, deltas, escaping, both languages, Slack limits.

All creators are synthetic; summaries are built from domain objects, no database involved.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from slack_sdk.models.views import View

from bot.cards.actions import CardValue, StatusValue
from bot.cards.shortlist_views import (
    add_modal,
    edit_modal,
    help_message,
    history_message,
    item_message,
    list_message,
    mention,
    new_modal,
    parent_message,
    removed_message,
    reply_message,
)
from bot.cards.validate import validate_message
from bot.models import Creator, Duration, Price
from bot.shortlists.models import (
    AuditAction,
    AuditEvent,
    ItemStatus,
    Shortlist,
    ShortlistItem,
    ShortlistListing,
    ShortlistStatus,
)
from bot.shortlists.rows import to_item
from bot.shortlists.summary import summarize

T0 = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)
CJK = re.compile(r"[\u4e00-\u9fff]")
HOSTILE = '<!channel> <https://evil.example|click> & "}]},{"type":"divider"} `x`'


def creator(
    star_id: str, name: str, *, price: float | None, plays: int | None, followers: int = 100_000
) -> Creator:
    prices = {} if price is None else {2: Price(video_type=2, yuan=price)}
    return Creator(
        star_id=star_id,
        nickname=name,
        followers=followers,
        expected_plays=plays,
        interact_rate=0.05 if plays else None,
        prices=prices,
    )


def shortlist(name: str = "618 beauty", *, budget: float | None = 100_000, status: str = "open") -> Shortlist:
    return Shortlist(
        short_id="abc234",
        team_id="T1",
        channel_id="C1",
        name=name,
        owner_id="U0OWNER",
        status=ShortlistStatus(status),
        budget_yuan=budget,
        duration=Duration.MEDIUM,
        parent_channel_id="C1",
        parent_ts="1.2",
        created_at=T0,
        updated_at=T0,
    )


def item(
    added: Creator,
    *,
    latest: Creator | None = None,
    status: ItemStatus = ItemStatus.PROPOSED,
    votes: dict[str, int] | None = None,
    quote: float | None = None,
    rebate: float | None = None,
    note: str | None = None,
) -> ShortlistItem:
    """An item exactly as the service builds it (via `to_item`), without a database."""

    class Row:
        star_id = added.star_id
        snapshot_json = added.model_dump_json()
        latest_json = latest.model_dump_json() if latest else None
        live = True
        latest_fetched_at = T0 if latest else None
        snapshot_fetched_at = T0
        card_ts = "1.3"
        added_by = "U0OWNER"
        added_at = T0

    Row.status, Row.note, Row.quoted_price_yuan, Row.rebate_pct = status.value, note, quote, rebate
    return to_item(Row, votes or {}, Duration.MEDIUM)  # type: ignore[arg-type]


def texts(message) -> str:
    """Every text a reader sees, joined."""
    out: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text"):
                out.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.blocks if hasattr(message, "blocks") else message)
    return "\n".join(out)


def mrkdwn_texts(node) -> list[str]:
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "mrkdwn" else []
        return own + [t for value in node.values() for t in mrkdwn_texts(value)]
    if isinstance(node, list):
        return [t for value in node for t in mrkdwn_texts(value)]
    return []


@pytest.fixture
def summary():
    a = item(creator("s1", "Alpha", price=10_000, plays=50_000), votes={"U0A": 1, "U0B": 1})
    b = item(creator("s2", "Beta", price=20_000, plays=100_000), quote=18_000, rebate=10, votes={"U0C": -1})
    c = item(creator("s3", "Gamma", price=None, plays=None))
    d = item(creator("s4", "Delta", price=50_000, plays=10_000), status=ItemStatus.REJECTED)
    return summarize(shortlist(), [a, b, c, d])


def test_parent_shows_the_summary_numbers_exactly(summary) -> None:
    message = parent_message(summary, "en", now=T0)
    assert validate_message(message.to_dict()) == []
    shown = texts(message)
    assert "Shortlist: 618 beauty" in shown
    assert "Owner <@U0OWNER>" in shown and "id `abc234`" in shown and "budget ¥100,000" in shown
    assert "*Creators*\n4 (3 proposed, 1 rejected)" in shown
    assert "*List price* · 21–60 s\n¥30,000\n1 without a price" in shown  # rejected Delta left out
    assert "*Quoted*\n¥16,200\n1 quoted, net of rebate" in shown  # 18,000 less 10 %
    assert "*Budget left*\n¥73,800\nplanned ¥26,200 of ¥100,000" in shown  # 10,000 list + 16,200 net
    assert "*Blended CPM*\n¥200.00 / 1k plays" in shown  # 30,000 / 150,000 plays × 1,000
    assert "*Blended CPE*\n¥4.00 / engagement" in shown  # 30,000 / 7,500 engagements
    assert "*Expected plays*\n150K" in shown
    assert "*Votes*\n:+1: 2  :-1: 1" in shown


def test_parent_in_chinese_and_over_budget(summary) -> None:
    over = summary.model_copy(update={"remaining_budget_yuan": -5_000.0, "planned_yuan": 105_000.0})
    shown = texts(parent_message(over, "zh", now=T0))
    assert "候选名单：618 beauty" in shown
    assert ":warning: 超出 ¥5,000" in shown and "计划 ¥10.5万 / 预算 ¥10万" in shown
    assert "*综合 CPM*\n¥200.00/千次播放" in shown


def test_parent_of_a_closed_list_without_budget() -> None:
    empty = summarize(shortlist(budget=None, status="closed"), [])
    shown = texts(parent_message(empty, "en", now=T0, thread_url="https://x.slack.com/archives/C1/p12"))
    assert ":lock: closed" in shown and "no budget set" in shown
    assert "*List price* · 21–60 s\n—" in shown and "*Blended CPM*\n—" in shown
    assert "<https://x.slack.com/archives/C1/p12|Open the discussion thread>" in shown


def test_thread_card_shows_deltas_quote_votes_and_buttons() -> None:
    added = creator("s1", "Alpha", price=10_000, plays=50_000, followers=100_000)
    latest = creator("s1", "Alpha", price=12_000, plays=50_000, followers=105_000)
    card = item_message(
        shortlist(),
        item(added, latest=latest, quote=11_000, rebate=5, votes={"U0A": 1, "U0B": -1}, note="fits <3"),
        "en",
    )
    assert validate_message(card.to_dict()) == []
    shown = texts(card)
    assert "*List price* · 21–60 s\n¥12,000\n+¥2,000 since added" in shown
    zh = texts(item_message(shortlist(), item(added, latest=latest, quote=11_000), "zh"))
    assert "*刊例价* · 21-60秒" in zh and "*报价* · " not in zh  # 报价 is the agency's quote in this thread
    assert "*Followers*\n105K\n+5,000 since added" in shown
    assert "*Quote*\n¥11,000 · rebate 5%\nnet ¥10,450" in shown
    assert ":+1: <@U0A>   :-1: <@U0B>" in shown and "_Note:_ fits &lt;3" in shown
    actions = next(b for b in card.blocks if b["type"] == "actions")["elements"]
    assert [e["action_id"] for e in actions] == [
        "kol_sl_vote_up",
        "kol_sl_vote_down",
        "kol_sl_status",
        "kol_sl_edit",
    ]
    assert CardValue.decode(actions[0]["value"]) == CardValue(short_id="abc234", star_id="s1")
    assert actions[0]["text"]["text"] == "👍 1"
    initial = StatusValue.decode(actions[2]["initial_option"]["value"])
    assert initial == StatusValue(short_id="abc234", star_id="s1", status=ItemStatus.PROPOSED)
    assert [StatusValue.decode(o["value"]).status for o in actions[2]["options"]] == list(ItemStatus)


def test_thread_card_in_chinese_with_a_price_drop() -> None:
    added = creator("s1", "小雨", price=20_000, plays=50_000)
    latest = creator("s1", "小雨", price=15_000, plays=50_000)
    shown = texts(item_message(shortlist(), item(added, latest=latest, status=ItemStatus.BOOKED), "zh"))
    assert "较加入时 -¥5,000" in shown and ":handshake: 已下单" in shown
    assert "较加入时" not in shown.split("*粉丝*")[1].split("*刊例价*")[0]  # followers unchanged: no delta


def test_hostile_strings_are_escaped_everywhere(summary) -> None:
    nasty = item(creator("s9", HOSTILE, price=1_000, plays=1_000), note=HOSTILE)
    hostile_list = shortlist(name=HOSTILE)
    messages = [
        parent_message(summarize(hostile_list, [nasty]), "en", now=T0),
        item_message(hostile_list, nasty, "en"),
        removed_message(nasty, "en", user_id="U0A"),
        reply_message("added", hostile_list, "en", creators=[HOSTILE], already=["s1"]),
        list_message([ShortlistListing(shortlist=hostile_list, creator_count=1)], "en"),
    ]
    for message in messages:
        assert validate_message(message.to_dict()) == [], message
        for text in mrkdwn_texts(message.blocks):  # plain_text shows markup literally
            assert "<!channel>" not in text and "<https://evil" not in text
    assert mention("U0A") == "<@U0A>" and mention("<!here>") == "&lt;!here&gt;"


@pytest.mark.parametrize(
    "event", ["created", "added", "removed", "closed", "reopened", "renamed", "exported", "reposted"]
)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_reply_renders_in_both_languages(event: str, lang: str) -> None:
    message = reply_message(event, shortlist(), lang, creators=["Alpha"], already=["s2"], filename="a.csv")
    assert message.blocks and validate_message(message.to_dict()) == []
    assert bool(CJK.search(texts(message))) == (lang == "zh")


def test_history_reads_like_sentences() -> None:
    events = [
        AuditEvent(
            at=T0,
            actor_id="U0A",
            action=AuditAction.CREATE,
            star_id=None,
            before=None,
            after={"name": "618", "budget_yuan": 200_000, "duration": "21-60"},
        ),
        AuditEvent(
            at=T0,
            actor_id="U0A",
            action=AuditAction.ADD,
            star_id="s1",
            before=None,
            after={"status": "proposed"},
        ),
        AuditEvent(
            at=T0,
            actor_id="U0B",
            action=AuditAction.VOTE,
            star_id="s1",
            before={"vote": 0},
            after={"vote": 1},
        ),
        AuditEvent(
            at=T0,
            actor_id="U0B",
            action=AuditAction.QUOTE,
            star_id="s1",
            before={"quoted_price_yuan": None, "rebate_pct": None},
            after={"quoted_price_yuan": 18_000, "rebate_pct": 10},
        ),
        AuditEvent(
            at=T0,
            actor_id="U0C",
            action=AuditAction.STATUS,
            star_id="gone",
            before={"status": "proposed"},
            after={"status": "approved"},
        ),
    ]
    message = history_message(shortlist(), events, "en", names={"s1": "Alpha"}, limit=5)
    assert validate_message(message.to_dict()) == []
    shown = texts(message)
    assert "<@U0A> created the shortlist: 618; budget ¥200,000; 21–60 s" in shown
    assert "<@U0A> added Alpha (s1)" in shown
    assert "<@U0B> voted on Alpha (s1): no vote → 👍" in shown
    assert "<@U0B> recorded the quote for Alpha (s1): quote — → ¥18,000; rebate — → 10%" in shown
    assert "<@U0C> set the status of gone: Proposed → Approved" in shown
    assert "Showing the latest 5 changes." in shown
    zh = texts(history_message(shortlist(), events, "zh", names={"s1": "Alpha"}))
    assert "<@U0B> 为 Alpha (s1) 投票：未投票 → 👍" in zh


def test_long_lists_and_histories_stay_within_slack_limits() -> None:
    listings = [ShortlistListing(shortlist=shortlist(name=f"list {i}"), creator_count=i) for i in range(60)]
    message = list_message(listings, "en")
    assert validate_message(message.to_dict()) == [] and "…and 20 older ones." in texts(message)
    events = [
        AuditEvent(
            at=T0,
            actor_id="U0A",
            action=AuditAction.NOTE,
            star_id="s1",
            before={"note": None},
            after={"note": "x" * 2000},
        )
        for _ in range(100)
    ]
    assert validate_message(history_message(shortlist(), events, "en", names={}).to_dict()) == []
    assert validate_message(list_message([], "zh").to_dict()) == []
    for lang in ("en", "zh"):
        assert validate_message(help_message(lang).to_dict()) == []


def test_modals_pass_slack_sdk_validation() -> None:
    open_lists = [
        ShortlistListing(shortlist=shortlist(name=f"list {i} " + "x" * 80), creator_count=i)
        for i in range(120)
    ]
    alpha = creator("s1", "Alpha", price=10_000, plays=50_000)
    views = [
        add_modal(alpha, open_lists, "en", '{"k":1}'),
        add_modal(alpha, [], "zh", "{}"),
        new_modal("zh", Duration.SHORT, "{}"),
        edit_modal(shortlist(), item(alpha, quote=1_234_567, rebate=12.5, note="n"), "en", "{}"),
    ]
    for view in views:
        assert View(**view).to_dict() == view
    options = views[0]["blocks"][1]["element"]["options"]
    assert len(options) == 100 and views[0]["blocks"][1]["element"]["initial_option"] == options[0]
    assert [b["block_id"] for b in views[1]["blocks"][1:]] == ["new_name", "budget"]
    assert views[1]["blocks"][1]["optional"] is False
    assert views[2]["blocks"][2]["element"]["initial_option"]["value"] == "1-20"
    quote, rebate = views[3]["blocks"][1]["element"], views[3]["blocks"][2]["element"]
    assert (quote["initial_value"], rebate["initial_value"]) == ("1234567", "12.5")
