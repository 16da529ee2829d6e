from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from bot.store.snapshots import CreatorSnapshots

T0 = datetime(2030, 5, 1, 8, 0, tzinfo=UTC)


def test_save_and_get_round_trip_the_creator(make_creator, sessions) -> None:
    snapshots = CreatorSnapshots(sessions)
    creator = make_creator("s1", followers=123_456, price_21_60=8_800)
    snapshots.save_many([creator], live=True, fetched_at=T0)
    snap = snapshots.get("s1")
    assert snap is not None
    assert snap.creator == creator
    assert (snap.live, snap.fetched_at) == (True, T0)
    assert snapshots.get("unknown") is None


def test_newer_fetch_replaces_older_but_not_the_reverse(make_creator, sessions) -> None:
    snapshots = CreatorSnapshots(sessions)
    snapshots.save_many([make_creator("s1", followers=1)], live=True, fetched_at=T0)
    snapshots.save_many([make_creator("s1", followers=2)], live=True, fetched_at=T0 + timedelta(hours=1))
    snapshots.save_many([make_creator("s1", followers=3)], live=True, fetched_at=T0 - timedelta(hours=1))
    snap = snapshots.get("s1")
    assert snap.creator.followers == 2
    assert snap.fetched_at == T0 + timedelta(hours=1)


def test_live_and_demo_are_kept_apart_and_live_is_preferred(make_creator, sessions) -> None:
    snapshots = CreatorSnapshots(sessions)
    snapshots.save_many([make_creator("s1", followers=10)], live=False, fetched_at=T0)
    assert snapshots.get("s1").live is False
    snapshots.save_many([make_creator("s1", followers=20)], live=True, fetched_at=T0)
    snap = snapshots.get("s1")
    assert (snap.live, snap.creator.followers) == (True, 20)


def test_two_hundred_creators_take_a_constant_number_of_statements(make_creator, sessions) -> None:
    snapshots = CreatorSnapshots(sessions)
    statements: list[str] = []
    engine = sessions.kw["bind"]
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    snapshots.save_many([make_creator(f"s{i}") for i in range(200)], live=True, fetched_at=T0)
    snapshots.save_many([make_creator(f"s{i}") for i in range(200)], live=True, fetched_at=T0)
    found = snapshots.get_many([f"s{i}" for i in range(0, 250, 10)])
    assert len(found) == 20
    assert len([s for s in statements if s.lstrip().upper().startswith("INSERT")]) == 2
    assert len(statements) <= 8
