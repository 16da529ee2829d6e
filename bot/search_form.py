"""The search form (`/kol` with no text, the "Find creators / 找达人" shortcut) as a one-line query.

The form is only another way to type a query: `form_query` writes the fields as the grammar's
canonical text (`护肤 followers=10w-50w duration=21-60 price<=2万 cpm<=60 goal=conversion`) and
parses it with the same `parse_query` as typed searches, so both run the same search and the card
can show the line to type next time. Each field is checked on its own first, so a bad value is
reported under its field (`FormErrors.errors`, keyed by the field's block id).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from bot import vocabulary as vocab
from bot.errors import KolbotError, QueryError
from bot.i18n import Text
from bot.models import Duration, Gender, Goal, Query, SortKey
from bot.xingtu_tags import LEVEL_ONE, LEVEL_TWO

# Xingtu's follower brackets: (value, label, grammar filter).
# The labels are numbers in 万 (10⁴), as Xingtu writes them in either language.
_W = vocab.WAN
FOLLOWER_BRACKETS: tuple[tuple[str, str, str], ...] = (
    ("lt1w", f"< 1{_W}", "followers<1w"),
    ("1w-10w", f"1{_W}–10{_W}", "followers=1w-10w"),
    ("10w-50w", f"10{_W}–50{_W}", "followers=10w-50w"),
    ("50w-100w", f"50{_W}–100{_W}", "followers=50w-100w"),
    ("100w-500w", f"100{_W}–500{_W}", "followers=100w-500w"),
    ("500w-1000w", f"500{_W}–1000{_W}", "followers=500w-1000w"),
    ("1000w+", f"≥ 1000{_W}", "followers>=1000w"),
)
_BRACKET_FILTER = {value: text for value, _, text in FOLLOWER_BRACKETS}
# Number fields: block id -> (the filter they become, an example value, the unit written after it).
_LIMITS = {
    "max_price": ("price<=", f"5000 / 2{_W}", ""),
    "max_cpm": ("cpm<=", "60", ""),
    "max_cpe": ("cpe<=", "2", ""),
    "min_er": ("er>=", "3%", "%"),
}
_PROBE = "kw"  # a stand-in keyword for checking one filter on its own
_NOT_A_VALUE = vocab.NOT_A_VALUE


def tag_groups() -> list[tuple[str, list[str]]]:
    """The Xingtu tag table for a multi-select: each level-1 tag with its level-2 tags, names unique."""
    seen: set[str] = set()
    groups = []
    for level1, name in LEVEL_ONE.items():
        names = [n for n in (name, *LEVEL_TWO.get(level1, {}).values()) if n not in seen]
        seen.update(names)
        groups.append((name, names))
    return groups


@dataclass(frozen=True)
class SearchForm:
    """What the modal's fields hold (empty string / list = left blank)."""

    keyword: str = ""
    followers: str = ""  # a `FOLLOWER_BRACKETS` value
    followers_custom: str = ""  # "20w-80w", "30w+" or "30w" (at least)
    duration: str = ""
    max_price: str = ""
    max_cpm: str = ""
    max_cpe: str = ""
    min_er: str = ""
    goal: str = ""
    tags: Sequence[str] = field(default_factory=tuple)
    region: str = ""
    gender: str = ""
    sort: str = ""


class FormErrors(Exception):
    """Bad fields: block id -> the problem, shown under the field."""

    def __init__(self, errors: dict[str, KolbotError]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors

    def messages(self) -> dict[str, Text]:
        """What to show under each field: the problem only (a grammar error's usage is too long)."""
        return {block: err.what for block, err in self.errors.items()}


def _error(what: Text) -> KolbotError:
    return KolbotError(what)


def _value(text: str, example: str) -> str:
    """One value as typed; refused when it holds spaces, quotes or operators (another filter)."""
    value = text.strip()
    if _NOT_A_VALUE.search(value):
        raise _error(Text("Type just one value here, e.g. %(example)s.", example=example))
    return value


def _keyword(text: str) -> str:
    words = text.replace('"', " ").replace("“", " ").replace("”", " ").split()
    if not words:
        raise _error(Text("Type a keyword, e.g. %(keyword)s or skincare.", keyword=vocab.EXAMPLE_KEYWORD))
    phrase = " ".join(words)
    return f'"{phrase}"' if len(words) > 1 else phrase


def _followers(form: SearchForm) -> str | None:
    custom = form.followers_custom.strip().replace(" ", "")
    if custom and form.followers:
        raise _error(Text("Choose a bracket or type a range, not both."))
    if form.followers:
        return _BRACKET_FILTER.get(form.followers)
    if not custom:
        return None
    value = _value(custom, "20w-80w / 30w+")
    if value.endswith(("+", vocab.ABOVE)):
        return f"followers>={value.removesuffix('+').removesuffix(vocab.ABOVE)}"
    if re.search(vocab.RANGE_DASH, value[1:]):
        return f"followers={value}"
    return f"followers>={value}"


def _limit(raw: str, prefix: str, example: str, unit: str) -> str | None:
    """`cpm<=60`; `er>=3%` (a percentage field gets its % written out, as the README teaches)."""
    if not raw:
        return None
    value = _value(raw, example)
    return prefix + (value if value.endswith(unit) else value + unit)


def _region(text: str) -> str | None:
    places = [p.strip() for p in vocab.PLACE_SEP.split(text) if p.strip()]
    if not places:
        return None
    return "city=" + ",".join(_value(p, vocab.EXAMPLE_PLACES) for p in places)


def _choice(value: str, allowed: type[Duration] | type[Goal] | type[SortKey] | type[Gender]) -> str | None:
    return value if value in {m.value for m in allowed} else None


def _fragments(form: SearchForm) -> tuple[dict[str, str | None], dict[str, KolbotError]]:
    """Each field as grammar text (None when blank), and the fields that could not be written."""
    out: dict[str, str | None] = {}
    errors: dict[str, KolbotError] = {}

    def put(block: str, make: Callable[[], str | None]) -> None:
        try:
            out[block] = make()
        except KolbotError as err:
            errors[block] = err

    put("keyword", lambda: _keyword(form.keyword))
    put("followers_custom", lambda: _followers(form))
    duration = _choice(form.duration, Duration)
    priced = any(getattr(form, block).strip() for block in ("max_price", "max_cpm", "max_cpe"))
    out["duration"] = f"duration={duration}" if duration and (priced or duration != Duration.MEDIUM) else None
    for block, (prefix, example, unit) in _LIMITS.items():
        put(block, partial(_limit, getattr(form, block).strip(), prefix, example, unit))
    known_tags = {n for _, names in tag_groups() for n in names}
    tags = [t for t in form.tags if t in known_tags]
    out["tags"] = "tag=" + ",".join(tags) if tags else None
    put("region", lambda: _region(form.region))
    gender = _choice(form.gender, Gender)
    out["gender"] = f"gender={gender}" if gender and gender != Gender.UNKNOWN else None
    goal = _choice(form.goal, Goal)
    out["goal"] = f"goal={goal}" if goal and goal != Goal.SEEDING else None
    sort = _choice(form.sort, SortKey)
    out["sort"] = f"sort={sort}" if sort and sort != SortKey.SCORE else None
    return out, errors


@dataclass(frozen=True)
class FormQuery:
    text: str  # the one-line query, as a user would type it after the command
    query: Query


def form_query(form: SearchForm, parse: Callable[[str], Query]) -> FormQuery:
    """The form as a one-line query, parsed; `FormErrors` names every bad field."""
    fragments, errors = _fragments(form)
    for block, fragment in fragments.items():
        if fragment is None or block in errors:
            continue
        try:
            parse(fragment if block == "keyword" else f"{_PROBE} {fragment}")
        except QueryError as err:
            errors[block] = err
    text = " ".join(f for f in fragments.values() if f)
    if not errors:
        try:
            return FormQuery(text, parse(text))
        except QueryError as err:
            errors["keyword"] = err  # the line as a whole is refused (e.g. too long)
    raise FormErrors(errors)
