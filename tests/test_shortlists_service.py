from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.cards.errors import error_text
from bot.errors import KolbotError
from bot.i18n import tr
from bot.shortlists.errors import ShortlistError
from bot.shortlists.models import AuditAction, ItemStatus, ShortlistStatus, VoteGesture
from bot.shortlists.service import ShortlistService
from bot.store.snapshots import CreatorSnapshots, Snapshot

T0 = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def snapshots(make_creator, sessions) -> CreatorSnapshots:
    store = CreatorSnapshots(sessions)
    store.save_many(
        [make_creator(f"s{i}", followers=10_000 * i, price_21_60=1_000 * i) for i in range(1, 6)],
        live=True,
        fetched_at=T0,
    )
    return store


@pytest.fixture
def service(sessions, snapshots) -> ShortlistService:
    return ShortlistService(sessions, snapshots)


def _assert_bilingual(err: ShortlistError) -> None:
    assert CJK.search(error_text(err, "zh"))
    assert not CJK.search(tr("en", err.what))
    assert tr("en", err.hint) and tr("zh", err.hint)


# -- create and find -------------------------------------------------------------------------
def test_create_reads_budget_text_and_resolves_by_name_id_and_prefix(service) -> None:
    made = service.create("T1", "C1", "U1", "  618 美妆  ", budget_yuan="20万", duration="1-20")
    assert (made.name, made.budget_yuan, made.duration.value, made.status) == (
        "618 美妆",
        200_000,
        "1-20",
        "open",
    )
    assert (made.team_id, made.channel_id, made.owner_id) == ("T1", "C1", "U1")
    assert re.fullmatch(r"[a-z0-9]{6}", made.short_id)
    assert service.resolve("T1", "C1", "618 美妆") == made
    assert service.resolve("T1", "C1", made.short_id.upper()) == made
    assert service.resolve("T1", "C1", "618") == made
    assert service.get("T1", made.short_id) == made


def test_ambiguous_name_lists_the_candidates(service) -> None:
    a = service.create("T1", "C1", "U1", "Spring launch")
    b = service.create("T1", "C1", "U2", "Spring sale")
    service.close("T1", b.short_id, "U2")
    with pytest.raises(ShortlistError) as exc:
        service.resolve("T1", "C1", "SPRING")
    assert a.short_id in tr("en", exc.value.what) and b.short_id in tr("en", exc.value.what)
    _assert_bilingual(exc.value)
    assert f"({b.short_id} :lock:)" in tr("zh", exc.value.what) and "closed" not in tr("zh", exc.value.what)
    with pytest.raises(ShortlistError, match="matches 2"):
        service.resolve("T1", "C1", "spr")


def test_an_open_shortlist_name_is_not_given_twice_in_a_channel(service) -> None:
    """Otherwise every command by that name asks which one; a closed list's name may be reused."""
    first = service.create("T1", "C1", "U1", "618 护肤")
    with pytest.raises(ShortlistError) as exc:
        service.create("T1", "C1", "U2", "618  护肤")
    assert first.short_id in tr("zh", exc.value.what) and "换个名字" in tr("zh", exc.value.hint)
    other = service.create("T1", "C1", "U2", "618 美妆")
    with pytest.raises(ShortlistError):
        service.rename("T1", other.short_id, "U2", "618 护肤")
    service.create("T1", "C2", "U1", "618 护肤")  # another channel's are its own
    service.close("T1", first.short_id, "U1")
    service.create("T1", "C1", "U1", "618 护肤")
    with pytest.raises(ShortlistError):  # reopening the first would make two open "618 护肤"
        service.reopen("T1", first.short_id, "U1")


def test_unknown_name_says_what_exists_and_other_channels_are_not_searched(service) -> None:
    here = service.create("T1", "C1", "U1", "Autumn")
    elsewhere = service.create("T1", "C2", "U1", "Winter")
    with pytest.raises(ShortlistError) as exc:
        service.resolve("T1", "C1", "Winter")
    assert "Autumn" in tr("en", exc.value.hint) and here.short_id in tr("en", exc.value.hint)
    _assert_bilingual(exc.value)
    with pytest.raises(ShortlistError, match="C2"):
        service.resolve("T1", "C1", elsewhere.short_id)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"budget_yuan": "lots"}, "not a budget"),
        ({"budget_yuan": -5}, "not a budget"),
        ({"budget_yuan": float("nan")}, "not a budget"),
        ({"duration": "90s"}, "not a video length"),
        ({"name": "   "}, "needs a name"),
    ],
)
def test_bad_create_input_is_refused_and_nothing_is_stored(service, kwargs, message) -> None:
    args = {"name": "Q3", **kwargs}
    with pytest.raises(ShortlistError, match=message) as exc:
        service.create("T1", "C1", "U1", **args)
    _assert_bilingual(exc.value)
    assert service.list("T1", "C1") == []


def test_list_shows_newest_first_with_creator_counts(service) -> None:
    first = service.create("T1", "C1", "U1", "first")
    second = service.create("T1", "C1", "U1", "second")
    service.create("T2", "C1", "U1", "other workspace")
    service.add("T1", first.short_id, "U1", ["s1", "s2"])
    service.close("T1", second.short_id, "U1")
    listed = service.list("T1", "C1")
    assert [(x.shortlist.name, x.creator_count) for x in listed] == [("second", 0), ("first", 2)]
    assert [x.shortlist.name for x in service.list("T1", "C1", include_closed=False)] == ["first"]


# -- adding creators -----------------------------------------------------------------------------
def test_add_is_idempotent_and_keeps_the_snapshot(service) -> None:
    sl = service.create("T1", "C1", "U1", "Q3")
    result = service.add("T1", sl.short_id, "U1", ["s1", "s2", "s1"])
    assert [i.star_id for i in result.added] == ["s1", "s2"]
    assert result.added[0].list_price_yuan == 1_000 and result.added[0].live is True
    again = service.add("T1", sl.short_id, "U2", ["s2", "s3"])
    assert ([i.star_id for i in again.added], [i.star_id for i in again.already]) == (["s3"], ["s2"])
    summary = service.summary("T1", sl.short_id)
    assert [i.star_id for i in summary.items] == ["s1", "s2", "s3"]
    assert summary.items[1].added_by == "U1" and summary.items[2].added_by == "U2"
    assert summary.items[0].data_time == T0


def test_the_same_request_adding_again_counts_its_own_earlier_adds_as_added(service) -> None:
    """A queued add run again (its worker died after storing) is the same request: what it added
    is "added"; only another request's adds are "already on"."""
    sl = service.create("T1", "C1", "U1", "Q3")
    service.add("T1", sl.short_id, "U2", ["s1"], request="command:earlier")
    first = service.add("T1", sl.short_id, "U1", ["s2"], request="command:this")
    again = service.add("T1", sl.short_id, "U1", ["s1", "s2", "s3"], request="command:this")
    assert [i.star_id for i in first.added] == ["s2"]
    assert [i.star_id for i in again.added] == ["s2", "s3"]
    assert [i.star_id for i in again.already] == ["s1"]
    assert again.already[0].creator.nickname  # a name to show, not just the id
    other = service.add("T1", sl.short_id, "U3", ["s2"], request="command:other")
    assert (other.added, [i.star_id for i in other.already]) == ([], ["s2"])


def test_add_unknown_creator_adds_nothing(service) -> None:
    sl = service.create("T1", "C1", "U1", "Q3")
    with pytest.raises(ShortlistError, match="nobody") as exc:
        service.add("T1", sl.short_id, "U1", ["s1", "nobody"])
    _assert_bilingual(exc.value)
    assert service.summary("T1", sl.short_id).creator_count == 0
    with pytest.raises(ShortlistError):
        service.add("T1", sl.short_id, "U1", [" "])


def test_add_accepts_creators_passed_in(make_creator, service) -> None:
    sl = service.create("T1", "C1", "U1", "Q3")
    snap = Snapshot(make_creator("fresh", price_21_60=777), live=False, fetched_at=T0)
    result = service.add("T1", sl.short_id, "U1", ["fresh"], known=[snap])
    assert result.added[0].list_price_yuan == 777 and result.added[0].live is False


# -- decisions --------------------------------------------------------------------------------
def test_votes_replace_and_withdraw(service) -> None:
    sl = service.create("T1", "C1", "U1", "Q3")
    service.add("T1", sl.short_id, "U1", ["s1"])
    service.vote("T1", sl.short_id, "U1", "s1", 1)
    service.vote("T1", sl.short_id, "U2", "s1", 1)
    item = service.vote("T1", sl.short_id, "U2", "s1", -1)
    assert (item.votes_up, item.votes_down, item.votes) == (1, 1, {"U1": 1, "U2": -1})
    item = service.vote("T1", sl.short_id, "U1", "s1", 0)
    assert item.votes == {"U2": -1}
    with pytest.raises(ShortlistError, match="not a vote"):
        service.vote("T1", sl.short_id, "U1", "s1", 2)


def test_vote_gestures_are_decided_inside_the_service(service) -> None:
    """A click on the vote you gave takes it back; a reaction only changes a different vote; removing
    a reaction takes back only the vote it gave. None = nothing changed, so nothing to re-render."""
    sl = service.create("T1", "C1", "U1", "Q3")
    service.add("T1", sl.short_id, "U1", ["s1"])

    def vote(value: int, gesture: VoteGesture) -> dict[str, int] | None:
        item = service.vote("T1", sl.short_id, "U1", "s1", value, gesture)
        return None if item is None else item.votes

    assert vote(1, VoteGesture.CLICK) == {"U1": 1}
    assert vote(1, VoteGesture.CLICK) == {}
    assert vote(1, VoteGesture.REACT) == {"U1": 1}
    assert vote(1, VoteGesture.REACT) is None
    assert vote(-1, VoteGesture.UNREACT) is None
    assert vote(-1, VoteGesture.CLICK) == {"U1": -1}
    assert vote(-1, VoteGesture.UNREACT) == {}
    events = [e for e in service.history("T1", sl.short_id) if e.action == AuditAction.VOTE]
    assert len(events) == 5


def test_status_note_and_quote(service) -> None:
    sl = service.create("T1", "C1", "U1", "Q3")
    service.add("T1", sl.short_id, "U1", ["s1"])
    assert service.set_status("T1", sl.short_id, "U2", "s1", "Approved").status == ItemStatus.APPROVED
    assert service.set_note("T1", sl.short_id, "U2", "s1", "  good fit 很合适 ").note == "good fit 很合适"
    item = service.set_quote("T1", sl.short_id, "U2", "s1", "1.2万", "15%")
    assert (item.quoted_price_yuan, item.rebate_pct, item.net_quote_yuan) == (12_000, 15, 10_200)
    assert service.set_note("T1", sl.short_id, "U2", "s1", "").note is None


def test_quote_and_note_are_saved_together(service) -> None:
    sl = service.create("T1", "C1", "U1", "Q3")
    service.add("T1", sl.short_id, "U1", ["s1"])
    item = service.set_quote_and_note("T1", sl.short_id, "U2", "s1", "1.2万", "15%", " fit ")
    assert (item.quoted_price_yuan, item.rebate_pct, item.note) == (12_000, 15, "fit")
    actions = [e.action for e in service.history("T1", sl.short_id)]
    assert actions[-2:] == [AuditAction.QUOTE, AuditAction.NOTE]
    before = service.history("T1", sl.short_id)
    with pytest.raises(ShortlistError, match="not on shortlist"):
        service.set_quote_and_note("T1", sl.short_id, "U2", "s9", 1, None, "x")
    assert service.history("T1", sl.short_id) == before


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s, i: s.set_quote_and_note("T1", i, "U1", "s1", 5, None, "x" * 2001), "too long"),
        (lambda s, i: s.set_quote("T1", i, "U1", "s1", -1), "not a quoted price"),
        (lambda s, i: s.set_quote("T1", i, "U1", "s1", "abc"), "not a quoted price"),
        (lambda s, i: s.set_quote("T1", i, "U1", "s1", 100, 101), "not a rebate"),
        (lambda s, i: s.set_quote("T1", i, "U1", "s1", 100, "-1%"), "not a rebate"),
        (lambda s, i: s.set_quote("T1", i, "U1", "s1", 100, "0.15"), "a rebate of 15% or of 0.15%?"),
        (lambda s, i: s.set_quote("T1", i, "U1", "s1", 100, 100), "not a rebate"),  # nothing left to pay
        (lambda s, i: s.set_quote("T1", i, "U1", "s1", "3000000000"), "not a quoted price"),  # over ¥10亿
        (lambda s, i: s.set_status("T1", i, "U1", "s1", "maybe"), "not a status"),
        (lambda s, i: s.set_note("T1", i, "U1", "s1", "x" * 2001), "too long"),
        (lambda s, i: s.set_status("T1", i, "U1", "s9", "booked"), "not on shortlist"),
    ],
)
def test_bad_decisions_are_refused_and_nothing_is_stored(service, call, message) -> None:
    sl = service.create("T1", "C1", "U1", "Q3")
    service.add("T1", sl.short_id, "U1", ["s1"])
    before = (service.summary("T1", sl.short_id), service.history("T1", sl.short_id))
    with pytest.raises(ShortlistError, match=message) as exc:
        call(service, sl.short_id)
    _assert_bilingual(exc.value)
    after = (service.summary("T1", sl.short_id), service.history("T1", sl.short_id))
    assert after[0].items == before[0].items and after[1] == before[1]


def test_remove_drops_the_creator_and_its_votes(service) -> None:
    sl = service.create("T1", "C1", "U1", "Q3")
    service.add("T1", sl.short_id, "U1", ["s1", "s2"])
    service.vote("T1", sl.short_id, "U1", "s1", 1)
    service.set_item_ts("T1", sl.short_id, "s1", "1700000000.000100")
    removed = service.remove("T1", sl.short_id, "U2", "s1")
    assert (removed.star_id, removed.card_ts, removed.votes) == ("s1", "1700000000.000100", {"U1": 1})
    assert [i.star_id for i in service.summary("T1", sl.short_id).items] == ["s2"]
    readded = service.add("T1", sl.short_id, "U1", ["s1"]).added[0]
    assert readded.votes == {} and readded.status == ItemStatus.PROPOSED


def test_a_change_to_a_creator_removed_meanwhile_names_it_as_its_card_did(service, snapshots) -> None:
    """A quote form opened before the creator was removed: the refusal names them, not a bare id."""
    sl = service.create("T1", "C1", "U1", "Q3")
    service.add("T1", sl.short_id, "U1", ["s1", "s2"])
    service.remove("T1", sl.short_id, "U2", "s1")
    with pytest.raises(ShortlistError) as refused:
        service.set_quote("T1", sl.short_id, "U1", "s1", 1000)
    nickname = snapshots.get("s1").creator.nickname
    assert f"“{nickname} (s1)” is not on shortlist “Q3”" in tr("en", refused.value.what)


# -- lifecycle -----------------------------------------------------------------------------------
def test_closed_shortlist_refuses_changes_until_reopened(service) -> None:
    sl = service.create("T1", "C1", "U1", "Q3")
    service.add("T1", sl.short_id, "U1", ["s1"])
    assert service.close("T1", sl.short_id, "U1").status == ShortlistStatus.CLOSED
    for change in (
        lambda: service.add("T1", sl.short_id, "U1", ["s2"]),
        lambda: service.vote("T1", sl.short_id, "U1", "s1", 1),
        lambda: service.set_status("T1", sl.short_id, "U1", "s1", "booked"),
        lambda: service.rename("T1", sl.short_id, "U1", "new"),
        lambda: service.remove("T1", sl.short_id, "U1", "s1"),
    ):
        with pytest.raises(ShortlistError, match="closed") as exc:
            change()
        _assert_bilingual(exc.value)
    service.set_parent_ts("T1", sl.short_id, "C1", "1700000000.000200")  # Slack bookkeeping still works
    assert service.reopen("T1", sl.short_id, "U2").status == ShortlistStatus.OPEN
    assert service.rename("T1", sl.short_id, "U2", "Q3 final").name == "Q3 final"
    assert service.get("T1", sl.short_id).parent_ts == "1700000000.000200"


def test_history_records_who_when_and_what(service, time_machine) -> None:
    time_machine.move_to(T0, tick=False)
    sl = service.create("T1", "C1", "U1", "Q3", budget_yuan=50_000)
    time_machine.shift(60)
    service.add("T1", sl.short_id, "U2", ["s1"])
    time_machine.shift(60)
    service.set_status("T1", sl.short_id, "U3", "s1", "approved")
    service.set_status("T1", sl.short_id, "U3", "s1", "approved")  # no change, not recorded
    service.set_quote("T1", sl.short_id, "U3", "s1", 900, 10)
    service.vote("T1", sl.short_id, "U4", "s1", -1)
    service.rename("T1", sl.short_id, "U1", "Q3b")
    events = service.history("T1", sl.short_id)
    assert [(e.action, e.actor_id, e.star_id) for e in events] == [
        (AuditAction.CREATE, "U1", None),
        (AuditAction.ADD, "U2", "s1"),
        (AuditAction.STATUS, "U3", "s1"),
        (AuditAction.QUOTE, "U3", "s1"),
        (AuditAction.VOTE, "U4", "s1"),
        (AuditAction.RENAME, "U1", None),
    ]
    assert [e.at for e in events[:3]] == [T0, T0 + timedelta(seconds=60), T0 + timedelta(seconds=120)]
    assert (events[2].before, events[2].after) == ({"status": "proposed"}, {"status": "approved"})
    assert events[3].after == {"quoted_price_yuan": 900, "rebate_pct": 10}
    assert (events[4].before, events[4].after) == ({"vote": 0}, {"vote": -1})
    assert (events[5].before, events[5].after) == ({"name": "Q3"}, {"name": "Q3b"})
    assert [e.action for e in service.history("T1", sl.short_id, limit=2)] == ["vote", "rename"]


# -- isolation -----------------------------------------------------------------------------------
FORGED = [
    lambda s, i: s.get("T2", i),
    lambda s, i: s.summary("T2", i),
    lambda s, i: s.history("T2", i),
    lambda s, i: s.add("T2", i, "X", ["s2"]),
    lambda s, i: s.remove("T2", i, "X", "s1"),
    lambda s, i: s.vote("T2", i, "X", "s1", -1),
    lambda s, i: s.set_status("T2", i, "X", "s1", "rejected"),
    lambda s, i: s.set_note("T2", i, "X", "s1", "forged"),
    lambda s, i: s.set_quote("T2", i, "X", "s1", 1),
    lambda s, i: s.close("T2", i, "X"),
    lambda s, i: s.reopen("T2", i, "X"),
    lambda s, i: s.rename("T2", i, "X", "forged"),
    lambda s, i: s.set_parent_ts("T2", i, "C9", "1.2"),
    lambda s, i: s.set_item_ts("T2", i, "s1", "1.2"),
]


@pytest.mark.parametrize("forged", FORGED)
def test_another_workspace_is_refused_and_changes_nothing(service, forged) -> None:
    sl = service.create("T1", "C1", "U1", "Q3")
    service.add("T1", sl.short_id, "U1", ["s1"])
    before = (service.summary("T1", sl.short_id), service.history("T1", sl.short_id))
    with pytest.raises(ShortlistError, match="another Slack workspace") as exc:
        forged(service, sl.short_id)
    _assert_bilingual(exc.value)
    after = (service.summary("T1", sl.short_id), service.history("T1", sl.short_id))
    assert after == before
    with pytest.raises(ShortlistError):
        service.resolve("T2", "C1", sl.short_id)


def test_unknown_short_id_is_a_clear_error(service) -> None:
    with pytest.raises(ShortlistError, match="No shortlist with id") as exc:
        service.summary("T1", "zzzzzz")
    _assert_bilingual(exc.value)


# -- freshness -----------------------------------------------------------------------------------
def test_refresh_latest_tracks_newer_sightings_as_deltas(make_creator, service) -> None:
    a = service.create("T1", "C1", "U1", "A")
    b = service.create("T2", "C7", "U9", "B")
    service.add("T1", a.short_id, "U1", ["s1", "s2"])
    service.add("T2", b.short_id, "U9", ["s1"])
    newer = make_creator("s1", followers=12_500, price_21_60=1_300)
    assert service.refresh_latest([newer], live=True, fetched_at=T0 + timedelta(days=1)) == 2
    older = make_creator("s1", followers=1, price_21_60=1)
    assert service.refresh_latest([older], live=True, fetched_at=T0 + timedelta(hours=1)) == 0
    assert service.refresh_latest([older], live=False, fetched_at=T0 + timedelta(days=2)) == 0
    item = service.summary("T1", a.short_id).items[0]
    assert (item.list_price_yuan, item.price_delta_yuan) == (1_300, 300)
    assert (item.creator.followers, item.followers_delta) == (12_500, 2_500)
    assert (item.added.followers, item.data_time) == (10_000, T0 + timedelta(days=1))
    untouched = service.summary("T1", a.short_id).items[1]
    assert (untouched.price_delta_yuan, untouched.followers_delta) == (0, 0)
    assert service.summary("T2", b.short_id).items[0].list_price_yuan == 1_300


# -- creators by the name on their card --------------------------------------------------------
@pytest.fixture
def named(make_creator, sessions, snapshots) -> ShortlistService:
    snapshots.save_many(
        [
            make_creator("7000000000000000001", nickname="叫我南风的护肤笔记🌙"),
            make_creator("7000000000000000002", nickname="小桃"),
            make_creator("7000000000000000003", nickname="小桃"),
        ],
        live=True,
        fetched_at=T0,
    )
    return ShortlistService(sessions, snapshots)


def test_a_creator_is_added_and_removed_by_the_name_on_its_card(named) -> None:
    """Cards show names, never the 19-digit id: the name as typed (no emoji, Traditional) works."""
    sl = named.create("T1", "C1", "U1", "618")
    added = named.add("T1", sl.short_id, "U1", ["叫我南風的護膚筆記", "s1"])
    assert [i.star_id for i in added.added] == ["7000000000000000001", "s1"]
    again = named.add("T1", sl.short_id, "U1", ["叫我南风的护肤笔记"])
    assert again.already[0].star_id == "7000000000000000001"
    removed = named.remove("T1", sl.short_id, "U1", "叫我南风的护肤笔记🌙")
    assert removed.star_id == "7000000000000000001"
    assert [i.star_id for i in named.summary("T1", sl.short_id).items] == ["s1"]
    named.set_status("T1", sl.short_id, "U1", "测试达人 s1", "approved")  # any item command
    assert named.summary("T1", sl.short_id).items[0].status is ItemStatus.APPROVED


@pytest.mark.parametrize(
    "typed", ["叫我南風的護膚筆記,s1", "叫我南风的护肤笔记🌙，s1", "叫我南风的护肤笔记、 s1"]
)
def test_creators_listed_with_commas_are_each_added(named, typed: str) -> None:
    sl = named.create("T1", "C1", "U1", "618")
    added = named.add("T1", sl.short_id, "U1", [typed])
    assert [i.star_id for i in added.added] == ["7000000000000000001", "s1"]
    again = named.add("T1", sl.short_id, "U1", ["s2,", "s3"])  # `s2, s3` typed: the comma stays on s2
    assert [i.star_id for i in again.added] == ["s2", "s3"]


def test_a_name_two_creators_share_is_refused_with_their_ids(named) -> None:
    sl = named.create("T1", "C1", "U1", "618")
    with pytest.raises(KolbotError) as refused:
        named.add("T1", sl.short_id, "U1", ["小桃"])
    text = tr("en", refused.value.what)
    assert "小桃 (7000000000000000002)" in text and "小桃 (7000000000000000003)" in text
    assert tr("zh", refused.value.hint) != tr("en", refused.value.hint)
    assert named.summary("T1", sl.short_id).items == []


def test_a_name_two_creators_on_the_list_share_is_refused_and_nothing_removed(named) -> None:
    sl = named.create("T1", "C1", "U1", "618")
    named.add("T1", sl.short_id, "U1", ["7000000000000000002", "7000000000000000003"])
    with pytest.raises(KolbotError) as refused:
        named.remove("T1", sl.short_id, "U1", "小桃")
    text = tr("en", refused.value.what)
    assert "小桃 (7000000000000000002)" in text and "小桃 (7000000000000000003)" in text
    assert len(named.summary("T1", sl.short_id).items) == 2


def test_a_name_not_on_the_list_says_who_is(named) -> None:
    sl = named.create("T1", "C1", "U1", "618")
    named.add("T1", sl.short_id, "U1", ["s1", "s2"])
    with pytest.raises(ShortlistError) as refused:
        named.remove("T1", sl.short_id, "U1", "是半夏")
    assert "“是半夏” is not on shortlist “618”" in tr("en", refused.value.what)
    assert "测试达人 s1, 测试达人 s2" in tr("en", refused.value.hint)
    assert tr("zh", refused.value.what) != tr("en", refused.value.what)


def test_a_spaced_name_typed_without_quotes_is_answered_with_the_quotes(
    named, make_creator, snapshots
) -> None:
    snapshots.save_many(
        [make_creator("7000000000000000009", nickname="Lily 🌸 Beauty")], live=True, fetched_at=T0
    )
    sl = named.create("T1", "C1", "U1", "618")
    with pytest.raises(ShortlistError) as refused:
        named.add("T1", sl.short_id, "U1", ["Lily", "🌸", "Beauty"])
    assert tr("en", refused.value.hint) == 'Put a name with spaces in quotes: "Lily 🌸 Beauty".'
    assert named.summary("T1", sl.short_id).items == []
