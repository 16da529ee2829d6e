"""Domain models shared by the data sources, the search core, the cards and storage.

Money is always in yuan (元) here: sources convert raw upstream units before building these.
Every metric is optional, because upstream omits most keys for most creators; `None` means
"unknown" and must never be read as zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot import vocabulary as vocab
from bot.i18n import N_, Text

Lang = Literal["zh", "en"]
LANG_CODES: dict[str, Lang] = {"zh": "zh", "en": "en"}  # a stored or configured code -> Lang


class Duration(StrEnum):
    """Video length bands with a standard Xingtu quote."""

    SHORT = "1-20"
    MEDIUM = "21-60"
    LONG = "60+"

    @property
    def video_type(self) -> int:
        return {Duration.SHORT: 1, Duration.MEDIUM: 2, Duration.LONG: 71}[self]


# Upstream `desc` labels from kol_service_price_v1 (see README "Data notes"); the catalog words them.
VIDEO_TYPE_NAMES: dict[int, str] = {
    1: N_("1–20 s video"),
    2: N_("21–60 s video"),
    71: N_("60 s+ video"),
    73: N_("Short-video collection task"),
    90: N_("Co-creation, lead poster"),
    91: N_("Co-creation, participant"),
    92: N_("CPM settlement (per 1,000 natural plays)"),
    150: N_("Short video + live seeding"),
    103: N_("Ad-platform licence, single video"),
    104: N_("Ad-platform licence, multiple videos"),
    105: N_("Ad-platform licence, download"),
}


def video_type_label(video_type: int) -> Text:
    """A price-list entry's name: "21–60 s video", or "Video type 7" for one Xingtu has not named."""
    if (name := VIDEO_TYPE_NAMES.get(video_type)) is not None:
        return Text(name)
    return Text("Video type %(n)s", n=video_type)


class Goal(StrEnum):
    AWARENESS = "awareness"  # 品牌曝光
    SEEDING = "seeding"  # 破圈种草
    CONVERSION = "conversion"  # 行动转化


class SortKey(StrEnum):
    SCORE = "score"
    CPM = "cpm"
    CPE = "cpe"
    FOLLOWERS = "followers"
    ER = "er"
    GROWTH = "growth"
    PRICE = "price"


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    UNKNOWN = "unknown"


class NumRange(BaseModel):
    """A numeric constraint from the query grammar: `>=10w`, `<60`, `=3`, `10w-50w`."""

    model_config = ConfigDict(frozen=True)

    low: float | None = None
    high: float | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True

    def contains(self, value: float) -> bool:
        if self.low is not None and (value < self.low or (value == self.low and not self.low_inclusive)):
            return False
        return not (
            self.high is not None and (value > self.high or (value == self.high and not self.high_inclusive))
        )


# -- audience targets (`audience_*=`; parsed by `bot.audience`) ---------------------------------

DEFAULT_MIN_SHARE = 0.5
DEFAULT_SCREEN, MAX_SCREEN = 20, 50
# Xingtu's city tiers by name: 新一线 = 1.5 sits inside 1-2 and outside 1 and 2-5.
CITY_TIERS = vocab.CITY_TIERS


class TargetKind(StrEnum):
    GENDER = "audience_gender"
    AGE = "audience_age"
    CITY_TIER = "audience_city_tier"


class GenderTarget(BaseModel):
    """At least `min_share` of the audience of one gender."""

    model_config = ConfigDict(frozen=True)

    kind: Literal[TargetKind.GENDER] = TargetKind.GENDER
    gender: Gender
    min_share: float = DEFAULT_MIN_SHARE

    def short_wording(self) -> Text:
        """The target without its share, short enough for a card row: female (女)."""
        return Text("female") if self.gender is Gender.FEMALE else Text("male")

    def wording(self) -> Text:
        """The target with its share: female ≥70% / 女性 ≥70%."""
        share = f"{self.min_share:.0%}"
        if self.gender is Gender.FEMALE:
            return Text("female ≥%(share)s", share=share)
        return Text("male ≥%(share)s", share=share)


class RangeTarget(BaseModel):
    """At least `min_share` of the audience aged `low`-`high` years, or in city tiers `low`-`high`."""

    model_config = ConfigDict(frozen=True)

    kind: Literal[TargetKind.AGE, TargetKind.CITY_TIER]
    low: float  # inclusive
    high: float
    min_share: float = DEFAULT_MIN_SHARE

    def short_wording(self) -> Text:
        """The target without its share, short enough for a card row: 18–23, tier 1–2."""
        from bot.formatting import TierSpan

        if self.kind is TargetKind.AGE:
            span = f"{self.low:g}–{self.high:g}" if self.high != self.low else f"{self.low:g}"
            return Text("%(span)s", span=span)
        return Text("tier %(span)s", span=TierSpan(self.low, self.high, dash="–"))

    def wording(self) -> Text:
        """The target with its share: age 18-30 ≥50% (18-30岁 ≥50%), city tier 1-2 ≥50%."""
        from bot.formatting import TierSpan

        share = f"≥{self.min_share:.0%}"
        span = f"{self.low:g}-{self.high:g}" if self.high != self.low else f"{self.low:g}"
        if self.kind is TargetKind.AGE:
            return Text("age %(span)s %(share)s", span=span, share=share)
        return Text("city tier %(span)s %(share)s", span=TierSpan(self.low, self.high), share=share)


AudienceTarget = Annotated[GenderTarget | RangeTarget, Field(discriminator="kind")]


class AudienceTargets(BaseModel):
    """A query's audience targets, at most one per kind, and how many top candidates a search
    screens by audience portrait (`screen=`)."""

    model_config = ConfigDict(frozen=True)

    targets: tuple[AudienceTarget, ...] = ()
    screen: int = DEFAULT_SCREEN

    def __bool__(self) -> bool:
        return bool(self.targets)


# Price, EcomProfile and XingtuFlags are slotted dataclasses, not models: every creator of a search
# carries them, and as models each cost validation and an extra garbage-collected object.
# Pydantic still validates and serialises them inside `Creator` (snapshots' JSON is unchanged).
@dataclass(slots=True)
class Price:
    """One entry of a creator's price list, already converted to yuan."""

    video_type: int
    yuan: float
    start_time: datetime | None = None
    end_time: datetime | None = None
    last_month_yuan: float | None = None
    discount_pct: float | None = None
    floor_yuan: float | None = None  # video_type 92 only: total budget bounds
    ceiling_yuan: float | None = None

    def wording(self) -> Text:
        """The entry's name: "21–60 s video"."""
        return video_type_label(self.video_type)


class RecentItem(BaseModel):
    item_id: str
    title: str = ""
    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    published_at: datetime | None = None
    high_quality: bool | None = None


@dataclass(slots=True)
class EcomProfile:
    level: str | None = None  # "L0".."L6"
    enabled: bool | None = None
    score: float | None = None
    gmv_30d_range: str | None = None
    avg_order_value_30d_range: str | None = None
    gpm_30d_range: str | None = None
    video_ctr_30d_range: str | None = None
    product_videos_30d: int | None = None

    @property
    def level_num(self) -> int | None:
        if self.level and self.level[:1] in "Ll" and self.level[1:].isdigit():
            return int(self.level[1:])
        return None


@dataclass(slots=True)
class XingtuFlags:
    black_horse: bool | None = None
    cocreate: bool | None = None
    cpm_project: bool | None = None
    excellent: bool | None = None
    star_excellent: bool | None = None
    qianchuan_high_potential: bool | None = None
    short_drama: bool | None = None
    local_lower_threshold: bool | None = None
    high_quality_ad: bool | None = None


class Creator(BaseModel):
    """One Xingtu creator as seen in one search response."""

    star_id: str
    nickname: str
    avatar_url: str | None = None
    douyin_uid: str | None = None  # core_user_id
    author_type: str | None = None
    gender: Gender = Gender.UNKNOWN
    province: str | None = None
    city: str | None = None

    followers: int | None = None
    growth_15d: int | None = None
    growth_rate_15d: float | None = None  # fraction
    growth_30d: float | None = None

    tags: dict[str, list[str]] = Field(default_factory=dict)  # tags_relation {level1: [level2]}
    theme_labels: list[str] = Field(default_factory=list)

    expected_plays: int | None = None
    expected_natural_plays: int | None = None
    promotion_expected_plays: int | None = None
    interact_rate: float | None = None  # fraction, 30 d
    completion_rate: float | None = None  # fraction, 30 d
    median_views_30d: float | None = None
    median_interactions_30d: float | None = None

    # 星图指数, 0-100: the composite of the three link indices below, as Xingtu shows it today.
    # Upstream's legacy `star_index` (few creators, another scale of digits) is not read.
    link_star_index: float | None = None
    spread_index: float | None = None
    shopping_index: float | None = None  # 种草
    convert_index: float | None = None
    search_after_view_index: float | None = None

    prices: dict[int, Price] = Field(default_factory=dict)  # by video_type
    upstream_cpm: dict[Duration, float] = Field(default_factory=dict)  # yuan per 1,000 expected plays
    upstream_cpe: dict[Duration, float] = Field(default_factory=dict)  # yuan per expected engagement

    ecom: EcomProfile = Field(default_factory=EcomProfile)
    flags: XingtuFlags = Field(default_factory=XingtuFlags)
    # Recent works. A search page keeps upstream's `last_10_items` text here unparsed: only the
    # deep-dive reads them, through `recent_works()`, so a search never pays to parse them.
    recent_items: list[RecentItem] | str = Field(default_factory=list)

    def recent_works(self) -> list[RecentItem]:
        """`recent_items`, parsed from upstream's text on first use."""
        if isinstance(self.recent_items, str):
            from bot.parsing import parse_recent_items  # bot.parsing builds Creators: import on use

            self.recent_items = parse_recent_items(self.recent_items)
        return self.recent_items

    # -- derived metrics -------------------------------------------------------------
    def price(self, duration: Duration) -> float | None:
        entry = self.prices.get(duration.video_type)
        return entry.yuan if entry and entry.yuan > 0 else None

    def cpm(self, duration: Duration) -> float | None:
        """¥ per 1,000 expected plays: upstream value when present, else computed."""
        if duration in self.upstream_cpm:
            return self.upstream_cpm[duration]
        price = self.price(duration)
        if price is None or not self.expected_plays:
            return None
        return price * 1000 / self.expected_plays

    def expected_engagements(self) -> float | None:
        if not self.expected_plays or self.interact_rate is None:
            return None
        return self.expected_plays * self.interact_rate

    def cpe(self, duration: Duration) -> float | None:
        """¥ per expected engagement: upstream value when present, else computed."""
        if duration in self.upstream_cpe:
            return self.upstream_cpe[duration]
        price, engagements = self.price(duration), self.expected_engagements()
        if price is None or not engagements:
            return None
        return price / engagements

    @property
    def tag_list(self) -> list[str]:
        """Level-2 tags where known, else level-1, without duplicates."""
        out: list[str] = []
        for level1, level2 in self.tags.items():
            for tag in level2 or [level1]:
                if tag not in out:
                    out.append(tag)
        return out

    @property
    def xingtu_url(self) -> str:
        return xingtu_url(self.star_id)

    @property
    def douyin_url(self) -> str | None:
        return f"https://www.iesdouyin.com/share/user/{self.douyin_uid}" if self.douyin_uid else None


def xingtu_url(star_id: str) -> str:
    """The creator's page on Xingtu (what a card's **Xingtu** link opens)."""
    return f"https://www.xingtu.cn/ad/creator/author/douyin/{star_id}/1"


class PageFetch(BaseModel):
    """One page of search results from a source, with what it cost."""

    keyword: str
    page: int
    creators: list[Creator]
    skipped: int = 0  # malformed author objects that were dropped
    total_count: int | None = None
    has_more: bool = False
    fetched_at: datetime
    upstream_calls: int = 0
    cost_usd: float = 0.0
    from_cache: bool = False
    live: bool = True
    route: str = "search_kol_v1"


@dataclass(frozen=True, slots=True)
class ScoreComponent:
    """One sub-score: a percentile (0-100) within the cohort, or None when unknown.

    A plain dataclass: a search builds one per creator and goal weight, and pydantic's validation
    of them was a quarter of a search's CPU time.
    """

    key: str  # "cpm", "cpe", "er", "completion", "star", "spread", "shopping", "convert", "growth", "ecom"
    value: float | None  # the raw metric
    percentile: float | None
    weight: float


class ScoredCreator(BaseModel):
    creator: Creator
    score: float | None  # 0-100; None when nothing is known
    rank: int = 0
    components: list[ScoreComponent] = Field(default_factory=list)
    strengths: list[str] = Field(default_factory=list)  # keys of the 2-3 strongest components
    weakest: str | None = None  # key of the weakest known component
    unknown: list[str] = Field(default_factory=list)  # keys with no data
    coverage: float = 0.0  # share of the weight that had data


class FilterStat(BaseModel):
    name: str  # grammar name, e.g. "followers"
    description: str = ""  # unused: the card words the filter (`bot.grammar.active_filters`)
    excluded: int = 0  # known values that failed
    unknown: int = 0  # creators without that metric


class SearchStats(BaseModel):
    pages_requested: list[int] = Field(default_factory=list)
    pages_fetched: int = 0
    pages_failed: list[int] = Field(default_factory=list)
    creators_seen: int = 0  # unique star_ids
    duplicates: int = 0
    skipped_malformed: int = 0
    matched: int = 0
    excluded_brands: int = 0
    filters: list[FilterStat] = Field(default_factory=list)
    upstream_calls: int = 0
    cache_hits: int = 0
    cost_usd: float = 0.0
    data_time: datetime | None = None  # oldest fetch time among pages used
    live: bool = True
    route: str = "search_kol_v1"
    elapsed_ms: float = 0.0
    has_more: bool = False  # the last page fetched said more results follow (offer "More results")
    pages_skipped: list[int] = Field(default_factory=list)  # requested, but Xingtu said they hold nobody
    upstream_filters: list[str] = Field(default_factory=list)  # grammar names Xingtu applied (v2)


class QueryNote(BaseModel):
    """A part of the query the card should comment on (the grammar's reading may not be the intent).

    `keyword`: a word that looks like a filter but was kept as a keyword; `exact`: `=` with one
    count or money value (kept exact; `suggestion` is the `>=` form); `ratio`: a rate written as a
    ratio (`er>=0.03` = 0.03 %; `suggestion` is the percent form).
    """

    model_config = ConfigDict(frozen=True)

    kind: Literal["keyword", "exact", "ratio"]
    token: str  # as typed
    suggestion: str = ""


class Query(BaseModel):
    """A parsed `/kol` search line. Built by `bot.grammar.parse_query`."""

    raw: str = ""
    keywords: list[str] = Field(default_factory=list)
    followers: NumRange | None = None
    price: NumRange | None = None  # yuan, for `duration`
    cpm: NumRange | None = None  # yuan per 1,000 plays
    cpe: NumRange | None = None  # yuan per engagement
    er: NumRange | None = None  # fraction
    completion: NumRange | None = None  # fraction
    star: NumRange | None = None  # 0-100
    growth: NumRange | None = None  # 15-day follower growth rate, fraction
    ecom: NumRange | None = None  # e-commerce level number (L3 -> 3)
    gender: Gender | None = None
    regions: list[str] = Field(default_factory=list)  # province or city substrings
    tags: list[str] = Field(default_factory=list)
    # `audience_*=` targets; not a search filter (search data has no audience portrait): the audience
    # screen and the Details deep-dive check each creator's portrait against them.
    audience: AudienceTargets = Field(default_factory=AudienceTargets)
    duration: Duration = Duration.MEDIUM
    sort: SortKey = SortKey.SCORE
    goal: Goal = Goal.SEEDING
    pages: int = 3
    start_page: int = 1
    top: int = 10
    brands: bool = False
    unknowns: bool = False  # include creators whose filtered metric is unknown
    lang: Lang | None = None  # explicit `lang=` override
    view: Literal["compact", "full"] = "compact"  # results card layout
    notes: list[QueryNote] = Field(default_factory=list)  # shown on the results card

    @property
    def keyword(self) -> str:
        return " ".join(self.keywords)

    @property
    def page_numbers(self) -> list[int]:
        return list(range(self.start_page, self.start_page + self.pages))


class CreatorArgs(BaseModel):
    """`/kol show` and `/kol compare` arguments. Built by `bot.grammar.parse_creator_args`."""

    identifiers: list[str] = Field(default_factory=list)  # as typed; `bot.identifiers` reads them
    duration: Duration = Duration.MEDIUM
    audience: AudienceTargets = Field(default_factory=AudienceTargets)
    lang: Lang | None = None


class SearchResult(BaseModel):
    query: Query
    creators: list[ScoredCreator]  # matched, sorted; the card shows the first `query.top`
    stats: SearchStats
    warnings: list[str] = Field(default_factory=list)  # i18n keys, e.g. "page_failed"
    # *More results* (`SearchService.more`): `creators` is the whole list the cards number, and this
    # card shows it from `offset`. Creators from `new_pages` (fetched by this click) start at
    # `rescored_from`: they are scored against every page fetched so far, the ones above them keep
    # the ranks and scores earlier cards showed.
    offset: int = 0
    new_pages: list[int] = Field(default_factory=list)
    rescored_from: int | None = None
