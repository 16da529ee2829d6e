"""The card ↔ handler contract: every button value round-trips, stays in Slack's limits, and anything
else (an older card, a forged payload) is refused as out of date instead of crashing."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import cast

import pytest
from slack_bolt import App

from bot.cards.actions import (
    TEMPLATE_GLOBALS,
    ActionId,
    ActionValue,
    AddToShortlistValue,
    CardValue,
    DetailsValue,
    OptionValue,
    PageValue,
    PlanSourceValue,
    PlanValue,
    ResolveValue,
    ScreenValue,
    SearchValue,
    ShortlistValue,
    SortValue,
    StatusValue,
)
from bot.errors import KolbotError
from bot.i18n import tr
from bot.models import SortKey
from bot.shortlists.models import ItemStatus
from handlers.actions import register

SAMPLES: list[ActionValue] = [
    DetailsValue(star_id="7000000000000000001", search_ref="s42"),
    AddToShortlistValue(star_id="7000000000000000001", search_ref="s42"),
    AddToShortlistValue(star_id="7000000000000000001"),
    PageValue(search_ref="s42", start=3),
    SortValue(search_ref="s42", sort=SortKey.CPM),
    SearchValue(search_ref="s42"),
    CardValue(short_id="abc234", star_id="7000000000000000001"),
    StatusValue(short_id="abc234", star_id="7000000000000000001", status=ItemStatus.BOOKED),
    ShortlistValue(short_id="abc234"),
    PlanSourceValue(kind="sl", ref="abc234"),
    PlanSourceValue(kind="search", ref="s42"),
    ResolveValue(plan_id=7, budget_yuan=5000),
    PlanValue(plan_id=7),
    ScreenValue(search_ref="s42", count=20),
]


def _models(base: type[ActionValue]) -> set[type[ActionValue]]:
    found: set[type[ActionValue]] = set()
    for sub in base.__subclasses__():
        found |= {sub, *_models(sub)}
    return found


def test_every_value_model_is_sampled_and_offered_to_the_templates() -> None:
    models = _models(ActionValue) - {OptionValue}
    assert {type(s) for s in SAMPLES} == models
    assert {m.__name__ for m in models} | {"ActionId"} == set(TEMPLATE_GLOBALS)


@pytest.mark.parametrize("value", SAMPLES, ids=lambda v: type(v).__name__)
def test_every_value_round_trips_compactly(value: ActionValue) -> None:
    raw = value.encode()
    assert raw.startswith("v1:") and len(raw) <= type(value).max_length
    assert type(value).decode(raw) == value


def test_separators_and_quoting_inside_a_field_round_trip() -> None:
    odd = SearchValue(search_ref="a|b:c%d 你")
    assert SearchValue.decode(odd.encode()) == odd


def test_options_keep_to_slacks_shorter_limit() -> None:
    assert SortValue.max_length == StatusValue.max_length == 150
    assert DetailsValue.max_length == 2000
    with pytest.raises(ValueError, match="over 150"):
        SortValue(search_ref="x" * 150, sort=SortKey.CPM).encode()
    with pytest.raises(ValueError, match="over 2000"):
        SearchValue(search_ref="x" * 2000).encode()


@pytest.mark.parametrize(
    ("model", "raw"),
    [
        (PageValue, "s42:3"),  # a card from before the versioned encoding
        (CardValue, "abc234:7000000000000000001"),
        (StatusValue, "abc234:7000000000000000001:booked"),
        (PageValue, "v1:s42|zero"),
        (PageValue, "v1:s42|0"),
        (PageValue, "v1:s42"),
        (SortValue, "v1:s42|cheapest"),
        (StatusValue, "v1:abc234|7000000000000000001|lost"),
        (ResolveValue, "v1:7|-5"),
        (PlanSourceValue, "v1:plan|7"),
        (CardValue, "v1:|7000000000000000001"),
        (SearchValue, "v2:s42"),
        (SearchValue, None),
        (SearchValue, ""),
        (SearchValue, "v1:" + "x" * 2000),
    ],
)
def test_anything_else_is_out_of_date(model: type[ActionValue], raw: str | None) -> None:
    with pytest.raises(KolbotError) as caught:
        model.decode(raw)
    assert tr("en", caught.value.what) == "This button is out of date."
    assert tr("en", caught.value.hint) == "Run the command again for a fresh card."


class _Recorder:
    """Stands in for the Bolt app: records what `handlers.actions.register` listens for."""

    def __init__(self) -> None:
        self.constraints: list[str | re.Pattern[str]] = []

    def action(self, constraint: str | re.Pattern[str]) -> Callable[[object], object]:
        self.constraints.append(constraint)
        return lambda listener: listener


def test_every_action_id_has_a_listener() -> None:
    recorder = _Recorder()
    register(cast(App, recorder))
    for action in ActionId:
        name = f"{action}_1" if action is ActionId.PLAN_RESOLVE else action
        assert any(c == name if isinstance(c, str) else c.match(name) for c in recorder.constraints), action


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        (PageValue, "v1:s1|1000000000|10"),  # More results from page 10⁹: a billion pools to rank
        (PageValue, "v1:s1|2|100000000"),
        (ResolveValue, f"v1:1|{10**30}"),  # a plan for ¥10²² 亿
        (ResolveValue, f"v1:{2**63}|20000"),  # an id no database row has
        (PlanValue, f"v1:{2**64}"),
    ],
)
def test_values_beyond_what_a_card_carries_are_out_of_date(kind: type[ActionValue], raw: str) -> None:
    with pytest.raises(KolbotError) as refused:
        kind.decode(raw)
    assert tr("en", refused.value.what) == "This button is out of date."
