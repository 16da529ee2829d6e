from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from sqlalchemy import func, select

from bot.db.tables import HttpCacheRow
from bot.store.http_cache import SqlResponseCache

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


def test_set_replaces_the_body_and_prune_drops_only_expired_entries(sessions) -> None:
    cache = SqlResponseCache(sessions)
    newer = {"code": 200, "data": {"authors": []}}
    with time_machine.travel(T0, tick=False) as clock:
        cache.set("k", BODY, T0, 60)
        cache.set("short", BODY, T0, 1)
        clock.shift(30)
        cache.set("k", newer, datetime.now(UTC), 60)
        assert cache.get("k") == (newer, datetime.now(UTC))
        assert count_rows(sessions) == 2  # writing no longer scans for expired rows
        assert cache.prune(datetime.now(UTC)) == 1
    assert count_rows(sessions) == 1 and cache.get("k") is not None


def count_rows(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(HttpCacheRow))
