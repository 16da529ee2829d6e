"""Audience targets as typed in a search, `/kol show` or the CLI: `audience_gender=female>=70%`,
`audience_age=18-30`, `audience_city_tier=1-2`, read once into `bot.models.AudienceTargets`.

Each target has a minimum share of the audience (default 50 %, or `>=N%` after the value).
City tiers: 一线 = 1, 新一线 = 1.5 (inside `1-2`, outside `1` and `2-5`), 二线 = 2 … 五线 = 5; tiers
may be written as words too (`受众城市=二线`, `一线-二线`, `二线及以上` = 1-2). Chinese names work as
well (`受众性别=女>=70%`, `受众年龄=18-23`, `受众城市=二线`). `screen=N` (`筛查=N`) sets how many top
candidates a search screens by audience portrait (`bot.screen`; default 20, at most 50).
Names and words may be typed in Traditional Chinese too (`受眾城市=二線`); a refusal quotes the
target as typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot import vocabulary as vocab
from bot.chinese import simplified
from bot.errors import QueryError
from bot.i18n import Text
from bot.models import (
    CITY_TIERS,
    DEFAULT_MIN_SHARE,
    MAX_SCREEN,
    AudienceTarget,
    AudienceTargets,
    Gender,
    GenderTarget,
    RangeTarget,
    TargetKind,
)

MIN_AGE, MAX_AGE = 0, 120

_GENDER_WORDS = {word: Gender(value) for word, value in vocab.AUDIENCE_GENDER_WORDS.items()}
_SHARE = r"(?:\s*>=\s*(?P<share>\d+(?:\.\d+)?)\s*%?)?"
_GENDER = re.compile(rf"(?P<value>{'|'.join(vocab.AUDIENCE_GENDER_WORDS)}){_SHARE}", re.IGNORECASE)
_RANGE = re.compile(rf"(?P<low>\d+)(?:\s*-\s*(?P<high>\d+))?{_SHARE}")
_TIER_WORD = "(?:" + "|".join(sorted(CITY_TIERS, key=len, reverse=True)) + f")(?:{vocab.CITY_SUFFIX})?"
_TIER_RANGE = re.compile(
    rf"(?P<low>{_TIER_WORD})(?:\s*{vocab.RANGE_DASH}\s*(?P<high>{_TIER_WORD})|(?P<up>{vocab.AND_UP}))?{_SHARE}"
)
_NAMES = {name: TargetKind(kind) for name, kind in vocab.AUDIENCE_NAMES.items()}
_SCREEN_NAMES = vocab.SCREEN_NAMES
_FIRST_TIER = min(CITY_TIERS.values())


def usage() -> Text:
    """How audience targets are written."""
    return Text(vocab.AUDIENCE_USAGE, max=MAX_SCREEN)


def _bad(token: str, what: Text) -> QueryError:
    return QueryError(token, Text("%(what)s: `%(token)s`", what=what, token=token), usage=usage())


def _share(token: str, raw: str | None) -> float:
    if raw is None:
        return DEFAULT_MIN_SHARE
    share = float(raw) / 100
    if not 0 < share <= 1:
        raise _bad(token, Text("The audience share must be between 1% and 100%"))
    return share


def _parse_one(token: str, shown: str) -> AudienceTarget:
    """The target `token` (`name=value`) sets; a refusal quotes `shown`."""
    name, _, value = token.partition("=")
    try:
        kind = _NAMES[simplified(name.strip()).lower()]
    except KeyError:
        raise _bad(shown, Text("Unknown audience target")) from None
    value = simplified(value.strip())
    if kind is TargetKind.GENDER:
        match = _GENDER.fullmatch(value)
        if not match:
            raise _bad(shown, Text("Audience gender must be female or male"))
        gender = _GENDER_WORDS[match["value"].lower()]
        return GenderTarget(gender=gender, min_share=_share(shown, match["share"]))
    if kind is TargetKind.CITY_TIER and (words := _TIER_RANGE.fullmatch(value)):
        low, high = CITY_TIERS[_tier(words["low"])], CITY_TIERS[_tier(words["high"] or words["low"])]
        if words["up"]:  # 二线及以上: tiers 1 to 2
            low = _FIRST_TIER
        if low > high:
            raise _bad(shown, Text("The tiers must run from higher to lower"))
        return RangeTarget(kind=kind, low=low, high=high, min_share=_share(shown, words["share"]))
    match = _RANGE.fullmatch(value)
    if not match:
        if kind is TargetKind.CITY_TIER:
            raise _bad(shown, Text("Expected a range like %(tier)s or 1-2", tier=vocab.EXAMPLE_TIER))
        raise _bad(shown, Text("Expected a range like 18-30"))
    low, high = float(match["low"]), float(match["high"] or match["low"])
    bounds = (MIN_AGE, MAX_AGE) if kind is TargetKind.AGE else (1, 5)
    if low > high or low < bounds[0] or high > bounds[1]:
        raise _bad(
            shown, Text("The range must run low-high within %(low)s-%(high)s", low=bounds[0], high=bounds[1])
        )
    return RangeTarget(kind=kind, low=low, high=high, min_share=_share(shown, match["share"]))


def _tier(word: str) -> str:
    return word.removesuffix(vocab.CITY_SUFFIX)


def _screen_size(token: str, value: str) -> int:
    text = value.strip()
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_SCREEN):
        raise _bad(token, Text("screen takes a number of creators from 1 to %(max)s", max=MAX_SCREEN))
    return int(text)


def parse_audience_targets(tokens: Iterable[str]) -> AudienceTargets:
    """Parse `audience_*=` and `screen=` tokens; `QueryError` names a bad one."""
    targets = AudienceTargets()
    for token in tokens:
        targets = with_audience_token(targets, token)
    return targets


def with_audience_token(targets: AudienceTargets, token: str, *, shown: str | None = None) -> AudienceTargets:
    """`targets` with one more `audience_*=` or `screen=` token; `QueryError` names a bad one,
    and a target given twice, as `shown` (the words as typed; by default `token`)."""
    shown = token if shown is None else shown
    name, _, value = token.partition("=")
    if simplified(name.strip()).lower() in _SCREEN_NAMES:
        return targets.model_copy(update={"screen": _screen_size(shown, value)})
    target = _parse_one(token, shown)
    if any(t.kind is target.kind for t in targets.targets):
        raise _bad(shown, Text("This audience target is given twice"))
    return targets.model_copy(update={"targets": (*targets.targets, target)})
