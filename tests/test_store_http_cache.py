from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bot.db.batch import batched_writes, deferred
from bot.db.tables import HttpCacheRow
from bot.demo.synth import search_body
from bot.sources.cache import EXPIRED_KEPT
from bot.store.http_cache import UNSTORED_KEPT, SqlResponseCache, pack

T0 = datetime(2030, 5, 1, 8, 0, tzinfo=UTC)
BODY = {"code": 200, "data": {"authors": [{"nick_name": "达人甲", "fans": 1200}]}}


def test_get_returns_what_was_set_until_it_expires(sessions) -> None:
    cache = SqlResponseCache(sessions)
    with time_machine.travel(T0, tick=False) as clock:
        cache.set("search_kol_v1?keyword=口红&page=1", BODY, T0, 3600)
        assert cache.get("search_kol_v1?keyword=口红&page=1") == (BODY, T0)
        assert cache.get("search_kol_v1?keyword=口红&page=2") is None
        clock.shift(3601)
        assert cache.get("search_kol_v1?keyword=口红&page=1") is None


def test_set_replaces_the_body_and_prune_drops_only_entries_expired_a_day_ago(sessions) -> None:
    """An expired answer is kept `EXPIRED_KEPT` for More results, then pruned."""
    cache = SqlResponseCache(sessions)
    newer = {"code": 200, "data": {"authors": []}}
    with time_machine.travel(T0, tick=False) as clock:
        cache.set("k", BODY, T0, 60)
        cache.set("short", BODY, T0, 1)
        clock.shift(30)
        cache.set("k", newer, datetime.now(UTC), 60)
        assert cache.get("k") == (newer, datetime.now(UTC))
        assert count_rows(sessions) == 2  # writing no longer scans for expired rows
        assert cache.prune(datetime.now(UTC)) == 0  # "short" expired 29 s ago: kept a day
        assert cache.prune(T0 + timedelta(seconds=1) + EXPIRED_KEPT) == 1
    assert count_rows(sessions) == 1 and cache.get("k") is not None


def count_rows(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(HttpCacheRow))


def test_bodies_are_stored_compressed_and_come_back_whole(sessions) -> None:
    page = search_body("美妆", 1)
    cache = SqlResponseCache(sessions)
    cache.set("page", page, T0, 10**9)
    assert cache.get("page") == (page, T0)
    with sessions() as session:
        stored = session.scalar(select(HttpCacheRow.body))
    plain = len(json.dumps(page, ensure_ascii=False).encode())
    assert stored == pack(page) and len(stored) * 4 < plain  # about 16 KB of 94 KB


def test_evict_over_deletes_the_oldest_entries_until_the_rest_fit(sessions) -> None:
    cache = SqlResponseCache(sessions)
    for minute in range(5):  # five pages, oldest first
        cache.set(f"page{minute}", search_body("美妆", minute + 1), T0 + timedelta(minutes=minute), 10**9)
    sizes = {f"page{m}": len(pack(search_body("美妆", m + 1))) for m in range(5)}
    assert cache.size_bytes() == sum(sizes.values())
    assert cache.evict_over(cache.size_bytes()) == 0  # fits already
    budget = sizes["page4"] + sizes["page3"] + sizes["page2"] // 2  # room for two and a half pages
    assert cache.evict_over(budget) == 3
    assert [k for k in sizes if cache.get(k) is not None] == ["page3", "page4"]
    assert cache.size_bytes() <= budget


def _failing_write(session: object) -> None:
    raise OperationalError("INSERT", {}, Exception("database or disk is full"))


def test_a_paid_answer_storage_failed_to_keep_is_still_served_from_memory(sessions) -> None:
    """The user is asked to try again when storage fails: the retry must not pay TikHub again."""
    if sessions.kw["bind"].dialect.name != "sqlite":
        pytest.skip("answers are batched (and kept in memory until stored) on SQLite only")
    cache = SqlResponseCache(sessions)
    with time_machine.travel(T0, tick=False), pytest.raises(OperationalError), batched_writes():
        cache.set("k", BODY, T0, 3600)
        deferred(sessions, _failing_write, what="the saved search", optional=False)
    with time_machine.travel(T0 + timedelta(seconds=5), tick=False):
        assert count_rows(sessions) == 0 and cache.get("k") == (BODY, T0)
        with batched_writes():
            cache.set("stored", BODY, T0, 3600)
        assert count_rows(sessions) == 1 and cache.get("stored") == (BODY, T0)
    with time_machine.travel(T0 + timedelta(seconds=3601), tick=False):
        assert cache.get("k") is None  # kept only as long as it is fresh


def test_at_most_the_last_unstored_answers_are_kept(sessions) -> None:
    if sessions.kw["bind"].dialect.name != "sqlite":
        pytest.skip("answers are batched on SQLite only")
    cache = SqlResponseCache(sessions)
    with time_machine.travel(T0, tick=False):
        for n in range(UNSTORED_KEPT + 3):
            with pytest.raises(OperationalError), batched_writes():
                cache.set(f"k{n}", BODY, T0, 3600)
                deferred(sessions, _failing_write, what="the saved search", optional=False)
        assert cache.get("k0") is None and cache.get("k2") is None
        assert cache.get("k3") == (BODY, T0) and cache.get(f"k{UNSTORED_KEPT + 2}") == (BODY, T0)


def test_an_answer_whose_own_write_fails_is_kept_in_memory(sessions, monkeypatch) -> None:
    """Disk full on the cache's INSERT: its savepoint rolls back, the batch commits, and the answer
    was dropped as if stored."""
    if sessions.kw["bind"].dialect.name != "sqlite":
        pytest.skip("answers are batched on SQLite only")
    cache = SqlResponseCache(sessions)

    def full(*_args: object, **_kwargs: object) -> bytes:
        raise OperationalError("INSERT", {}, Exception("database or disk is full"))

    with time_machine.travel(T0, tick=False):
        monkeypatch.setattr("bot.store.http_cache.upsert_insert", full)
        with batched_writes():
            cache.set("k", BODY, T0, 3600)
        assert count_rows(sessions) == 0 and cache.get("k") == (BODY, T0)
