from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import time_machine

from bot.store.requests import RequestLedger


def test_first_claim_wins(sessions) -> None:
    ledger = RequestLedger(sessions)
    assert ledger.claim("T1:cmd:abc") is True
    assert ledger.claim("T1:cmd:abc") is False
    assert ledger.claim("T1:cmd:def") is True


def test_exactly_one_of_many_concurrent_claims_wins(sessions) -> None:
    ledger = RequestLedger(sessions)
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda _: ledger.claim("T1:action:retry"), range(10)))
    assert results.count(True) == 1


def test_prune_forgets_only_old_claims(sessions) -> None:
    ledger = RequestLedger(sessions)
    with time_machine.travel("2030-01-01 00:00:00+00:00", tick=False):
        ledger.claim("old")
    with time_machine.travel("2030-01-02 00:00:00+00:00", tick=False):
        ledger.claim("new")
        assert ledger.prune(datetime(2030, 1, 1, 12, tzinfo=UTC)) == 1
        assert ledger.claim("old") is True
        assert ledger.claim("new") is False
