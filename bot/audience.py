"""Audience targets as typed in a search, `/kol show` or the CLI: `audience_gender=female>=70%`,
`audience_age=18-30`, `audience_city_tier=1-2`, read once into `bot.models.AudienceTargets`.

Each target has a minimum share of the audience (default 50 %, or `>=N%` after the value).
City tiers: 一线 = 1, 新一线 = 1.5 (inside `1-2`, outside `1` and `2-5`), 二线 = 2 … 五线 = 5; tiers
may be written as words too (`受众城市=二线`, `一线-二线`, `二线及以上` = 1-2). Chinese names work as
well (`受众性别=女>=70%`, `受众年龄=18-23`, `受众城市=二线`). `screen=N` (`筛查=N`) sets how many top
candidates a search screens by audience portrait (`bot.screen`; default 20, at most 50).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.errors import QueryError
from bot.i18n import Untranslated
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

USAGE_EN = (
    "Audience targets: audience_gender=female>=70%, audience_age=18-30 (optionally >=40%), "
    f"audience_city_tier=1-2 (tiers 1-5, or 一线…五线); screen=20 (1-{MAX_SCREEN} creators)."
)
USAGE_ZH = (
    "受众条件：受众性别=女>=70%、受众年龄=18-30（可加 >=40%）、"
    f"受众城市=二线（或 1-2，城市等级 1-5）；筛查=20（1-{MAX_SCREEN} 位达人）。"
)

_GENDER_WORDS = {"female": Gender.FEMALE, "女": Gender.FEMALE, "male": Gender.MALE, "男": Gender.MALE}
_SHARE = r"(?:\s*>=\s*(?P<share>\d+(?:\.\d+)?)\s*%?)?"
_GENDER = re.compile(rf"(?P<value>female|male|女|男){_SHARE}", re.IGNORECASE)
_RANGE = re.compile(rf"(?P<low>\d+)(?:\s*-\s*(?P<high>\d+))?{_SHARE}")
_TIER_WORD = "(?:" + "|".join(sorted(CITY_TIERS, key=len, reverse=True)) + ")(?:城市)?"
_TIER_RANGE = re.compile(
    rf"(?P<low>{_TIER_WORD})(?:\s*(?:-|~|至|到|–|—)\s*(?P<high>{_TIER_WORD})|(?P<up>及以上|以上))?{_SHARE}"
)
_NAMES = {
    "audience_gender": TargetKind.GENDER,
    "受众性别": TargetKind.GENDER,
    "audience_age": TargetKind.AGE,
    "受众年龄": TargetKind.AGE,
    "audience_city_tier": TargetKind.CITY_TIER,
    "受众城市": TargetKind.CITY_TIER,
    "受众城市等级": TargetKind.CITY_TIER,
}
_SCREEN_NAMES = {"screen", "筛查", "受众筛查"}


def _bad(token: str, en: str, zh: str) -> QueryError:
    return QueryError(
        token, Untranslated(f"{en}: `{token}`", f"{zh}：`{token}`"), usage=Untranslated(USAGE_EN, USAGE_ZH)
    )


def _share(token: str, raw: str | None) -> float:
    if raw is None:
        return DEFAULT_MIN_SHARE
    share = float(raw) / 100
    if not 0 < share <= 1:
        raise _bad(token, "The audience share must be between 1% and 100%", "受众占比须在 1% 到 100% 之间")
    return share


def _parse_one(token: str) -> AudienceTarget:
    name, _, value = token.partition("=")
    try:
        kind = _NAMES[name.strip().lower()]
    except KeyError:
        raise _bad(token, "Unknown audience target", "无法识别的受众条件") from None
    value = value.strip()
    if kind is TargetKind.GENDER:
        match = _GENDER.fullmatch(value)
        if not match:
            raise _bad(
                token, "Audience gender must be female or male", "受众性别须为 female（女）或 male（男）"
            )
        gender = _GENDER_WORDS[match["value"].lower()]
        return GenderTarget(gender=gender, min_share=_share(token, match["share"]))
    if kind is TargetKind.CITY_TIER and (words := _TIER_RANGE.fullmatch(value)):
        low, high = CITY_TIERS[_tier(words["low"])], CITY_TIERS[_tier(words["high"] or words["low"])]
        if words["up"]:  # 二线及以上: tiers 1 to 2
            low = CITY_TIERS["一线"]
        if low > high:
            raise _bad(token, "The tiers must run from higher to lower", "城市等级须从高到低，例如 一线-二线")
        return RangeTarget(kind=kind, low=low, high=high, min_share=_share(token, words["share"]))
    match = _RANGE.fullmatch(value)
    if not match:
        example = "二线 or 1-2" if kind is TargetKind.CITY_TIER else "18-30"
        zh_example = example.replace(" or ", " 或 ")
        raise _bad(token, f"Expected a range like {example}", f"应为范围，例如 {zh_example}")
    low, high = float(match["low"]), float(match["high"] or match["low"])
    bounds = (MIN_AGE, MAX_AGE) if kind is TargetKind.AGE else (1, 5)
    if low > high or low < bounds[0] or high > bounds[1]:
        raise _bad(
            token,
            f"The range must run low-high within {bounds[0]}-{bounds[1]}",
            f"范围须从小到大且在 {bounds[0]}-{bounds[1]} 之内",
        )
    return RangeTarget(kind=kind, low=low, high=high, min_share=_share(token, match["share"]))


def _tier(word: str) -> str:
    return word.removesuffix("城市")


def _screen_size(token: str, value: str) -> int:
    text = value.strip()
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_SCREEN):
        raise _bad(
            token,
            f"screen takes a number of creators from 1 to {MAX_SCREEN}",
            f"筛查人数须为 1 到 {MAX_SCREEN} 的整数",
        )
    return int(text)


def parse_audience_targets(tokens: Iterable[str]) -> AudienceTargets:
    """Parse `audience_*=` and `screen=` tokens; `QueryError` names a bad one."""
    targets = AudienceTargets()
    for token in tokens:
        targets = with_audience_token(targets, token)
    return targets


def with_audience_token(targets: AudienceTargets, token: str) -> AudienceTargets:
    """`targets` with one more `audience_*=` or `screen=` token; `QueryError` names a bad one,
    and a target given twice."""
    name, _, value = token.partition("=")
    if name.strip().lower() in _SCREEN_NAMES:
        return targets.model_copy(update={"screen": _screen_size(token, value)})
    target = _parse_one(token)
    if any(t.kind is target.kind for t in targets.targets):
        raise _bad(token, "This audience target is given twice", "该受众条件重复出现")
    return targets.model_copy(update={"targets": (*targets.targets, target)})
