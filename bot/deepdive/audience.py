"""Audience targets (`audience_gender=female>=70%`, `audience_age=18-30`, `audience_city_tier=1-2`)
and how well a creator's audience portrait meets them.

Each target has a minimum share of the audience (default 50 %, or `>=N%` after the value).
Age buckets are spread evenly over their years, so `18-30` takes all of 18-23 and 24-30 and
`18-35` also takes 5/10 of 31-40; the open bucket `50+` counts as 50-64. City tiers: 一线 = 1,
新一线 = 1.5 (inside `1-2`, outside `1` and `2-5`), 二线 = 2 … 五线 = 5; tiers may be written as
words too (`受众城市=二线`, `一线-二线`, `二线及以上` = 1-2). Chinese names work as well (`受众性别=女>=70%`,
`受众年龄=18-23`, `受众城市=二线`). `screen=N` (`筛查=N`) sets how many top candidates a search
screens by audience portrait (`bot.screen`; default 20, at most 50).
Overall fit is the mean, over targets with data, of share ÷ required share, capped at 100 %.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel

from bot.deepdive.models import DistributionKind, Portrait
from bot.errors import QueryError
from bot.models import Gender, Lang

DEFAULT_MIN_SHARE = 0.5
DEFAULT_SCREEN, MAX_SCREEN = 20, 50
OPEN_AGE_SPAN = 15  # "50+" is read as 50-64
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
_TIERS = {"一线": 1.0, "新一线": 1.5, "二线": 2.0, "三线": 3.0, "四线": 4.0, "五线": 5.0}
_TIER_NAMES = {tier: name for name, tier in _TIERS.items()}
_TIER_WORD = "(?:" + "|".join(sorted(_TIERS, key=len, reverse=True)) + ")(?:城市)?"
_TIER_RANGE = re.compile(
    rf"(?P<low>{_TIER_WORD})(?:\s*(?:-|~|至|到|–|—)\s*(?P<high>{_TIER_WORD})|(?P<up>及以上|以上))?{_SHARE}"
)
_NAMES = {
    "audience_gender": "audience_gender",
    "受众性别": "audience_gender",
    "audience_age": "audience_age",
    "受众年龄": "audience_age",
    "audience_city_tier": "audience_city_tier",
    "受众城市": "audience_city_tier",
    "受众城市等级": "audience_city_tier",
}
_SCREEN_NAMES = {"screen", "筛查", "受众筛查"}
_AGE_BUCKET = re.compile(r"(?P<low>\d+)\s*(?:-\s*(?P<high>\d+)|(?P<plus>\+))")


class TargetKind(StrEnum):
    GENDER = "audience_gender"
    AGE = "audience_age"
    CITY_TIER = "audience_city_tier"


class AudienceTarget(BaseModel):
    kind: TargetKind
    min_share: float = DEFAULT_MIN_SHARE
    gender: Gender | None = None
    low: float | None = None  # age in years or city tier, inclusive
    high: float | None = None

    def label(self, lang: Lang) -> str:
        """The target without its share, short enough for a card row: 女, 18–23, 二线, tier 1–2."""
        if self.kind is TargetKind.GENDER:
            return ("女" if self.gender is Gender.FEMALE else "男") if lang == "zh" else self.gender.value
        if self.kind is TargetKind.AGE:
            return f"{self.low:g}–{self.high:g}" if self.high != self.low else f"{self.low:g}"
        if lang == "zh":
            names = [_TIER_NAMES.get(v, f"{v:g}线") for v in dict.fromkeys((self.low, self.high))]
            return "–".join(names)
        return f"tier {self.low:g}–{self.high:g}" if self.high != self.low else f"tier {self.low:g}"

    def describe(self, lang: Lang) -> str:
        share = f"≥{self.min_share:.0%}"
        if self.kind is TargetKind.GENDER:
            who = ("女性" if self.gender is Gender.FEMALE else "男性") if lang == "zh" else self.gender.value
            return f"{who} {share}"
        span = f"{self.low:g}-{self.high:g}" if self.high != self.low else f"{self.low:g}"
        if self.kind is TargetKind.AGE:
            return f"{span}岁 {share}" if lang == "zh" else f"age {span} {share}"
        return f"{self.label(lang)}城市 {share}" if lang == "zh" else f"city tier {span} {share}"


class AudienceTargets(BaseModel):
    targets: list[AudienceTarget]
    screen: int = DEFAULT_SCREEN  # top candidates a search screens by portrait

    def __bool__(self) -> bool:
        return bool(self.targets)


class FitStatus(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"


class TargetFit(BaseModel):
    target: AudienceTarget
    share: float | None  # share of the audience inside the target, 0-1
    status: FitStatus


class AudienceFit(BaseModel):
    fits: list[TargetFit]
    overall_pct: float | None  # 0-100; None when no target had data

    def summary(self, lang: Lang) -> str:
        marks = {FitStatus.PASS: "✅", FitStatus.FAIL: "❌", FitStatus.UNKNOWN: "❔"}
        parts = []
        for fit in self.fits:
            seen = f"{fit.share:.0%}" if fit.share is not None else ("无数据" if lang == "zh" else "no data")
            parts.append(f"{marks[fit.status]} {fit.target.describe(lang)}: {seen}")
        overall = f"{self.overall_pct:.0f}%" if self.overall_pct is not None else "—"
        head = f"受众匹配度 {overall}" if lang == "zh" else f"Audience fit {overall}"
        return head + " (" + "; ".join(parts) + ")"


def _bad(token: str, en: str, zh: str) -> QueryError:
    return QueryError(token, f"{en}: `{token}`", f"{zh}：`{token}`", usage_en=USAGE_EN, usage_zh=USAGE_ZH)


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
        kind = TargetKind(_NAMES[name.strip().lower()])
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
        return AudienceTarget(kind=kind, gender=gender, min_share=_share(token, match["share"]))
    if kind is TargetKind.CITY_TIER and (words := _TIER_RANGE.fullmatch(value)):
        low, high = _TIERS[_tier(words["low"])], _TIERS[_tier(words["high"] or words["low"])]
        if words["up"]:  # 二线及以上: tiers 1 to 2
            low = _TIERS["一线"]
        if low > high:
            raise _bad(token, "The tiers must run from higher to lower", "城市等级须从高到低，例如 一线-二线")
        return AudienceTarget(kind=kind, low=low, high=high, min_share=_share(token, words["share"]))
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
    return AudienceTarget(kind=kind, low=low, high=high, min_share=_share(token, match["share"]))


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
    """Parse `audience_*=` and `screen=` tokens (others are the caller's); `QueryError` names a bad one."""
    targets: dict[TargetKind, AudienceTarget] = {}
    screen = DEFAULT_SCREEN
    for token in tokens:
        name, _, value = token.partition("=")
        if name.strip().lower() in _SCREEN_NAMES:
            screen = _screen_size(token, value)
            continue
        target = _parse_one(token)
        if target.kind in targets:
            raise _bad(token, "This audience target is given twice", "该受众条件重复出现")
        targets[target.kind] = target
    return AudienceTargets(targets=list(targets.values()), screen=screen)


def _age_span(bucket: str) -> tuple[float, float] | None:
    """Years covered by an age bucket, as [start, end): "18-23" -> (18, 24), "50+" -> (50, 65)."""
    match = _AGE_BUCKET.fullmatch(bucket.strip())
    if not match:
        return None
    low = float(match["low"])
    return (low, low + OPEN_AGE_SPAN) if match["plus"] else (low, float(match["high"]) + 1)


def _age_share(target: AudienceTarget, shares: dict[str, float]) -> float:
    start, end = target.low, target.high + 1
    total = 0.0
    for bucket, share in shares.items():
        span = _age_span(bucket)
        if span is None:
            continue
        overlap = max(0.0, min(end, span[1]) - max(start, span[0]))
        total += share * overlap / (span[1] - span[0])
    return total


def _tier_share(target: AudienceTarget, shares: dict[str, float]) -> float:
    return sum(
        share
        for bucket, share in shares.items()
        if (tier := _TIERS.get(bucket.strip())) is not None and target.low <= tier <= target.high
    )


_SOURCE = {
    TargetKind.GENDER: DistributionKind.GENDER,
    TargetKind.AGE: DistributionKind.AGE,
    TargetKind.CITY_TIER: DistributionKind.CITY_TIER,
}


def target_share(target: AudienceTarget, portrait: Portrait | None) -> float | None:
    """Share of the audience inside `target`, or None without that distribution."""
    distribution = portrait.get(_SOURCE[target.kind]) if portrait else None
    shares = distribution.shares() if distribution else {}
    if not shares:
        return None
    if target.kind is TargetKind.GENDER:
        return shares.get(target.gender.value, 0.0)
    return _age_share(target, shares) if target.kind is TargetKind.AGE else _tier_share(target, shares)


def audience_fit(portrait: Portrait | None, targets: AudienceTargets) -> AudienceFit:
    fits = []
    for target in targets.targets:
        share = target_share(target, portrait)
        if share is None:
            status = FitStatus.UNKNOWN
        else:
            status = FitStatus.PASS if share >= target.min_share else FitStatus.FAIL
        fits.append(TargetFit(target=target, share=share, status=status))
    known = [min(f.share / f.target.min_share, 1.0) for f in fits if f.share is not None]
    overall = 100 * sum(known) / len(known) if known else None
    return AudienceFit(fits=fits, overall_pct=overall)
