from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.shortlists.models import ItemStatus
from bot.shortlists.service import ShortlistService
from bot.store.snapshots import CreatorSnapshots

T0 = datetime(2030, 6, 1, tzinfo=UTC)


@pytest.fixture
def service(sessions, make_creator) -> ShortlistService:
    snapshots = CreatorSnapshots(sessions)
    snapshots.save_many(
        [
            make_creator("a", price_21_60=10_000, expected_plays=100_000, interact_rate=0.05),
            make_creator("b", price_21_60=20_000, expected_plays=400_000, interact_rate=0.02),
            make_creator("c", price_21_60=None, expected_plays=50_000, interact_rate=0.04),
            make_creator("d", price_21_60=5_000, expected_plays=None),
            make_creator("e", price_21_60=30_000, expected_plays=100_000),
        ],
        live=True,
        fetched_at=T0,
    )
    return ShortlistService(sessions, snapshots)


def test_summary_totals_are_exact(service) -> None:
    sl = service.create("T1", "C1", "U1", "Q3", budget_yuan="10万")
    service.add("T1", sl.short_id, "U1", ["a", "b", "c", "d", "e"])
    service.set_status("T1", sl.short_id, "U1", "a", "approved")
    service.set_quote("T1", sl.short_id, "U1", "a", 8_000, 10)  # net 7,200
    service.set_quote("T1", sl.short_id, "U1", "d", 4_000)  # no rebate: net 4,000
    service.set_status("T1", sl.short_id, "U1", "e", "rejected")  # left out of money and plays
    service.set_quote("T1", sl.short_id, "U1", "e", 1)
    service.vote("T1", sl.short_id, "U1", "a", 1)
    service.vote("T1", sl.short_id, "U2", "a", 1)
    service.vote("T1", sl.short_id, "U1", "b", -1)

    s = service.summary("T1", sl.short_id)
    assert s.creator_count == 5
    assert s.status_counts == {
        ItemStatus.PROPOSED: 3,
        ItemStatus.APPROVED: 1,
        ItemStatus.REJECTED: 1,
        ItemStatus.CONTACTED: 0,
        ItemStatus.BOOKED: 0,
    }
    assert (s.votes_up, s.votes_down) == (2, 1)
    assert s.unknown_price_count == 1
    assert s.total_list_yuan == 35_000
    assert (s.quoted_count, s.total_quoted_yuan) == (2, pytest.approx(11_200))
    assert s.planned_yuan == pytest.approx(7_200 + 20_000 + 4_000)
    assert s.remaining_budget_yuan == pytest.approx(100_000 - 31_200)
    assert s.total_expected_plays == 550_000
    assert s.total_expected_engagements == pytest.approx(5_000 + 8_000 + 2_000)
    assert s.blended_cpm_yuan == pytest.approx(30_000 / 500_000 * 1000)
    assert s.blended_cpe_yuan == pytest.approx(30_000 / 13_000)
    a = s.items[0]
    assert (a.cpm_yuan, a.cpe_yuan, a.votes_up) == (pytest.approx(100), pytest.approx(2), 2)


def test_summary_of_an_empty_shortlist_without_budget_knows_nothing(service) -> None:
    sl = service.create("T1", "C1", "U1", "empty")
    s = service.summary("T1", sl.short_id)
    assert (s.creator_count, s.total_list_yuan, s.total_expected_plays) == (0, 0, 0)
    assert (s.remaining_budget_yuan, s.blended_cpm_yuan, s.blended_cpe_yuan) == (None, None, None)


def test_summary_uses_the_shortlist_duration(service) -> None:
    sl = service.create("T1", "C1", "U1", "short videos", duration="1-20")
    service.add("T1", sl.short_id, "U1", ["a"])
    s = service.summary("T1", sl.short_id)
    assert (s.items[0].list_price_yuan, s.unknown_price_count, s.total_list_yuan) == (None, 1, 0)


def test_the_blended_cpe_agrees_with_the_cards_cpe_when_xingtu_gives_its_own(sessions, make_creator) -> None:
    """Xingtu's CPE is not plays × engagement rate: the blend uses the engagements the card's CPE
    implies, so one creator's blend is its CPE and two creators' lies between theirs."""
    from bot.models import Duration

    own = make_creator("x", price_21_60=68_000, expected_plays=1_188_000, interact_rate=0.038)
    own.upstream_cpe = {Duration.MEDIUM: 1.46}  # plays × rate would give 1.51
    other = make_creator("y", price_21_60=20_000, expected_plays=400_000, interact_rate=0.02)
    other.upstream_cpe = {Duration.MEDIUM: 1.22}
    snapshots = CreatorSnapshots(sessions)
    snapshots.save_many([own, other], live=True, fetched_at=T0)
    service = ShortlistService(sessions, snapshots)
    sl = service.create("T1", "C1", "U1", "618")
    service.add("T1", sl.short_id, "U1", ["x"])
    assert service.summary("T1", sl.short_id).blended_cpe_yuan == pytest.approx(1.46)
    service.add("T1", sl.short_id, "U1", ["y"])
    assert 1.22 < service.summary("T1", sl.short_id).blended_cpe_yuan < 1.46
