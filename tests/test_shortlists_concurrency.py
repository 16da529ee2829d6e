"""No lost updates: many users changing one shortlist at once, each change persisted exactly once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from bot.shortlists.models import AuditAction, ItemStatus
from bot.shortlists.service import ShortlistService
from bot.store.snapshots import CreatorSnapshots

WORKERS = 20
T0 = datetime(2030, 6, 1, tzinfo=UTC)


def test_twenty_concurrent_users_lose_nothing(sessions, make_creator) -> None:
    snapshots = CreatorSnapshots(sessions)
    creators = [make_creator(f"c{i}", price_21_60=1_000 + i, expected_plays=10_000) for i in range(WORKERS)]
    snapshots.save_many([*creators, make_creator("base"), make_creator("hot")], live=True, fetched_at=T0)
    service = ShortlistService(sessions, snapshots)
    sl = service.create("T1", "C1", "U0", "launch", budget_yuan=1_000_000)
    service.add("T1", sl.short_id, "U0", ["base"])

    def one_user(i: int) -> list[str]:
        user = f"U{i + 1}"
        added = service.add("T1", sl.short_id, user, [f"c{i}", "base", "hot"]).added
        service.vote("T1", sl.short_id, user, "base", 1 if i % 4 else -1)
        service.set_status("T1", sl.short_id, user, f"c{i}", ItemStatus.APPROVED)
        service.set_quote("T1", sl.short_id, user, f"c{i}", 1_000, 10)
        return [item.star_id for item in added]

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        added = [star_id for ids in pool.map(one_user, range(WORKERS)) for star_id in ids]

    assert sorted(added) == sorted([f"c{i}" for i in range(WORKERS)] + ["hot"])  # "hot" added once

    summary = service.summary("T1", sl.short_id)
    assert summary.creator_count == WORKERS + 2
    assert (summary.votes_up, summary.votes_down) == (15, 5)
    assert summary.status_counts[ItemStatus.APPROVED] == WORKERS
    assert summary.status_counts[ItemStatus.PROPOSED] == 2
    assert summary.quoted_count == WORKERS
    assert summary.total_quoted_yuan == WORKERS * 900
    assert summary.total_list_yuan == sum(1_000 + i for i in range(WORKERS)) + 2 * 10_000
    assert summary.remaining_budget_yuan == 1_000_000 - WORKERS * 900 - 2 * 10_000
    actions = [e.action for e in service.history("T1", sl.short_id, limit=1000)]
    assert actions.count(AuditAction.ADD) == WORKERS + 2
    assert actions.count(AuditAction.VOTE) == WORKERS
    assert actions.count(AuditAction.STATUS) == WORKERS
    assert actions.count(AuditAction.QUOTE) == WORKERS
