"""The contract between the cards and the handlers: every action id, and every button or option value.

A template names an action with `ActionId` (a Jinja global) and places a value model, e.g.
`"value":{{ CardValue(short_id=s.short_id, star_id=item.star_id) }}`; the template environment encodes
it (`ActionValue.encode`). The listener for that action decodes the same model
(`CardValue.decode(action["value"])`), so both sides agree on the fields by construction.

Encoding: `v1:` followed by the fields in declaration order, percent-quoted and joined with `|`
(an absent optional field is empty): `v1:ab12cd|7123`. It is checked against Slack's limits when
rendered (2,000 characters for a button, 150 for a menu option). A value that does not decode (a card
posted before this encoding, or a forged payload) is refused with `out_of_date`, never a crash.

Values carry ids only; every lookup a handler makes with them uses the acting user's workspace.
"""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import ClassVar, Literal, Self
from urllib.parse import quote, unquote

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.errors import KolbotError
from bot.i18n import Text
from bot.models import SortKey
from bot.planner.request import MAX_BUDGET_YUAN, MIN_BUDGET_YUAN
from bot.shortlists.models import ItemStatus
from bot.sources.extents import PAGE_SIZE

VERSION = "v1:"
_SEPARATOR = "|"


class ActionId(StrEnum):
    """Every `action_id` on a card kolbot posts; the value model each one carries is noted."""

    DETAILS = "kol_details"  # DetailsValue
    ADD_TO_SHORTLIST = "kol_add_to_shortlist"  # AddToShortlistValue
    MORE = "kol_more"  # PageValue
    SORT = "kol_sort"  # SortValue (menu option)
    EDIT_SEARCH = "kol_edit_search"  # SearchValue
    SHORTLIST_NEW = "kol_sl_new"  # SearchValue
    VOTE_UP = "kol_sl_vote_up"  # CardValue
    VOTE_DOWN = "kol_sl_vote_down"  # CardValue
    STATUS = "kol_sl_status"  # StatusValue (menu option)
    EDIT = "kol_sl_edit"  # CardValue
    COMPARE_SHORTLIST = "kol_compare_shortlist"  # ShortlistValue
    PLAN_OPEN = "kol_plan_open"  # PlanSourceValue
    PLAN_RESOLVE = "kol_plan_resolve"  # ResolveValue; numbered `kol_plan_resolve_1`… on a card
    PLAN_ADD = "kol_plan_add"  # PlanValue
    HOME_FORM = "kol_home_form"  # no value
    HOME_RERUN = "kol_home_rerun"  # SearchValue
    HOME_EDIT = "kol_home_edit"  # SearchValue
    SCREEN_RUN = "kol_screen_run"  # ScreenValue
    SCREEN_SKIP = "kol_screen_skip"  # ScreenValue


def out_of_date() -> KolbotError:
    return KolbotError(
        Text("This button is out of date."),
        hint=Text("Run the command again for a fresh card."),
    )


class ActionValue(BaseModel):
    """A button's value: ids only, encoded compactly (see the module docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_length: ClassVar[int] = 2000  # Slack's limit for a button value

    def encode(self) -> str:
        fields = [getattr(self, name) for name in type(self).model_fields]
        raw = VERSION + _SEPARATOR.join("" if f is None else quote(_text(f), safe="") for f in fields)
        if len(raw) > self.max_length:
            raise ValueError(f"{type(self).__name__} is {len(raw)} characters, over {self.max_length}")
        return raw

    @classmethod
    def decode(cls, raw: object) -> Self:
        """The value a card was rendered with; `out_of_date` when `raw` is anything else."""
        if not isinstance(raw, str) or not raw.startswith(VERSION) or len(raw) > cls.max_length:
            raise out_of_date()
        parts = raw.removeprefix(VERSION).split(_SEPARATOR)
        names = list(cls.model_fields)
        added = names[len(parts) :]  # fields added since the card was posted: their defaults
        if len(parts) > len(names) or any(cls.model_fields[n].is_required() for n in added):
            raise out_of_date()
        parts += [""] * len(added)
        try:
            return cls.model_validate(
                {n: unquote(p) if p else None for n, p in zip(names, parts, strict=True)}
            )
        except ValidationError:
            raise out_of_date() from None


class OptionValue(ActionValue):
    """A menu option's value."""

    max_length: ClassVar[int] = 150  # Slack's limit for an option value


def _text(field: object) -> str:
    return str(field.value) if isinstance(field, Enum) else str(field)


class DetailsValue(ActionValue):
    """*Details* on a results or screen card: the creator and the search it came from."""

    star_id: str
    search_ref: str


class AddToShortlistValue(ActionValue):
    """*Add to shortlist* on a result or deep-dive card; the search (if any) gives the video length."""

    star_id: str
    search_ref: str | None = None


# Bounds of what a card can carry; a value beyond them was not written by kolbot (out of date).
MOST_PAGES = 500  # search pages a list can have been continued over (10,000 creators)
ROW_ID_MAX = 2**63 - 1  # a database id (BIGINT)


class PageValue(ActionValue):
    """*More results*: the search, the first page not fetched yet, and how many of the ranked list the
    earlier cards showed (None on a card from before it was carried: that card's top)."""

    search_ref: str
    start: int = Field(ge=1, le=MOST_PAGES)
    shown: int | None = Field(default=None, ge=0, le=MOST_PAGES * PAGE_SIZE)


class SortValue(OptionValue):
    """An option of the results card's sort menu."""

    search_ref: str
    sort: SortKey


class SearchValue(ActionValue):
    """A saved search: *Edit search*, *New shortlist* (for its video length), *Re-run* on the home tab."""

    search_ref: str


class CardValue(ActionValue):
    """A creator's card in a shortlist's thread: 👍, 👎 and *Quote & note*."""

    short_id: str
    star_id: str


class StatusValue(CardValue):
    """An option of a thread card's status menu: the card and the status it sets."""

    max_length: ClassVar[int] = OptionValue.max_length

    status: ItemStatus


class ShortlistValue(ActionValue):
    """*Compare* on a shortlist's parent message."""

    short_id: str


class PlanSourceValue(ActionValue):
    """*Plan budget*, over a shortlist (`sl`) or a saved search (`search`)."""

    kind: Literal["sl", "search"]
    ref: str


class ResolveValue(ActionValue):
    """*Re-solve* on a plan card: the plan and the budget to solve it at."""

    plan_id: int = Field(ge=1, le=ROW_ID_MAX)
    budget_yuan: int = Field(ge=MIN_BUDGET_YUAN, le=MAX_BUDGET_YUAN)


class PlanValue(ActionValue):
    """*Add plan to shortlist* on a plan card."""

    plan_id: int = Field(ge=1, le=ROW_ID_MAX)


class ScreenValue(ActionValue):
    """*Screen* / *Skip* on an audience-screen prompt: the search and how many creators it screens."""

    search_ref: str
    count: int


TEMPLATE_GLOBALS: dict[str, object] = {
    "ActionId": ActionId,
    **{
        model.__name__: model
        for model in (
            DetailsValue,
            AddToShortlistValue,
            PageValue,
            SortValue,
            SearchValue,
            CardValue,
            StatusValue,
            ShortlistValue,
            PlanSourceValue,
            ResolveValue,
            PlanValue,
            ScreenValue,
        )
    },
}
