"""Answers read back from the (compressed) response cache carry everything the parsers use: a
second process on the same database repeats a search and a deep-dive without a TikHub call and
gets the same results, recent works included."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.services import build_services
from bot.settings import Settings
from tests.fakes.tikhub_server import FakeTikHub


@pytest.fixture
def tikhub() -> Iterator[FakeTikHub]:
    with FakeTikHub() as fake:
        yield fake.serve_details()


def search_and_dive(settings: Settings) -> tuple[list[tuple[str, float | None]], list, list[str]]:
    services = build_services(settings)
    try:
        result = services.search.search(services.parse_query("护肤 pages=2"))
        star_id = result.creators[0].creator.star_id
        dive, creator = services.deepdive.load(star_id)
        parts = [(p.key, p.status, p.data) for p in dive.parts()]  # what the parsers made of each route
        works = [item.item_id for item in creator.recent_works()] if creator else []
        return [(s.creator.star_id, s.score) for s in result.creators], [*parts, dive.flags], works
    finally:
        services.close()


def test_a_search_and_a_deep_dive_from_cached_bodies_match_the_paid_ones(tikhub: FakeTikHub) -> None:
    settings = tikhub.settings()
    paid = search_and_dive(settings)
    calls = tikhub.calls
    assert calls > 2 and paid[2]  # pages and deep-dive routes were fetched; the creator has recent works
    assert search_and_dive(settings) == paid
    assert tikhub.calls == calls  # all from the cache
