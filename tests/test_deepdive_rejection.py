"""`/kol show` on an id Xingtu rejects stops after the first definitive answer (issue 11 §4)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial

import pytest
from slack_bolt import App

from bot.deepdive.models import PartStatus
from bot.deepdive.routes import ENDPOINT_COST_USD
from bot.deepdive.service import DeepDiveService
from bot.demo import synth_detail
from bot.models import Creator
from bot.services import build_services
from bot.sources.tikhub import TikHubClient
from handlers.app import build_app
from tests.fakes.signing import SlackRequests
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_app import slack_values
from tests.fakes.tikhub_server import FakeTikHub, Fault

UNKNOWN = "7000000000000000001"


@pytest.fixture
def tikhub() -> Iterator[FakeTikHub]:
    with FakeTikHub() as fake:
        for route in synth_detail.DETAIL_ROUTES + synth_detail.LOOKUP_ROUTES:
            fake.add_route(route, partial(synth_detail.detail_data, route))
        yield fake


@pytest.fixture
def service(tikhub: FakeTikHub) -> Iterator[DeepDiveService]:
    client = TikHubClient(tikhub.settings(tikhub_max_retries=0), sleep=lambda _s: None)
    yield DeepDiveService(client)
    client.close()


@pytest.mark.parametrize("fault", [None, Fault.BAD_REQUEST, Fault.NOT_FOUND, Fault.INVALID])
def test_an_id_xingtu_rejects_costs_one_call(tikhub: FakeTikHub, service: DeepDiveService, fault) -> None:
    if fault is not None:
        tikhub.inject(fault, route=synth_detail.BASE_INFO, times=None)
    dive = service.deep_dive(UNKNOWN)  # fault None: the profile comes back empty
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


@pytest.fixture
def live_app(tikhub: FakeTikHub) -> Iterator[tuple[App, FakeSlackApi, SlackRequests]]:
    with FakeSlackApi() as slack:
        settings = tikhub.settings(**slack_values(slack, tikhub_max_retries=0, tikhub_rate_limit_per_s=1000))
        services = build_services(settings)
        from tests.fakes.slack_app import SECRET

        yield (
            build_app(settings, services=services),
            slack,
            SlackRequests(SECRET, response_url=slack.response_url()),
        )
        services.close()


def test_show_on_a_rejected_id_says_check_the_id_not_try_again(tikhub: FakeTikHub, live_app) -> None:
    app, slack, requests = live_app
    tikhub.inject(Fault.BAD_REQUEST, route=synth_detail.BASE_INFO, times=None)
    assert app.dispatch(requests.command(f"show {UNKNOWN} lang=en").bolt()).status == 200
    [answer] = slack.wait_for_calls("response")
    text = json.dumps(answer.body, ensure_ascii=False)
    assert "has no data" in text and "Check the id" in text
    assert "few minutes" not in text
    assert tikhub.calls == 1
