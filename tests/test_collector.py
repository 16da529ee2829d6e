"""The garbage collector as kolbot's long-running processes set it (bot/collector.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot import collector


@pytest.fixture
def restored() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_tune_collects_young_objects_less_often_and_freezes_the_start_up_heap(restored) -> None:
    _young, middle, old = gc.get_threshold()
    alive_at_start_up = [object() for _ in range(10)]
    collector.tune()
    assert gc.get_threshold() == (collector.YOUNG_THRESHOLD, middle, old)
    assert gc.get_freeze_count() >= len(alive_at_start_up)
