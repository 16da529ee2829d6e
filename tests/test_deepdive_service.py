"""The deep-dive service over real HTTP (fake TikHub serving `bot.demo.synth_detail`), and in demo mode."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.cards.errors import error_text
from bot.deepdive.models import PartStatus
from bot.deepdive.routes import ENDPOINT_COST_USD, LOOKUP_COST_USD, PartKey
from bot.deepdive.service import DeepDiveService, DemoDeepDiveClient
from bot.demo import synth_detail
from bot.errors import KolbotError, QueryError
from bot.grammar import parse_query
from bot.i18n import tr
from bot.identifiers import CreatorId, IdKind, parse_identifier
from bot.models import Creator, Duration
from bot.search import SearchService
from bot.sources.demo import DemoSource
from bot.sources.tikhub import TikHubClient
from bot.store.snapshots import CreatorSnapshots
from tests.fakes.tikhub_server import FakeTikHub, Fault

UNKNOWN_STAR_ID = "7000000000000000001"
DAILY = synth_detail.DAILY_FANS


def star_where(*, refused: set[str] = frozenset(), served: set[str] = frozenset()) -> str:
    """A demo creator whose refusals include `refused` and exclude `served`, with quotes."""
    for star_id in synth_detail.demo_star_ids():
        prices = synth_detail.detail_data(synth_detail.SERVICE_PRICE, {"kolId": star_id})
        if not prices.get("price_info"):
            continue
        if all(synth_detail.is_refused(r, star_id) for r in refused) and not any(
            synth_detail.is_refused(r, star_id) for r in served
        ):
            return star_id
    raise AssertionError("no such demo creator")


@pytest.fixture
def tikhub() -> Iterator[FakeTikHub]:
    with FakeTikHub() as fake:
        yield fake.serve_details()


@pytest.fixture
def service(tikhub: FakeTikHub) -> Iterator[DeepDiveService]:
    client = TikHubClient(tikhub.settings(tikhub_max_retries=1), sleep=lambda _s: None)
    yield DeepDiveService(client)
    client.close()


def test_partial_failures_are_marked_and_the_rest_shows(tikhub: FakeTikHub, service: DeepDiveService) -> None:
    star_id = star_where(refused={synth_detail.AUDIENCE}, served={synth_detail.FANS, synth_detail.DAILY_FANS})
    tikhub.inject(Fault.BAD_GATEWAY, route=synth_detail.CP_INFO, times=None)
    dive = service.deep_dive(star_id)
    assert dive.audience.status is PartStatus.UNAVAILABLE and dive.audience.reason == "refused"
    assert dive.cp.status is PartStatus.FAILED and dive.cp.reason == "gateway"
    assert tr("en", dive.audience.wording()) == "audience data unavailable: Xingtu declined to share it"
    assert tr("zh", dive.cp.wording()) == "性价比获取失败：TikHub 暂不可用"
    assert dive.base.ok and dive.prices.ok and dive.daily_fans.ok and dive.fans.ok
    assert dive.base.data.star_id == star_id
    assert "missing_data" in [f.code for f in dive.flags]
    # 8 routes asked; the 502 was tried twice (1 retry) and never billed; the 10003 is billed.
    assert dive.calls == 8 and dive.cache_hits == 0
    assert dive.upstream_calls == tikhub.calls == 9
    assert dive.cost_usd == pytest.approx(7 * ENDPOINT_COST_USD)
    assert "$0.140" in tr("en", dive.cost_line()) and "9" in tr("zh", dive.cost_line())


def test_requests_carry_the_documented_params(tikhub: FakeTikHub, service: DeepDiveService) -> None:
    star_id = star_where()
    service.deep_dive(star_id)
    sent = {r.route: r.params for r in tikhub.requests}
    assert set(sent) == set(synth_detail.DETAIL_ROUTES)
    assert sent[synth_detail.BASE_INFO] == {"kolId": star_id, "platformChannel": "_1"}
    assert sent[synth_detail.DATA_OVERVIEW] == {
        "kolId": star_id,
        "_type": "_1",
        "_range": "_2",
        "flowType": "1",
    }
    daily = sent[synth_detail.DAILY_FANS]
    assert set(daily) == {"kolId", "startDate", "endDate"} and daily["startDate"] < daily["endDate"]


def test_repeat_within_ttl_makes_no_upstream_call(tikhub: FakeTikHub, service: DeepDiveService) -> None:
    star_id = star_where(served=set(synth_detail.DETAIL_ROUTES))
    first = service.deep_dive(star_id)
    assert first.cost_usd == pytest.approx(8 * ENDPOINT_COST_USD) and all(p.ok for p in first.parts())
    tikhub.reset()
    again = service.deep_dive(star_id)
    assert tikhub.calls == 0
    assert (again.cache_hits, again.upstream_calls, again.cost_usd) == (8, 0, 0)
    assert all(p.from_cache for p in again.parts())


def test_fen_endpoints_arrive_in_yuan(service: DeepDiveService) -> None:
    star_id = star_where(served=set(synth_detail.DETAIL_ROUTES))
    dive = service.deep_dive(star_id)
    price = dive.prices.data.for_duration(Duration.MEDIUM) or dive.prices.data.for_duration(Duration.SHORT)
    duration = Duration.MEDIUM if dive.prices.data.for_duration(Duration.MEDIUM) else Duration.SHORT
    expected = price.yuan * 1000 / dive.cp.data.expected_plays
    assert dive.cp.data.cpm[duration] == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize(
    ("identifier", "kind", "value"),
    [
        ("7000000000000000001", IdKind.STAR_ID, "7000000000000000001"),
        (
            "https://www.xingtu.cn/ad/creator/author/douyin/7000000000000000001/1",
            IdKind.STAR_ID,
            "7000000000000000001",
        ),
        ("98765432101", IdKind.UID, "98765432101"),
        ("1234567890", IdKind.UID, "1234567890"),
        ("@dy_abc123", IdKind.UNIQUE_ID, "dy_abc123"),
        ("abc.def_1", IdKind.UNIQUE_ID, "abc.def_1"),
    ],
)
def test_identifier_heuristics(identifier: str, kind: IdKind, value: str) -> None:
    assert parse_identifier(identifier) == CreatorId(kind, value)


@pytest.mark.parametrize("bad", ["", "两个字", "a b", "x" * 40])
def test_unusable_identifier_is_a_query_error(bad: str) -> None:
    with pytest.raises(QueryError) as err:
        parse_identifier(bad)
    assert "19" in error_text(err.value, "en")


def test_star_id_needs_no_lookup(tikhub: FakeTikHub, service: DeepDiveService) -> None:
    assert service.resolve(UNKNOWN_STAR_ID) == UNKNOWN_STAR_ID
    assert tikhub.calls == 0


def test_uid_and_unique_id_lookups(tikhub: FakeTikHub, service: DeepDiveService) -> None:
    star_id = star_where()
    uid = synth_detail.detail_data(synth_detail.BASE_INFO, {"kolId": star_id})["core_user_id"]
    assert service.resolve(uid) == star_id
    assert service.resolve("@" + synth_detail.unique_id(star_id)) == star_id
    assert [r.route for r in tikhub.requests] == [synth_detail.BY_UID, synth_detail.BY_UNIQUE_ID]


def test_unknown_digits_fall_back_to_a_numeric_unique_id_then_fail(
    tikhub: FakeTikHub, service: DeepDiveService
) -> None:
    with pytest.raises(KolbotError) as err:
        service.resolve("123456789")
    assert [r.route for r in tikhub.requests] == [synth_detail.BY_UID, synth_detail.BY_UNIQUE_ID]
    assert "“123456789”" in error_text(err.value, "en") and "星图" in error_text(err.value, "zh")


def test_show_includes_the_lookup_cost(service: DeepDiveService) -> None:
    star_id = star_where(served=set(synth_detail.DETAIL_ROUTES))
    dive = service.show("@" + synth_detail.unique_id(star_id))
    assert dive.star_id == star_id
    assert dive.cost_usd == pytest.approx(8 * ENDPOINT_COST_USD + LOOKUP_COST_USD)


def test_compare_resolves_fetches_and_rejects_unknown_ids(
    tikhub: FakeTikHub, service: DeepDiveService
) -> None:
    a, b = synth_detail.demo_star_ids()[:2]
    comparison = service.compare([a, "@" + synth_detail.unique_id(b)], Duration.MEDIUM)
    assert comparison.star_ids == [a, b] and len(comparison.verdicts) == 2
    with pytest.raises(KolbotError) as err:
        service.compare([a, UNKNOWN_STAR_ID], Duration.MEDIUM)
    assert UNKNOWN_STAR_ID in error_text(err.value, "en")
    with pytest.raises(QueryError):
        service.compare([a, "@" + synth_detail.unique_id(a)], Duration.MEDIUM)


@pytest.mark.parametrize(
    ("fault", "told"),
    [(Fault.UNAUTHORIZED, "TIKHUB_API_KEY"), (Fault.NO_BALANCE, "balance"), (Fault.UNAVAILABLE, "TikHub")],
)
def test_compare_in_an_outage_says_why_not_that_the_ids_are_wrong(
    tikhub: FakeTikHub, service: DeepDiveService, fault: Fault, told: str
) -> None:
    a, b = synth_detail.demo_star_ids()[:2]
    tikhub.inject(fault, times=None)
    with pytest.raises(KolbotError) as err:
        service.compare([a, b], Duration.MEDIUM)
    text = error_text(err.value, "en")
    assert "No data could be fetched" in text and told in text, text
    assert "No Xingtu creator found" not in text and "Check the" not in text
    assert "Upstream cost $" in text and f"for {tikhub.calls} calls" in text  # both creators' calls


def test_demo_client_serves_every_part_for_free() -> None:
    service = DeepDiveService(DemoDeepDiveClient())
    star_id = star_where(refused={synth_detail.FANS})
    dive = service.deep_dive(star_id)
    assert not dive.live and dive.cost_usd == 0 and dive.upstream_calls == 0
    assert dive.fans.status is PartStatus.UNAVAILABLE and dive.fans.reason == "refused"
    assert dive.base.ok and dive.nickname
    assert {p.key for p in dive.parts() if p.ok} >= {PartKey.BASE, PartKey.PRICES, PartKey.CP}


def test_demo_spike_is_flagged_on_its_day() -> None:
    service = DeepDiveService(DemoDeepDiveClient())
    for star_id in synth_detail.demo_star_ids():
        if synth_detail.is_refused(synth_detail.DAILY_FANS, star_id):
            continue
        dive = service.deep_dive(star_id)
        end = dive.daily_fans.data.points[-1].day
        event = synth_detail.follower_event(star_id, end)
        if event and event[1] > 0:
            spike = next(f for f in dive.flags if f.code == "follower_spike")
            assert event[0] in spike.days
            return
    raise AssertionError("no demo creator with a spike")


class Snapshots:
    def __init__(self) -> None:
        self.saved: list[str] = []

    def save(self, dive) -> None:
        self.saved.append(dive.star_id)


def test_finished_dives_go_to_snapshots() -> None:
    snapshots = Snapshots()
    star_id = synth_detail.demo_star_ids()[0]
    DeepDiveService(DemoDeepDiveClient(), snapshots=snapshots).deep_dive(star_id)
    assert snapshots.saved == [star_id]


# -- demo mode: creators of any demo search ------------------------------------------------------


@pytest.fixture
def seen(sessions) -> CreatorSnapshots:
    return CreatorSnapshots(sessions)


def demo_search(snapshots: CreatorSnapshots, text: str) -> list[Creator]:
    """A demo search that stores what it saw, as `Services` wires it."""

    def on_seen(creators, *, live: bool, fetched_at: datetime, from_cache: bool) -> None:
        snapshots.save_many(list(creators), live=live, fetched_at=fetched_at)

    result = SearchService(DemoSource(), on_seen=on_seen).search(parse_query(text))
    return [s.creator for s in result.creators]


def test_demo_details_for_a_creator_of_a_generated_keyword(seen: CreatorSnapshots) -> None:
    creators = demo_search(seen, "咖啡拉花 top=20")  # not a built-in demo keyword: a generated pool
    priced = next(
        c
        for c in creators
        if c.price(Duration.MEDIUM) and c.expected_plays and not synth_detail.is_refused(DAILY, c.star_id)
    )
    assert priced.star_id not in synth_detail.demo_star_ids()
    service = DeepDiveService(DemoDeepDiveClient(seen))
    dive = service.deep_dive(priced.star_id, creator=priced)
    assert dive.base.ok and dive.base.data.nickname == priced.nickname
    assert dive.base.data.followers == priced.followers and dive.base.data.core_user_id == priced.douyin_uid
    assert dive.prices.data.for_duration(Duration.MEDIUM).yuan == priced.price(Duration.MEDIUM)
    assert dive.cp.data.cpm[Duration.MEDIUM] == pytest.approx(priced.cpm(Duration.MEDIUM), abs=0.01)
    assert dive.daily_fans.data.points[-1].followers == priced.followers
    again = service.deep_dive(priced.star_id, creator=priced)
    assert [p.data for p in again.parts()] == [p.data for p in dive.parts()]  # seeded by the star id


def test_a_demo_deep_dive_is_as_old_as_the_demo_search_of_its_creator(seen: CreatorSnapshots) -> None:
    result = SearchService(DemoSource(), on_seen=lambda *a, **k: None).search(parse_query("护肤 top=1"))
    creator = result.creators[0].creator
    dive = DeepDiveService(DemoDeepDiveClient(seen)).deep_dive(creator.star_id, creator=creator)
    assert dive.has_data
    assert dive.fetched_at == result.stats.data_time  # one capture: not "just now" beside "35 days ago"
    assert {p.fetched_at for p in dive.parts() if p.fetched_at} == {result.stats.data_time}


def test_demo_details_stay_unknown_for_ids_no_demo_search_returned(seen: CreatorSnapshots) -> None:
    creator = demo_search(seen, "咖啡拉花 top=1")[0]
    assert not DeepDiveService(DemoDeepDiveClient()).deep_dive(creator.star_id).has_data  # no store
    assert not DeepDiveService(DemoDeepDiveClient(seen)).deep_dive(UNKNOWN_STAR_ID).has_data
    live = creator.model_copy(update={"star_id": "7000000000000000002"})
    seen.save_many([live], live=True, fetched_at=datetime.now(UTC))  # real data gets no synthetic details
    assert not DeepDiveService(DemoDeepDiveClient(seen)).deep_dive(live.star_id).has_data


# -- an id Xingtu rejects (issue 11 §4) --------------------------------------------------------


@pytest.mark.parametrize("fault", [None, Fault.BAD_REQUEST, Fault.NOT_FOUND, Fault.INVALID])
def test_an_id_xingtu_rejects_costs_one_call(tikhub: FakeTikHub, service: DeepDiveService, fault) -> None:
    if fault is not None:
        tikhub.inject(fault, route=synth_detail.BASE_INFO, times=None)
    dive = service.deep_dive(UNKNOWN_STAR_ID)  # fault None: the profile comes back empty
    assert [r.route for r in tikhub.requests] == [synth_detail.BASE_INFO]
    assert not dive.has_data
    assert all(p.status is PartStatus.UNAVAILABLE and p.reason == "not_found" for p in dive.parts())
    assert dive.cost_usd == pytest.approx(ENDPOINT_COST_USD if fault is None else 0.0)  # only 200s bill


def test_a_refused_or_failing_profile_still_asks_the_other_routes(
    tikhub: FakeTikHub, service: DeepDiveService
) -> None:
    star_id = synth_detail.demo_star_ids()[0]
    tikhub.inject(Fault.REFUSED, route=synth_detail.BASE_INFO, times=None)  # 10003: not about the id
    dive = service.deep_dive(star_id)
    assert {r.route for r in tikhub.requests} == set(synth_detail.DETAIL_ROUTES)
    assert dive.base.reason == "refused" and dive.has_data


def test_an_id_a_search_returned_is_fetched_all_at_once(tikhub: FakeTikHub, service: DeepDiveService) -> None:
    star_id = synth_detail.demo_star_ids()[0]
    service.deep_dive(star_id, creator=Creator(star_id=star_id, nickname="x"))
    assert len(tikhub.requests) == len(synth_detail.DETAIL_ROUTES)


def test_a_pasted_page_of_text_is_not_echoed_back_whole() -> None:
    with pytest.raises(QueryError) as caught:
        parse_identifier("1" * 10_000)
    assert len(error_text(caught.value, "en")) < 400


def test_an_outage_names_a_creator_seen_on_a_card_by_its_nickname(
    tikhub: FakeTikHub, seen: CreatorSnapshots
) -> None:
    """Details pressed on a card during an outage: "No data for 是柚子呀", not its 19 digits."""
    star_id = synth_detail.demo_star_ids()[0]
    seen.save_many([Creator(star_id=star_id, nickname="是柚子呀")], live=True, fetched_at=datetime.now(UTC))
    client = TikHubClient(tikhub.settings(tikhub_max_retries=1), sleep=lambda _s: None)
    tikhub.inject(Fault.UNAVAILABLE, times=None)
    with pytest.raises(KolbotError) as err:
        DeepDiveService(client, seen=seen).load(star_id)
    client.close()
    text = error_text(err.value, "en")
    assert "No data could be fetched for “是柚子呀”" in text and star_id not in text.split("(")[0]


def test_a_nickname_two_creators_share_is_refused_with_both_ids(seen: CreatorSnapshots) -> None:
    """A nickname names one creator a card showed; two with that name, and the user picks by id."""
    [first, second, *_] = demo_search(seen, "护肤 top=20")
    twin = second.model_copy(update={"nickname": first.nickname + " 🌸"})  # the same name as typed
    seen.save_many([twin], live=False, fetched_at=datetime.now(UTC))
    service = DeepDiveService(DemoDeepDiveClient(seen), seen=seen)
    with pytest.raises(KolbotError) as caught:
        service.identify(first.nickname)
    text = error_text(caught.value, "en")
    assert first.star_id in text and second.star_id in text and "with the id of the one you mean" in text
    third = demo_search(seen, "护肤 top=20")[2]
    assert service.identify(third.nickname) == CreatorId(IdKind.STAR_ID, third.star_id)


def test_show_takes_a_nickname_with_a_space_typed_without_quotes(seen: CreatorSnapshots) -> None:
    [first, *_] = demo_search(seen, "护肤 top=20")
    service = DeepDiveService(DemoDeepDiveClient(seen), seen=seen)
    name = first.nickname or ""
    halves = [name[: len(name) // 2], name[len(name) // 2 :]]  # `是南风 同学`: two words, one name
    assert service.identify(service.one_creator(halves)) == CreatorId(IdKind.STAR_ID, first.star_id)
    with pytest.raises(QueryError) as two:
        service.one_creator([first.star_id, "7000000000000000009"])
    assert "`show` takes one creator, not 2" in tr("en", two.value.what)
