"""Shortlists through the real Bolt app: signed commands, clicks, reactions and modal submissions in;
the channel's messages (parent summary and thread cards), replies and uploads out.

The fake Slack keeps the channel's messages (`Channel`), so `chat.update` of a deleted message
answers `message_not_found` like Slack does. All creators are synthetic.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from slack_bolt import App
from slack_bolt.response import BoltResponse
from sqlalchemy.exc import OperationalError

from bot.cards.actions import AddToShortlistValue, CardValue, StatusValue
from bot.i18n import tr
from bot.models import Creator, Duration, Price
from bot.services import Services
from bot.shortlists.models import AuditAction, ItemStatus, Shortlist
from bot.sources.base import SearchRequest
from handlers.jobs import SlackTask
from handlers.replies import STORAGE_UNAVAILABLE
from tests.fakes.signing import CHANNEL_ID, USER_ID, SlackRequests, button, select
from tests.fakes.slack_api import TEAM_ID, FakeSlackApi, JsonDict
from tests.fakes.slack_app import SECRET, eventually

MATE = "U0TEAMMATE"
T0 = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)
ALPHA, BETA, GAMMA = "7100000000000000001", "7100000000000000002", "7100000000000000003"


def creator(
    star_id: str, name: str, *, price: float | None, plays: int | None, followers: int = 100_000
) -> Creator:
    return Creator(
        star_id=star_id,
        nickname=name,
        followers=followers,
        expected_plays=plays,
        interact_rate=0.04 if plays else None,
        prices={} if price is None else {2: Price(video_type=2, yuan=price)},
    )


CREATORS = [
    creator(ALPHA, "Alpha 小雨", price=10_000, plays=50_000),
    creator(BETA, "Beta", price=20_000, plays=100_000, followers=200_000),
    creator(GAMMA, "Gamma", price=None, plays=None),
]


def flatten(node: Any) -> str:
    """Every text of a message, as one string."""
    if isinstance(node, dict):
        own = [node["text"]] if isinstance(node.get("text"), str) and node.get("type") else []
        return "\n".join(own + [flatten(v) for v in node.values() if isinstance(v, dict | list)])
    if isinstance(node, list):
        return "\n".join(flatten(v) for v in node)
    return ""


class Channel:
    """The messages Slack would show, kept by the fake's `chat.postMessage` / `chat.update`."""

    def __init__(self, slack: FakeSlackApi) -> None:
        self._lock = threading.Lock()
        self.messages: dict[str, JsonDict] = {}
        slack.on("chat.postMessage", self._post)
        slack.on("chat.update", self._update)

    def _post(self, fake: FakeSlackApi, body: JsonDict) -> JsonDict:
        ts = fake.next_ts()
        with self._lock:
            self.messages[ts] = {**body, "ts": ts}
        return {"ok": True, "channel": body.get("channel"), "ts": ts}

    def _update(self, fake: FakeSlackApi, body: JsonDict) -> JsonDict:
        with self._lock:
            if body.get("ts") not in self.messages:
                return {"ok": False, "error": "message_not_found"}
            self.messages[body["ts"]] = {**self.messages[body["ts"]], **body}
        return {"ok": True, "channel": body.get("channel"), "ts": body.get("ts")}

    def text(self, ts: str | None) -> str:
        with self._lock:
            return flatten(self.messages.get(ts or "", {}).get("blocks", []))

    def thread(self, parent_ts: str | None) -> list[JsonDict]:
        with self._lock:
            return [m for m in self.messages.values() if m.get("thread_ts") == parent_ts]

    def delete(self, ts: str) -> None:
        with self._lock:
            del self.messages[ts]


class Team:
    """One channel of one workspace, driving the app with signed requests."""

    def __init__(self, app: App, slack: FakeSlackApi, services: Services, channel: Channel) -> None:
        self.app, self.slack, self.services, self.channel = app, slack, services, channel
        self.me = self.user(USER_ID)
        self.mate = self.user(MATE)

    def user(self, user_id: str, team_id: str = TEAM_ID) -> SlackRequests:
        url = self.slack.response_url(f"{team_id}-{user_id}")
        return SlackRequests(SECRET, response_url=url, user_id=user_id, team_id=team_id)

    def replies(self, who: SlackRequests) -> list[JsonDict]:
        return self.slack.responses(who.response_url.rsplit("/", 1)[1])

    def command(self, text: str, who: SlackRequests | None = None) -> JsonDict:
        """`/kol text`; returns the reply sent to the user's response_url."""
        who = who or self.me
        before = len(self.replies(who))
        assert self.app.dispatch(who.command(text).bolt()).status == 200
        return eventually(lambda: self.replies(who)[before:])[0]

    def last_reply(self, who: SlackRequests | None = None) -> str:
        return flatten(self.replies(who or self.me)[-1:])

    def ack(self, request: Any) -> JsonDict:
        response: BoltResponse = self.app.dispatch(request.bolt())
        assert response.status == 200, response.body
        return json.loads(response.body) if response.body else {}

    def click(self, action: JsonDict, who: SlackRequests | None = None, ts: str = "1.1") -> None:
        assert (
            self.app.dispatch((who or self.me).block_action(action, message={"ts": ts}).bolt()).status == 200
        )

    def shortlist(self, name: str) -> Shortlist:
        return next(
            li.shortlist
            for li in self.services.shortlists.list(TEAM_ID, CHANNEL_ID)
            if li.shortlist.name == name
        )

    def parent(self, name: str) -> str:
        return self.channel.text(self.shortlist(name).parent_ts)

    def card_ts(self, name: str, star_id: str) -> str:
        s = self.shortlist(name)
        items = self.services.shortlists.summary(TEAM_ID, s.short_id).items
        return eventually(
            lambda: next(i.card_ts for i in items if i.star_id == star_id) or self.card_ts(name, star_id)
        )

    def card(self, name: str, star_id: str) -> str:
        return self.channel.text(self.card_ts(name, star_id))

    def value(self, name: str, star_id: str) -> str:
        return CardValue(short_id=self.shortlist(name).short_id, star_id=star_id).encode()

    def status(self, name: str, star_id: str, status: ItemStatus) -> str:
        return StatusValue(short_id=self.shortlist(name).short_id, star_id=star_id, status=status).encode()

    def new_list(self, text: str = "Spring launch budget=200k") -> JsonDict:
        return self.command(f"shortlist new {text}")

    def opened_view(self) -> JsonDict:
        return eventually(lambda: self.slack.calls_to("views.open"))[-1].body["view"]


@pytest.fixture
def services(services: Services) -> Services:
    """The shared services, with the synthetic creators already seen in a search."""
    services.snapshots.save_many(CREATORS, live=True, fetched_at=T0)
    return services


@pytest.fixture
def team(app: App, slack: FakeSlackApi, services: Services) -> Team:
    return Team(app, slack, services, Channel(slack))


def fields(text: str) -> str:
    return text.replace("\n", " | ")


# -- create and add ---------------------------------------------------------------------------


def test_new_posts_the_parent_and_confirms_with_a_thread_link(team: Team) -> None:
    reply = team.new_list("Spring launch budget=200000 duration=1-20")
    s = team.shortlist("Spring launch")
    assert (s.budget_yuan, s.duration.value, s.owner_id, s.parent_channel_id) == (
        200_000,
        "1-20",
        USER_ID,
        CHANNEL_ID,
    )
    parent = team.parent("Spring launch")
    assert "Shortlist: Spring launch" in parent and f"Owner <@{USER_ID}>" in parent
    assert ":large_green_circle: open" in parent and "1–20 s videos" in parent and "budget ¥200,000" in parent
    assert "*Creators*\n0" in parent and "*Votes*\n:+1: 0  :-1: 0" in parent
    assert reply[
        "response_type"
    ] == "ephemeral" and f"Created shortlist *Spring launch* (id `{s.short_id}`)" in flatten(reply)
    assert f"archives/{CHANNEL_ID}/p{s.parent_ts.replace('.', '')}|Open the discussion thread" in flatten(
        reply
    )
    assert team.slack.calls_to("conversations.info")[0].body["channel"] == CHANNEL_ID


def test_add_posts_thread_cards_and_updates_the_summary_exactly(team: Team) -> None:
    team.new_list()
    reply = team.command(f"shortlist add Spring {ALPHA} {BETA} {GAMMA}")
    assert "Added to *Spring launch*: Alpha 小雨, Beta, Gamma." in flatten(reply)
    s = team.shortlist("Spring launch")
    cards = eventually(
        lambda: len(team.channel.thread(s.parent_ts)) == 3 and team.channel.thread(s.parent_ts)
    )
    assert [c["channel"] for c in cards] == [CHANNEL_ID] * 3
    parent = fields(team.parent("Spring launch"))
    assert "*Creators* | 3 (3 proposed)" in parent
    assert "*List price* · 21–60 s | ¥30,000 | 1 without a price" in parent
    assert "*Budget left* | ¥170,000 | planned ¥30,000 of ¥200,000" in parent
    assert "*Blended CPM* | ¥200.00 / 1k plays" in parent  # 30,000 ÷ 150,000 plays × 1,000
    assert "*Blended CPE* | ¥5.00 / engagement" in parent  # 30,000 ÷ 6,000 engagements
    assert "*Expected plays* | 150K" in parent
    assert "*Followers* | 200K" in fields(team.card("Spring launch", BETA))

    again = team.command(f"shortlist add {s.short_id} {ALPHA}")
    assert "Already on *Spring launch*: Alpha 小雨." in flatten(again)  # by name, not by id
    assert len(team.channel.thread(s.parent_ts)) == 3


def test_unknown_creator_and_bad_input_store_nothing(team: Team) -> None:
    team.new_list()
    assert "Creator not found: 999. Nothing was added." in flatten(
        team.command(f"shortlist add Spring {ALPHA} 999")
    )
    assert "“lots” is not a budget." in flatten(team.command("shortlist new Other budget=lots"))
    assert "“90s” is not a video length." in flatten(team.command("shortlist new Other duration=90s"))
    assert "`add` needs more: /kol shortlist add &lt;shortlist&gt; &lt;name|star_id&gt; …" in flatten(
        team.command("shortlist add Spring")
    )
    assert "No shortlist named “Autumn” in this channel." in flatten(
        team.command(f"shortlist add Autumn {ALPHA}")
    )
    assert [li.shortlist.name for li in team.services.shortlists.list(TEAM_ID, CHANNEL_ID)] == [
        "Spring launch"
    ]
    assert (
        team.services.shortlists.summary(TEAM_ID, team.shortlist("Spring launch").short_id).creator_count == 0
    )
    unknown = team.ack(team.me.command("shortlist frobnicate"))
    assert "“frobnicate” is not a shortlist command." in flatten(unknown)
    assert "Shortlists: pick creators as a team" in flatten(team.ack(team.me.command("shortlist")))


def test_ambiguous_names_get_a_question_back(team: Team) -> None:
    team.new_list("Spring launch")
    team.new_list("Spring sale")
    answer = flatten(team.command(f"shortlist add Spring {ALPHA}"))
    assert "“Spring” matches 2 shortlists" in answer and "Which one did you mean?" in answer
    assert "Added to *Spring sale*" in flatten(team.command(f'shortlist add "spring sale" {ALPHA}'))
    assert "Added to *Spring launch*" in flatten(team.command(f"shortlist add “Spring launch” {ALPHA}"))


def test_chinese_commands_get_chinese_replies_and_a_chinese_thread(team: Team) -> None:
    reply = team.command("shortlist new 618 美妆 预算=5万")
    assert "已创建候选名单 *618 美妆*" in flatten(reply)
    assert "候选名单：618 美妆" in team.parent("618 美妆") and "预算 ¥5万" in team.parent("618 美妆")
    assert "已加入 *618 美妆*：Alpha 小雨。" in flatten(team.command(f"shortlist 添加 618 {ALPHA}"))
    assert "*粉丝*" in team.card("618 美妆", ALPHA)


def test_a_name_without_chinese_keeps_the_language_it_was_made_in(team: Team) -> None:
    """`618` or `Q4-Skincare` made in Chinese: the whole team's messages were English."""
    assert "已创建候选名单 *618*" in flatten(team.command("候选名单 新建 618 预算=20万"))
    assert "候选名单：618" in team.parent("618") and "¥20万" in team.parent("618")
    team.command(f"候选名单 添加 618 {ALPHA}")
    assert "*粉丝*" in team.card("618", ALPHA)
    team.command("shortlist new Q4 budget=200k")
    assert "Shortlist: Q4" in team.parent("Q4")


# -- decide in the thread ---------------------------------------------------------------------


def test_a_vote_that_fails_says_what_failed_in_the_shortlists_language(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    team.command("shortlist new 618 美妆 预算=5万")
    team.command(f"shortlist 添加 618 {ALPHA}")
    told = len(team.replies(team.me))

    def storage_down(*args: object, **kwargs: object) -> None:
        raise OperationalError("UPDATE", {}, Exception("connection refused"))

    monkeypatch.setattr(team.services.shortlists, "vote", storage_down)
    team.click(button("kol_sl_vote_up", team.value("618 美妆", ALPHA)), team.me)
    [reply] = eventually(lambda: team.replies(team.me)[told:])
    assert reply["text"].startswith(
        f"{tr('zh', SlackTask.SHORTLIST_CARD.failed)}{tr('zh', STORAGE_UNAVAILABLE.what)}"
    )


def test_votes_status_and_quote_update_the_card_and_the_summary(team: Team) -> None:
    team.new_list()
    team.command(f"shortlist add Spring {ALPHA} {BETA}")
    alpha, beta = team.value("Spring launch", ALPHA), team.value("Spring launch", BETA)

    team.click(button("kol_sl_vote_up", alpha), team.me)
    team.click(button("kol_sl_vote_up", alpha), team.mate)
    team.click(button("kol_sl_vote_down", beta), team.mate)
    eventually(lambda: "*Votes*\n:+1: 2  :-1: 1" in team.parent("Spring launch"))
    eventually(lambda: f":+1: <@{USER_ID}> <@{MATE}>" in team.card("Spring launch", ALPHA))

    team.click(button("kol_sl_vote_up", alpha), team.me, ts="1.7")  # my vote again: taken back
    eventually(lambda: "*Votes*\n:+1: 1  :-1: 1" in team.parent("Spring launch"))

    team.click(
        select("kol_sl_status", team.status("Spring launch", BETA, ItemStatus.REJECTED), "Rejected"),
        team.mate,
    )
    eventually(lambda: ":x: Rejected" in team.card("Spring launch", BETA))
    parent = fields(team.parent("Spring launch"))
    assert (
        "*Creators* | 2 (1 proposed, 1 rejected)" in parent and "*List price* · 21–60 s | ¥10,000" in parent
    )

    team.click(button("kol_sl_edit", alpha, "Quote & note"), team.me)
    view = team.opened_view()
    assert view["callback_id"] == "kol_sl_edit_view" and "list price ¥10,000" in flatten(view)
    values = {
        "quote": {"value": {"type": "plain_text_input", "value": "0.9万"}},
        "rebate": {"value": {"type": "plain_text_input", "value": "10%"}},
        "note": {"value": {"type": "plain_text_input", "value": "Agency <fast> reply"}},
    }
    assert (
        team.ack(
            team.me.view_submission("kol_sl_edit_view", values, private_metadata=view["private_metadata"])
        )
        == {}
    )
    eventually(
        lambda: "_Note:_" in team.card("Spring launch", ALPHA)
    )  # the card is rendered after the parent
    card = team.card("Spring launch", ALPHA)
    assert "*Quoted*\n¥8,100\n1 quoted, net of rebate" in team.parent("Spring launch")
    assert "*Quote*\n¥9,000 · rebate 10%\nnet ¥8,100" in card and "_Note:_ Agency &lt;fast&gt; reply" in card
    assert "*Budget left*\n¥191,900\nplanned ¥8,100 of ¥200,000" in team.parent("Spring launch")

    history = flatten(team.command("shortlist history Spring"))
    assert f"<@{MATE}> set the status of Beta ({BETA}): Proposed → Rejected" in history
    assert (
        f"<@{USER_ID}> recorded the quote for Alpha 小雨 ({ALPHA}): quote — → ¥9,000; rebate — → 10%"
        in history
    )
    assert f"<@{USER_ID}> voted on Alpha 小雨 ({ALPHA}): 👍 → no vote" in history


def test_reactions_on_a_card_vote_and_removing_them_takes_the_vote_back(team: Team) -> None:
    team.new_list()
    team.command(f"shortlist add Spring {ALPHA}")
    ts = team.card_ts("Spring launch", ALPHA)

    def react(kind: str, reaction: str, user: str = MATE, item_ts: str = ts) -> None:
        item = {"type": "message", "channel": CHANNEL_ID, "ts": item_ts}
        team.ack(team.me.event({"type": kind, "user": user, "reaction": reaction, "item": item}))

    react("reaction_added", "+1", item_ts="1.999")  # not a card
    react("reaction_added", "tada")
    react("reaction_added", "thumbsup::skin-tone-3")
    eventually(lambda: ":+1: 1  :-1: 0" in team.parent("Spring launch"))
    react("reaction_added", "-1", user=USER_ID)
    eventually(lambda: ":+1: 1  :-1: 1" in team.parent("Spring launch"))
    react("reaction_removed", "+1", user=USER_ID)  # not USER_ID's vote: nothing changes
    react("reaction_removed", "thumbsup")
    eventually(lambda: ":+1: 0  :-1: 1" in team.parent("Spring launch"))
    eventually(lambda: f":-1: <@{USER_ID}>" in team.card("Spring launch", ALPHA))
    s = team.shortlist("Spring launch")
    votes = [
        (e.actor_id, e.after) for e in team.services.shortlists.history(TEAM_ID, s.short_id) if e.star_id
    ]
    assert sorted(votes[1:], key=str) == sorted(
        [(MATE, {"vote": 1}), (USER_ID, {"vote": -1}), (MATE, {"vote": 0})], key=str
    )


def test_modal_input_errors_go_back_into_the_form_and_store_nothing(team: Team) -> None:
    team.new_list()
    team.command(f"shortlist add Spring {ALPHA}")
    team.click(button("kol_sl_edit", team.value("Spring launch", ALPHA), "报价与备注"))
    view = team.opened_view()
    assert view["title"]["text"] == "报价与备注"
    values = {
        "quote": {"value": {"type": "plain_text_input", "value": "-5"}},
        "rebate": {"value": {"type": "plain_text_input", "value": "120"}},
    }
    answer = team.ack(
        team.me.view_submission("kol_sl_edit_view", values, private_metadata=view["private_metadata"])
    )
    assert answer["response_action"] == "errors"
    assert (
        "“-5”不是有效的报价。" in answer["errors"]["quote"]
        and "“120”不是有效的返点比例。" in answer["errors"]["rebate"]
    )
    actions = [
        e.action for e in team.services.shortlists.history(TEAM_ID, team.shortlist("Spring launch").short_id)
    ]
    assert actions == [AuditAction.CREATE, AuditAction.ADD]


def test_a_quote_for_a_creator_removed_meanwhile_is_refused_in_the_form(team: Team) -> None:
    team.new_list()
    team.command(f"shortlist add Spring {ALPHA} {BETA}")
    team.click(button("kol_sl_edit", team.value("Spring launch", ALPHA), "Quote & note"), team.me)
    view = team.opened_view()
    assert "Removed Alpha 小雨" in flatten(team.command(f"shortlist remove Spring {ALPHA}", team.mate))
    before = len(team.replies(team.me))
    quote = {"quote": {"value": {"type": "plain_text_input", "value": "9000"}}}
    answer = team.ack(
        team.me.view_submission("kol_sl_edit_view", quote, private_metadata=view["private_metadata"])
    )
    assert answer["response_action"] == "errors"
    assert (
        f"Alpha 小雨 ({ALPHA})" in answer["errors"]["quote"]
        and "is not on shortlist" in answer["errors"]["quote"]
    )
    assert "Beta" in answer["errors"]["quote"]  # who is on it
    summary = team.services.shortlists.summary(TEAM_ID, team.shortlist("Spring launch").short_id)
    assert [i.star_id for i in summary.items] == [BETA] and len(team.replies(team.me)) == before


def test_add_button_opens_a_modal_for_an_open_list_or_a_new_one(team: Team) -> None:
    team.new_list("Spring launch")
    team.new_list("Old list")
    team.command("shortlist close Old")
    before = len(team.replies(team.me))
    team.click(
        button(
            "kol_add_to_shortlist",
            AddToShortlistValue(star_id="7999999999999999999").encode(),
            "Add to shortlist",
        )
    )
    # wait for the reply to this click: the reply to `shortlist close` may still be the latest one
    unknown = "No data for creator 7999999999999999999 yet."
    eventually(lambda: any(unknown in flatten(r) for r in team.replies(team.me)[before:]))
    team.click(button("kol_add_to_shortlist", AddToShortlistValue(star_id=BETA).encode(), "Add to shortlist"))
    view = team.opened_view()
    options = view["blocks"][1]["element"]["options"]
    assert [o["value"] for o in options] == [
        team.shortlist("Spring launch").short_id
    ]  # closed lists are not offered
    meta = view["private_metadata"]
    chosen = {"shortlist": {"choice": {"type": "static_select", "selected_option": options[0]}}}
    assert team.ack(team.me.view_submission("kol_sl_add_view", chosen, private_metadata=meta)) == {}
    eventually(lambda: "Added to *Spring launch*: Beta." in team.last_reply())
    assert "*Creators*\n1" in team.parent("Spring launch")

    nothing = team.ack(team.me.view_submission("kol_sl_add_view", {}, private_metadata=meta))
    assert nothing["errors"] == {"new_name": "Choose a shortlist, or type a name to start a new one."}
    bad = {**chosen, "new_name": {"value": {"value": "Summer"}}, "budget": {"value": {"value": "-3"}}}
    assert (
        "not a budget"
        in team.ack(team.me.view_submission("kol_sl_add_view", bad, private_metadata=meta))["errors"][
            "budget"
        ]
    )
    fresh = {**chosen, "new_name": {"value": {"value": "Summer"}}, "budget": {"value": {"value": "3万"}}}
    assert team.ack(team.me.view_submission("kol_sl_add_view", fresh, private_metadata=meta)) == {}
    eventually(lambda: "Added to *Summer*: Beta." in team.last_reply())
    assert "budget ¥30,000" in team.parent("Summer") and "*Creators*\n1" in team.parent("Summer")


def test_new_shortlist_button_on_a_results_card_keeps_the_search_length(team: Team) -> None:
    results = team.command("护肤 pages=1 top=3 duration=60+")
    new = next(
        e
        for b in results["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "kol_sl_new"
    )
    team.click(new)
    view = team.opened_view()
    assert view["title"]["text"] == "新建候选名单"
    assert view["blocks"][2]["element"]["initial_option"]["value"] == "60+"
    values = {"new_name": {"value": {"value": "长视频"}}, "budget": {"value": {"value": ""}}}
    assert (
        team.ack(
            team.me.view_submission("kol_sl_new_view", values, private_metadata=view["private_metadata"])
        )
        == {}
    )
    eventually(lambda: "已创建候选名单 *长视频*" in team.last_reply())
    assert team.shortlist("长视频").duration.value == "60+" and "60秒以上视频" in team.parent("长视频")
    again = team.me.view_submission("kol_sl_new_view", values, private_metadata=view["private_metadata"])
    taken = team.ack(again)  # the channel has an open 长视频: said under the name, the form stays open
    assert taken["response_action"] == "errors" and "长视频" in taken["errors"]["new_name"]
    assert [li.shortlist.name for li in team.services.shortlists.list(TEAM_ID, CHANNEL_ID)].count(
        "长视频"
    ) == 1


def test_list_show_rename_close_reopen_and_remove(team: Team) -> None:
    team.new_list()
    team.command(f"shortlist add Spring {ALPHA} {BETA}")
    listed = flatten(team.command("shortlist list"))
    assert f"*Spring launch*  `{team.shortlist('Spring launch').short_id}`  ·  open  ·  2 creators" in listed

    assert "Renamed the shortlist to *Spring 2030*." in flatten(
        team.command('shortlist rename Spring "Spring 2030"')
    )
    assert "Shortlist: Spring 2030" in team.parent("Spring 2030")

    assert "Closed *Spring 2030*." in flatten(team.command("shortlist close Spring"))
    assert ":lock: closed" in team.parent("Spring 2030")
    assert "is closed; nothing was changed" in flatten(team.command(f"shortlist add Spring {GAMMA}"))
    before = len(team.replies(team.me))
    team.click(button("kol_sl_vote_up", team.value("Spring 2030", ALPHA)))
    assert "is closed; nothing was changed" in flatten(eventually(lambda: team.replies(team.me)[before:]))
    item = {"type": "message", "channel": CHANNEL_ID, "ts": team.card_ts("Spring 2030", ALPHA)}
    team.ack(team.me.event({"type": "reaction_added", "user": MATE, "reaction": "+1", "item": item}))
    told = eventually(lambda: team.slack.calls_to("chat.postEphemeral"))[0].body
    assert told["user"] == MATE and told["thread_ts"] == team.shortlist("Spring 2030").parent_ts
    assert "is closed; nothing was changed" in flatten(told["blocks"])
    assert "Reopened *Spring 2030*." in flatten(team.command("shortlist reopen Spring"))

    beta_card = team.card_ts("Spring 2030", BETA)
    unclosed = flatten(team.ack(team.me.command('shortlist new "未闭合 名单')))  # refused in the ack
    assert "“未闭合 名单”前面的引号没有闭合。" in unclosed
    assert not [
        li for li in team.services.shortlists.list(TEAM_ID, CHANNEL_ID) if "未闭合" in li.shortlist.name
    ]
    two = flatten(team.command(f"shortlist remove Spring {BETA} {ALPHA}"))
    assert f"`remove` takes one creator; “{BETA} {ALPHA}” is more than one word." in two
    assert "Removed Beta from *Spring 2030*." in flatten(team.command(f"shortlist remove Spring {BETA}"))
    assert f"removed from the shortlist by <@{USER_ID}>" in team.channel.text(beta_card)
    assert "*Creators*\n1" in team.parent("Spring 2030")

    shown = flatten(team.command("shortlist show Spring"))
    assert "Shortlist: Spring 2030" in shown and "Open the discussion thread" in shown


# -- Slack failures and repair ----------------------------------------------------------------


def test_a_deleted_parent_is_posted_again_and_the_thread_is_told(team: Team) -> None:
    team.new_list()
    team.command(f"shortlist add Spring {ALPHA}")
    old = team.shortlist("Spring launch").parent_ts
    team.channel.delete(old)
    team.click(button("kol_sl_vote_up", team.value("Spring launch", ALPHA)))
    new = eventually(lambda: (ts := team.shortlist("Spring launch").parent_ts) != old and ts)
    eventually(lambda: ":+1: 1" in team.channel.text(new))
    notice = eventually(lambda: team.channel.thread(new))
    assert "was deleted, so I posted it again here" in flatten(notice[0]["blocks"])


def test_show_repairs_a_stale_parent_after_a_lost_update(team: Team) -> None:
    team.new_list()
    team.command(f"shortlist add Spring {ALPHA}")
    s = team.shortlist("Spring launch")
    team.services.shortlists.set_status(
        TEAM_ID, s.short_id, USER_ID, ALPHA, "approved"
    )  # "crashed" before Slack
    assert "1 proposed" in team.parent("Spring launch")
    team.command("shortlist show Spring")
    assert "*Creators*\n1 (1 approved)" in team.parent("Spring launch")


def test_the_bot_outside_the_channel_gets_an_invite_hint_and_nothing_is_stored(team: Team) -> None:
    team.slack.fail("conversations.info", "channel_not_found")
    answer = flatten(team.command("shortlist new Spring launch"))
    assert "I can't post in this channel because I'm not a member of it. Nothing was saved." in answer
    assert "/invite @kolbot" in answer
    team.slack.on(
        "conversations.info",
        lambda fake, body: {"ok": True, "channel": {"id": body["channel"], "is_member": False}},
    )
    assert "/invite @kolbot" in flatten(team.command("shortlist new Spring launch"))
    assert team.services.shortlists.list(TEAM_ID, CHANNEL_ID) == []


def test_an_archived_channel_stores_no_new_shortlist(team: Team) -> None:
    """It answered "This channel is archived… Your change is saved." and kept the list."""
    team.slack.on(
        "conversations.info",
        lambda fake, body: {
            "ok": True,
            "channel": {"id": body["channel"], "is_member": True, "is_archived": True},
        },
    )
    answer = flatten(team.command("shortlist new Spring launch"))
    assert "This channel is archived" in answer and "Nothing was saved." in answer
    assert team.services.shortlists.list(TEAM_ID, CHANNEL_ID) == []


def test_a_revoked_installation_asks_for_a_reinstall(team: Team) -> None:
    team.slack.fail("conversations.info", "token_revoked")
    answer = flatten(team.command("shortlist new Spring launch"))
    assert "reinstall kolbot" in answer and "Try again in a minute" not in answer


def test_after_the_bot_was_removed_a_change_is_kept_and_the_user_is_told(team: Team) -> None:
    team.new_list()
    team.command(f"shortlist add Spring {ALPHA}")
    team.slack.fail("chat.update", "not_in_channel")
    team.click(button("kol_sl_vote_up", team.value("Spring launch", ALPHA)))
    answer = flatten(eventually(lambda: [r for r in team.replies(team.me) if "invite" in flatten(r)]))
    assert "Your change is saved." in answer and "shortlist show" in answer
    assert team.services.shortlists.summary(TEAM_ID, team.shortlist("Spring launch").short_id).votes_up == 1


def test_rate_limited_updates_are_retried_after_retry_after(team: Team) -> None:
    team.new_list()
    team.slack.throttle("chat.update", retry_after=0, times=2)
    team.command(f"shortlist add Spring {ALPHA}")
    eventually(lambda: "*Creators*\n1" in team.parent("Spring launch"))
    assert len(team.slack.calls_to("chat.update")) == 3


# -- isolation and idempotency ----------------------------------------------------------------


def test_a_forged_payload_from_another_workspace_changes_nothing(team: Team) -> None:
    team.new_list()
    team.command(f"shortlist add Spring {ALPHA}")
    s = team.shortlist("Spring launch")
    intruder = team.user("U0INTRUDER", team_id="T0OTHER")
    value = CardValue(short_id=s.short_id, star_id=ALPHA).encode()
    team.click(button("kol_sl_vote_down", value), intruder)
    status = StatusValue(short_id=s.short_id, star_id=ALPHA, status=ItemStatus.BOOKED).encode()
    team.click(select("kol_sl_status", status), intruder)
    refusals = eventually(lambda: len(team.replies(intruder)) == 2 and team.replies(intruder))
    assert all("belongs to another Slack workspace; nothing was changed" in flatten(r) for r in refusals)
    form = json.dumps(
        {
            "channel_id": CHANNEL_ID,
            "lang": "en",
            "response_url": intruder.response_url,
            "star_id": ALPHA,
            "short_id": s.short_id,
        }
    )
    quote = {"quote": {"value": {"value": "1"}}}
    errors = team.ack(intruder.view_submission("kol_sl_edit_view", quote, private_metadata=form))["errors"]
    assert "another Slack workspace" in errors["quote"]
    assert "No shortlist named" in flatten(team.command(f"shortlist show {s.short_id}", intruder))
    summary = team.services.shortlists.summary(TEAM_ID, s.short_id)
    assert (summary.votes_down, summary.items[0].status.value, summary.items[0].quoted_price_yuan) == (
        0,
        "proposed",
        None,
    )


def test_double_clicks_and_slack_retries_have_one_effect(team: Team) -> None:
    team.new_list()
    team.command(f"shortlist add Spring {ALPHA}")
    vote = team.me.block_action(
        button("kol_sl_vote_up", team.value("Spring launch", ALPHA)), message={"ts": "9.9"}
    )
    twice = team.me.block_action(
        button("kol_sl_vote_up", team.value("Spring launch", ALPHA)), message={"ts": "9.9"}
    )
    for request in (vote, vote.retried(), twice):
        assert team.app.dispatch(request.bolt()).status == 200
    event = team.me.event(
        {
            "type": "reaction_added",
            "user": MATE,
            "reaction": "+1",
            "item": {"type": "message", "channel": CHANNEL_ID, "ts": team.card_ts("Spring launch", ALPHA)},
        }
    )
    for request in (event, event.retried()):
        team.ack(request)
    eventually(lambda: ":+1: 2" in team.parent("Spring launch"))
    s = team.shortlist("Spring launch")
    votes = [e for e in team.services.shortlists.history(TEAM_ID, s.short_id) if e.action == AuditAction.VOTE]
    assert len(votes) == 2  # mine once (not toggled off by the double click), my teammate's once


def test_a_vote_taken_back_a_few_seconds_later_is_taken_back(team: Team) -> None:
    """The README's toggle: 👍 again removes the vote. Only clicks closer than the double-click
    window (1-2 s of Slack's own click times) count as one."""
    team.new_list()
    team.command(f"shortlist add Spring {ALPHA}")
    card = {"ts": team.card_ts("Spring launch", ALPHA)}
    vote = button("kol_sl_vote_up", team.value("Spring launch", ALPHA))
    for at in (1_800_000_000.0, 1_800_000_000.3, 1_800_000_003.0):  # click, double click, take back
        assert team.app.dispatch(team.me.block_action(vote, message=card, clicked_at=at).bolt()).status == 200
    short_id = team.shortlist("Spring launch").short_id  # a vote is stored before its click's ack
    history = team.services.shortlists.history(TEAM_ID, short_id)
    assert len([e for e in history if e.action == AuditAction.VOTE]) == 2  # on, off; not the double click
    assert team.services.shortlists.summary(TEAM_ID, short_id).votes_up == 0


# -- freshness and export ---------------------------------------------------------------------


def test_a_search_refreshes_shortlisted_creators_and_cards_show_the_deltas(team: Team) -> None:
    page = team.services.source.search_page(SearchRequest("护肤", 1))
    demo = next(c for c in page.creators if c.price(Duration.MEDIUM) and c.followers)
    older = demo.model_copy(
        update={
            "prices": {2: Price(video_type=2, yuan=demo.price(Duration.MEDIUM) - 1_000)},
            "followers": demo.followers - 5_000,
        }
    )
    team.services.snapshots.save_many([older], live=False, fetched_at=page.fetched_at - timedelta(days=30))
    team.new_list()
    team.command(f"shortlist add Spring {demo.star_id}")
    assert "since added" not in team.card("Spring launch", demo.star_id)
    team.command("护肤 pages=1")  # the search sees newer data for the shortlisted creator
    team.click(button("kol_sl_vote_up", team.value("Spring launch", demo.star_id)))
    eventually(lambda: ":+1: 1" in team.card("Spring launch", demo.star_id))
    card = team.card("Spring launch", demo.star_id)
    assert "+¥1,000 since added" in card and "+5,000 since added" in card
    assert f"¥{demo.price(Duration.MEDIUM):,.0f}" in team.parent("Spring launch")


def test_an_export_into_a_chinese_shortlists_thread_is_in_chinese_whoever_asks(team: Team) -> None:
    """The file goes into the shared thread, whose messages are in the list's language."""
    team.new_list("春季护肤 预算=20万")
    short_id = team.shortlist("春季护肤").short_id
    team.command(f"shortlist add {short_id} {ALPHA}")
    team.command(f"shortlist export {short_id} xlsx")  # no Chinese word typed
    [upload] = [c.raw for c in team.slack.calls if c.path.startswith("/upload/")]
    header = [c.value for c in load_workbook(io.BytesIO(upload)).active[1]]
    assert "达人" in header and "Creator" not in header


def test_export_in_a_format_it_has_not_names_the_format(team: Team) -> None:
    team.new_list()
    answer = flatten(team.command("shortlist export Spring pdf"))
    assert "Can't export as “pdf”" in answer and "csv, xlsx" in answer
    assert team.slack.calls_to("files.getUploadURLExternal") == []


@pytest.mark.parametrize("word", ["表格", "Excel表格", "电子表格"])
def test_export_as_a_chinese_team_asks_for_a_spreadsheet(team: Team, word: str) -> None:
    """`导出 618护肤 表格` looked for a shortlist called "618护肤 表格"."""
    team.new_list()
    team.command(f"shortlist add Spring {ALPHA}")
    team.command(f"候选名单 导出 Spring {word}")
    [named] = team.slack.wait_for_calls("files.getUploadURLExternal")
    assert named.body["filename"].endswith(".xlsx")


def test_export_uploads_csv_and_xlsx_into_the_thread(team: Team) -> None:
    team.new_list()
    team.command(f"shortlist add Spring {ALPHA} {BETA}")
    s = team.shortlist("Spring launch")
    team.services.shortlists.set_quote(TEAM_ID, s.short_id, USER_ID, BETA, 18_000, 10)

    assert "Uploaded Spring_launch-" in flatten(team.command("shortlist export Spring"))
    team.command("shortlist export Spring xlsx")
    uploads = [c.raw for c in team.slack.calls if c.path.startswith("/upload/")]
    completes = [c.body for c in team.slack.calls_to("files.completeUploadExternal")]
    assert [c["thread_ts"] for c in completes] == [s.parent_ts] * 2 and completes[0][
        "channel_id"
    ] == CHANNEL_ID
    names = [c.body["filename"] for c in team.slack.calls_to("files.getUploadURLExternal")]
    assert names == [f"Spring_launch-{s.short_id}.csv", f"Spring_launch-{s.short_id}.xlsx"]

    rows = list(csv.DictReader(io.StringIO(uploads[0].decode("utf-8-sig"))))
    assert [(r["Star ID"], r["List price"], r["Quote"], r["Net quote"]) for r in rows] == [
        (f'="{ALPHA}"', "10000", "", ""),  # a 19-digit id, kept as text in Excel
        (f'="{BETA}"', "20000", "18000", "16200"),
    ]
    sheet = load_workbook(io.BytesIO(uploads[1])).active
    header = [c.value for c in sheet[1]]
    beta = dict(zip(header, [c.value for c in sheet[3]], strict=True))
    assert (beta["Creator"], beta["List price"], beta["Rebate %"], beta["Net quote"]) == (
        "Beta",
        20_000,
        0.1,
        16_200,
    )


def test_lang_words_choose_the_reply_but_never_touch_a_quoted_name(team: Team) -> None:
    team.new_list('"春季 lang=en 上新" lang=en')
    made = team.shortlist("春季 lang=en 上新")  # stored exactly as typed inside the quotes
    assert made.name == "春季 lang=en 上新"
    response = team.app.dispatch(team.me.command("shortlist new 夏季 lang=fr").bolt())
    refused = flatten(json.loads(response.body))  # refused in the ack: nothing queued
    assert "无法使用 `lang=fr`：语言只能是 中文 | 英文" in refused and "输入关键词" not in refused
    assert not [
        li for li in team.services.shortlists.list(TEAM_ID, CHANNEL_ID) if "夏季" in li.shortlist.name
    ]


def test_a_chinese_verb_missing_its_shortlist_is_quoted_as_typed(team: Team) -> None:
    """It answered "`export` 缺少参数：/kol 候选名单 export ‹名单>" to `候选名单 导出`."""
    answer = flatten(team.command("候选名单 导出"))
    assert "`导出`" in answer and "export" not in answer
