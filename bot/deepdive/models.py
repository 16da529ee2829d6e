"""What a creator deep-dive returns: one `Part` per upstream route, risk flags and the bill.

Money is yuan, rates are fractions, percentiles are 0-100; `None` is unknown, never zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from bot.deepdive.routes import PART_NAMES, PartKey
from bot.formatting import Shown
from bot.i18n import Plural, Text
from bot.models import VIDEO_TYPE_NAMES, Duration, Lang, Price, video_type_label

T = TypeVar("T")


class PartStatus(StrEnum):
    OK = "ok"
    UNAVAILABLE = "unavailable"  # upstream answered but has no data for us (refused, not found, empty)
    FAILED = "failed"  # we could not get an answer (gateway, timeout, unreadable body)


# Why a part is missing, keyed by `UpstreamKind` value plus our own "empty".
REASON_TEXT: dict[str, Text] = {
    "refused": Text("Xingtu declined to share it"),
    "not_found": Text("no data for this creator"),
    "empty": Text("no data returned"),
    "gateway": Text("TikHub unavailable"),
    "timeout": Text("TikHub timed out"),
    "connection": Text("TikHub unreachable"),
    "rate_limited": Text("rate-limited"),
    "bad_response": Text("unreadable answer"),
    "auth": Text("API key rejected"),
    "permission": Text("API key lacks permission"),
    "balance": Text("TikHub credit exhausted"),
    "bad_request": Text("request rejected"),
    "budget": Text("call budget reached"),
}


def reason_text(reason: str | None) -> Text:
    """Why a part is missing, in words; an unknown reason code is shown as it is."""
    if reason is None:
        return Text("unknown")
    return REASON_TEXT.get(reason) or Shown(_as_is, reason)


def _as_is(code: str, _lang: Lang) -> str:
    return code


class Part(BaseModel, Generic[T]):
    """One section of the deep-dive. `data` is set only when `status` is ok."""

    key: PartKey
    status: PartStatus
    reason: str | None = None  # a REASON_TEXT key when not ok
    data: T | None = None
    from_cache: bool = False
    fetched_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.status is PartStatus.OK

    def wording(self) -> Text:
        """'audience data unavailable: Xingtu declined to share it' / '观众画像暂不可用：星图未提供'."""
        part, why = PART_NAMES[self.key], reason_text(self.reason)
        if self.status is PartStatus.FAILED:
            return Text("%(part)s failed: %(why)s", part=part, why=why)
        return Text("%(part)s unavailable: %(why)s", part=part, why=why)


# -- per-route payloads --------------------------------------------------------------------


class BaseInfo(BaseModel):
    star_id: str
    nickname: str = ""
    followers: int | None = None
    author_type: int | None = None  # opaque upstream code (sources disagree on its meaning)
    gender: int | None = None  # 0 unknown, 1 male, 2 female
    province: str | None = None
    city: str | None = None
    unique_id: str | None = None  # 抖音号
    core_user_id: str | None = None  # Douyin uid
    sec_uid: str | None = None
    mcn_id: str | None = None
    mcn_name: str | None = None
    verification: str | None = None  # verification text when upstream sends one
    e_commerce_enabled: bool | None = None
    tags: dict[str, list[str]] = Field(default_factory=dict)  # {level1: [level2]}
    created_at: datetime | None = None


class QuoteLabel(Text):
    """A price-list entry's name: ours for a type we name (so "21-60秒视频" reads the same as the
    card's cost fields, not Xingtu's "21-60s视频"); for another type Chinese readers get Xingtu's own
    label (`desc`, always Chinese) and English readers ours with Xingtu's label added."""

    __slots__ = ("desc", "video_type")

    def __init__(self, video_type: int, desc: str) -> None:
        super().__init__("", video_type=video_type, desc=desc)
        self.video_type, self.desc = video_type, desc

    def render(self, lang: str) -> str:
        ours = video_type_label(self.video_type).render(lang)
        if self.video_type in VIDEO_TYPE_NAMES or not self.desc:
            return ours
        if lang == "zh":
            return self.desc
        return f"{ours} ({self.desc})"


@dataclass(slots=True)
class ServicePrice(Price):
    """A `kol_service_price_v1` entry: a `Price` plus the upstream label and settlement."""

    desc: str = ""  # upstream label, e.g. "21-60s视频"
    settlement_desc: str = ""
    task_category: int | None = None
    enabled: bool | None = None
    origin_yuan: float | None = None

    def wording(self) -> Text:
        """Our name for the entry; in Chinese, upstream's own `desc` when it sent one."""
        return QuoteLabel(self.video_type, self.desc)

    @property
    def change_pct(self) -> float | None:
        """Change against last month's quote, as a fraction (+0.2 = 20 % dearer)."""
        if not self.last_month_yuan:
            return None
        return self.yuan / self.last_month_yuan - 1


class ServicePrices(BaseModel):
    quotes: list[ServicePrice] = Field(default_factory=list)
    industry_tags: list[str] = Field(default_factory=list)

    def for_duration(self, duration: Duration) -> ServicePrice | None:
        return next((q for q in self.quotes if q.video_type == duration.video_type and q.yuan > 0), None)


class DistributionKind(StrEnum):
    GENDER = "gender"
    AGE = "age"
    PROVINCE = "province"
    DEVICE = "device"
    CITY_TIER = "city_tier"
    INTEREST = "interest"
    CITY = "city"
    CROWD = "crowd"  # 八大人群


DISTRIBUTION_LABELS: dict[DistributionKind, Text] = {
    DistributionKind.GENDER: Text("Gender"),
    DistributionKind.AGE: Text("Age"),
    DistributionKind.PROVINCE: Text("Province"),
    DistributionKind.DEVICE: Text("Device"),
    DistributionKind.CITY_TIER: Text("City tier"),
    DistributionKind.INTEREST: Text("Interests"),
    DistributionKind.CITY: Text("City"),
    DistributionKind.CROWD: Text("Consumer groups"),
}


class Distribution(BaseModel):
    kind: DistributionKind
    counts: dict[str, float]  # bucket -> audience count (upstream sends counts, not shares)
    description: str = ""  # upstream summary, Chinese

    @property
    def total(self) -> float:
        return sum(self.counts.values())

    def shares(self) -> dict[str, float]:
        total = self.total
        return {k: v / total for k, v in self.counts.items()} if total > 0 else {}


class Portrait(BaseModel):
    distributions: dict[DistributionKind, Distribution] = Field(default_factory=dict)
    updated_at: datetime | None = None

    def get(self, kind: DistributionKind) -> Distribution | None:
        return self.distributions.get(kind)


class FanPoint(BaseModel):
    day: date
    followers: int


class DailyFans(BaseModel):
    points: list[FanPoint]  # sorted by day, one per day

    def changes(self) -> list[tuple[date, int]]:
        """Day-over-day follower change, dated by the later day."""
        return [
            (b.day, b.followers - a.followers) for a, b in zip(self.points, self.points[1:], strict=False)
        ]


class CostPerformance(BaseModel):
    """`kol_cp_info_v1`, already converted from fen to yuan."""

    cpm: dict[Duration, float] = Field(default_factory=dict)  # yuan per 1,000 expected plays
    cpe: dict[Duration, float] = Field(default_factory=dict)  # yuan per expected engagement
    expected_plays: int | None = None


class RatedMetric(BaseModel):
    value: float  # fraction for rates
    beats_pct: float | None = None  # share of same-industry peers this creator beats, 0-100
    industry: str = ""


class DataOverview(BaseModel):
    """`kol_data_overview_v1` for personal videos over 30 days; money converted from fen."""

    median_plays: float | None = None
    avg_likes: float | None = None
    avg_comments: float | None = None
    avg_shares: float | None = None
    items: int | None = None
    interact_rate: RatedMetric | None = None
    completion_rate: RatedMetric | None = None
    cpm: dict[Duration, float] = Field(default_factory=dict)
    cpe: dict[Duration, float] = Field(default_factory=dict)


class IndexScore(BaseModel):
    key: str  # e.g. "link_star_index"
    value: float  # 0-100
    avg_value: float | None = None  # peer average
    rank_pct: float | None = None  # share of peers this creator beats, 0-100


INDEX_LABELS: dict[str, Text] = {
    "link_star_index": Text("Xingtu index"),
    "link_spread_index": Text("Spread index"),
    "link_shopping_index": Text("Seeding index"),
    "link_convert_index": Text("Conversion index"),
    "cooperate_index": Text("Cooperation index"),
    "cp_index": Text("Cost-performance index"),
    "growth_index": Text("Growth index"),
}


class XingtuIndex(BaseModel):
    scores: list[IndexScore] = Field(default_factory=list)

    def get(self, key: str) -> IndexScore | None:
        return next((s for s in self.scores if s.key == key), None)


# -- the result ----------------------------------------------------------------------------


class Severity(StrEnum):
    INFO = "info"
    WARN = "warn"
    HIGH = "high"


class RiskFlag(BaseModel):
    """A warning with its evidence (`text`, worded when shown). Never a bare score."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    code: str
    severity: Severity
    text: Text
    days: list[date] = Field(default_factory=list)  # dates the flag is about, for chart markers


class DeepDive(BaseModel):
    star_id: str
    base: Part[BaseInfo]
    prices: Part[ServicePrices]
    audience: Part[Portrait]
    fans: Part[Portrait]
    daily_fans: Part[DailyFans]
    cp: Part[CostPerformance]
    overview: Part[DataOverview]
    index: Part[XingtuIndex]
    flags: list[RiskFlag] = Field(default_factory=list)
    calls: int = 0  # route requests made, cached or not
    upstream_calls: int = 0  # requests that reached TikHub (retries included)
    cache_hits: int = 0
    cost_usd: float = 0.0
    live: bool = True
    fetched_at: datetime

    def parts(self) -> list[Part]:
        return [getattr(self, key.value) for key in PartKey]

    def quote(self, duration: Duration) -> ServicePrice | None:
        """Xingtu's quote for `duration`, or None when there is none or the prices part is missing."""
        return self.prices.data.for_duration(duration) if self.prices.data else None

    @property
    def has_data(self) -> bool:
        """False when not a single part arrived (e.g. an id Xingtu does not know)."""
        return any(p.ok for p in self.parts())

    @property
    def missing(self) -> list[Part]:
        return [p for p in self.parts() if not p.ok]

    @property
    def nickname(self) -> str:
        return self.base.data.nickname if self.base.data else ""

    def cost_line(self) -> Text:
        """'Upstream cost $0.12 for 6 calls; 3 of 9 answers from cache.'"""
        return cost_line([self])


def cost_line(dives: Sequence[DeepDive]) -> Text:
    """What `dives` cost together: 'Upstream cost $0.12 for 6 calls; 3 of 9 answers from cache.'"""
    return Plural(
        "Upstream cost $%(cost)s for %(n)s call; %(cache_hits)s of %(calls)s answers from cache.",
        "Upstream cost $%(cost)s for %(n)s calls; %(cache_hits)s of %(calls)s answers from cache.",
        sum(d.upstream_calls for d in dives),
        cost=format(sum(d.cost_usd for d in dives), ".3f"),
        cache_hits=sum(d.cache_hits for d in dives),
        calls=sum(d.calls for d in dives),
    )
