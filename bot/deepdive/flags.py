"""Risk flags with their evidence: what was seen, with numbers and dates, never a bare score.

Detectors and their thresholds (heuristics, chosen to flag only what a marketer should look at):

* follower spikes/drops: robust z-score of each day's follower change against the 90-day
  median and MAD (`|z| ≥ 3.5`, and the change must also be ≥ 0.1 % of followers);
* views vs followers: median views (last 10 videos, else the 30-day median) under 0.5 % of
  followers (inactive or bought followers) or over 3× followers (reach is not follower-driven);
* engagement consistency over the last 10 videos: one video with ≥ 50× the median views of
  the others, or likes-per-view varying ≥ 10× around the median;
* brand or store account (`bot.brands.is_brand_account`);
* price quoted more than 180 days ago, price window ending within 14 days (or ended), and
  a quote that moved ≥ 20 % against last month;
* missing data: every part that did not arrive, with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from statistics import mean, median

from bot import formatting as fmt
from bot.brands import is_brand_account
from bot.deepdive.dates import china_date
from bot.deepdive.models import DailyFans, DeepDive, RiskFlag, ServicePrice, ServicePrices, Severity
from bot.models import Creator, Duration, Lang, RecentItem

SPIKE_Z = 3.5
HIGH_Z = 10.0
MIN_CHANGE_SHARE = 0.001
MIN_SERIES_DAYS = 14
MAD_TO_SIGMA = 1.4826
MEAN_AD_TO_SIGMA = 1.2533
LOW_VIEWS_RATIO = 0.005
HIGH_VIEWS_RATIO = 3.0
MIN_FOLLOWERS_FOR_LOW_VIEWS = 10_000
VIEWS_OUTLIER_FACTOR = 50.0
LIKE_RATE_SPREAD = 10.0
MIN_ITEMS = 5
PRICE_MAX_AGE_DAYS = 180
PRICE_ENDING_DAYS = 14
PRICE_CHANGE_SHARE = 0.2
SHOWN_DAYS = 3
_STANDARD_TYPES = {d.video_type for d in Duration}

_SEVERITY_ORDER = {Severity.HIGH: 0, Severity.WARN: 1, Severity.INFO: 2}


def _robust_z(values: Sequence[float]) -> tuple[float, list[float]] | None:
    """(median, z per value); MAD-based, falling back to the mean absolute deviation when MAD is 0."""
    centre = median(values)
    deviations = [abs(v - centre) for v in values]
    scale = MAD_TO_SIGMA * median(deviations) or MEAN_AD_TO_SIGMA * mean(deviations)
    if scale == 0:
        return None
    return centre, [(v - centre) / scale for v in values]


def _days_text(rows: list[tuple[date, int, float]], lang: Lang) -> str:
    shown = ", ".join(f"{fmt.growth(v, None, lang)} ({d.isoformat()})" for d, v, _ in rows[:SHOWN_DAYS])
    more = len(rows) - SHOWN_DAYS
    if more <= 0:
        return shown
    return shown + (f" 等另外 {more} 天" if lang == "zh" else f" and {more} more day(s)")


def follower_anomalies(series: DailyFans) -> list[RiskFlag]:
    """Days whose follower change is far outside the creator's own normal range."""
    changes = series.changes()
    if len(changes) < MIN_SERIES_DAYS:
        return []
    scored = _robust_z([v for _, v in changes])
    if scored is None:
        return []
    centre, zs = scored
    floor = MIN_CHANGE_SHARE * series.points[-1].followers
    outliers = [
        (day, value, z)
        for (day, value), z in zip(changes, zs, strict=True)
        if abs(z) >= SPIKE_Z and abs(value - centre) >= floor
    ]
    flags = []
    for sign, code in ((1, "follower_spike"), (-1, "follower_drop")):
        rows = sorted((r for r in outliers if r[2] * sign > 0), key=lambda r: -abs(r[2]))
        if rows:
            flags.append(_follower_flag(code, rows, centre))
    return flags


def _follower_flag(code: str, rows: list[tuple[date, int, float]], centre: float) -> RiskFlag:
    top_z = abs(rows[0][2])
    severity = Severity.HIGH if top_z >= HIGH_Z else Severity.WARN
    typical_en, typical_zh = fmt.growth(centre, None, "en"), fmt.growth(centre, None, "zh")
    if code == "follower_spike":
        en = (
            f"Follower spike: {_days_text(rows, 'en')}; a typical day is {typical_en} "
            f"(robust z up to {top_z:.0f}). Bought followers often arrive like this."
        )
        zh = (
            f"粉丝异常暴涨：{_days_text(rows, 'zh')}；日常为 {typical_zh}"
            f"（稳健 z 值最高 {top_z:.0f}）。买粉常呈现这种形态。"
        )
    else:
        en = (
            f"Follower drop: {_days_text(rows, 'en')}; a typical day is {typical_en} "
            f"(robust z up to {top_z:.0f}). Mass unfollows or a purge of fake followers look like this."
        )
        zh = (
            f"粉丝异常掉粉：{_days_text(rows, 'zh')}；日常为 {typical_zh}"
            f"（稳健 z 值最高 {top_z:.0f}）。集中取关或平台清理虚假粉丝会呈现这种形态。"
        )
    return RiskFlag(code=code, severity=severity, en=en, zh=zh, days=sorted(d for d, _, _ in rows))


def views_vs_followers(median_views: float, followers: int, *, from_items: bool) -> list[RiskFlag]:
    """Median views implausibly low or high for the follower count."""
    if followers <= 0 or median_views < 0:
        return []
    ratio = median_views / followers
    basis_en = "last 10 videos" if from_items else "30-day median"
    basis_zh = "近 10 条作品" if from_items else "近 30 天中位数"
    views_en, views_zh = fmt.count(median_views, "en"), fmt.count(median_views, "zh")
    fans_en, fans_zh = fmt.count(followers, "en"), fmt.count(followers, "zh")
    if ratio < LOW_VIEWS_RATIO and followers >= MIN_FOLLOWERS_FOR_LOW_VIEWS:
        return [
            RiskFlag(
                code="views_low_for_followers",
                severity=Severity.WARN,
                en=f"Median views ({basis_en}) are {views_en}, only {fmt.pct(ratio)} of {fans_en} followers: "
                "much of the following may be inactive or bought.",
                zh=f"播放中位数（{basis_zh}）仅 {views_zh}，为粉丝数 {fans_zh} 的 {fmt.pct(ratio)}："
                "大量粉丝可能不活跃或为虚假粉丝。",
            )
        ]
    if ratio > HIGH_VIEWS_RATIO:
        return [
            RiskFlag(
                code="views_high_for_followers",
                severity=Severity.INFO,
                en=f"Median views ({basis_en}) are {views_en}, {ratio:.1f}× the {fans_en} followers: reach "
                "comes from recommendation (or bought views), not followers.",
                zh=f"播放中位数（{basis_zh}）为 {views_zh}，是粉丝数 {fans_zh} 的 {ratio:.1f} 倍："
                "流量主要来自推荐（或刷量），而非粉丝。",
            )
        ]
    return []


def _item_day(item: RecentItem) -> str:
    return china_date(item.published_at).isoformat() if item.published_at else item.item_id


def engagement_consistency(items: Sequence[RecentItem]) -> list[RiskFlag]:
    """One video far above the rest, or likes-per-view that swing wildly between videos."""
    viewed = [(i, i.views) for i in items if i.views]
    if len(viewed) < MIN_ITEMS:
        return []
    flags = []
    for item, views in viewed:
        others = median(v for i, v in viewed if i is not item)
        if others > 0 and views >= VIEWS_OUTLIER_FACTOR * others:
            factor = views / others
            flags.append(
                RiskFlag(
                    code="views_outlier",
                    severity=Severity.WARN,
                    en=f"One video has {factor:.0f}× the views of the others: {fmt.count(views, 'en')} "
                    f"({_item_day(item)}) vs a median of {fmt.count(others, 'en')}. Averages are inflated by "
                    "it; judge on the median.",
                    zh=f"单条作品播放量是其他作品的 {factor:.0f} 倍：{fmt.count(views, 'zh')}"
                    f"（{_item_day(item)}），其余中位数 {fmt.count(others, 'zh')}。"
                    "平均值被其拉高，请以中位数判断。",
                )
            )
            break
    rated = [(i, i.likes / views) for i, views in viewed if i.likes is not None]
    if len(rated) >= MIN_ITEMS:
        flags.extend(_like_rate_flag(rated))
    return flags


def _like_rate_flag(rated: list[tuple[RecentItem, float]]) -> list[RiskFlag]:
    centre = median(r for _, r in rated)
    low, high = min(rated, key=lambda x: x[1]), max(rated, key=lambda x: x[1])
    if centre <= 0 or (high[1] < LIKE_RATE_SPREAD * centre and low[1] * LIKE_RATE_SPREAD > centre):
        return []
    spread = high[1] / low[1] if low[1] > 0 else float("inf")
    spread_text = f"{spread:.0f}×" if spread != float("inf") else "∞"
    return [
        RiskFlag(
            code="engagement_erratic",
            severity=Severity.WARN,
            en=f"Likes per view vary {spread_text} across the last videos: "
            f"{fmt.pct(low[1])} ({_item_day(low[0])}) to {fmt.pct(high[1])} ({_item_day(high[0])}), "
            f"median {fmt.pct(centre)}. Uneven engagement can mean boosted likes or views.",
            zh=f"近期作品点赞率相差 {spread_text}：最低 {fmt.pct(low[1])}（{_item_day(low[0])}），"
            f"最高 {fmt.pct(high[1])}（{_item_day(high[0])}），中位数 {fmt.pct(centre)}。"
            "互动不均可能意味着刷赞或刷量。",
        )
    ]


def brand_account(creator: Creator) -> list[RiskFlag]:
    if not is_brand_account(creator):
        return []
    return [
        RiskFlag(
            code="brand_account",
            severity=Severity.WARN,
            en=f"“{creator.nickname}” looks like a brand or store account, not a creator: it may not take "
            "commissions.",
            zh=f"“{creator.nickname}”看起来是品牌或店铺账号而非达人，可能不接商单。",
        )
    ]


def _quote(q: ServicePrice, lang: Lang) -> str:
    return (
        f"{q.label(lang)} ({fmt.yuan(q.yuan, lang)})"
        if lang == "en"
        else f"{q.label(lang)}（{fmt.yuan(q.yuan, lang)}）"
    )


def _price_age(prices: ServicePrices, today: date) -> list[RiskFlag]:
    """One flag when even the newest standard-duration quote is old."""
    dated = [(q, q.start_time) for q in prices.quotes if q.video_type in _STANDARD_TYPES and q.start_time]
    if not dated:
        return []
    newest, started = max(dated, key=lambda pair: pair[1])
    since = china_date(started)
    age = (today - since).days
    if age <= PRICE_MAX_AGE_DAYS:
        return []
    return [
        RiskFlag(
            code="price_stale",
            severity=Severity.INFO,
            en=f"Quotes unchanged since {since.isoformat()} ({age} days; newest: {_quote(newest, 'en')}): "
            "confirm with the MCN before budgeting.",
            zh=f"报价自 {since.isoformat()} 起未更新（{age} 天；最新一项：{_quote(newest, 'zh')}）："
            "预算前请与 MCN 确认。",
        )
    ]


def _price_window(q: ServicePrice, today: date) -> list[RiskFlag]:
    end = china_date(q.end_time) if q.end_time else None
    if end is None or (left := (end - today).days) > PRICE_ENDING_DAYS:
        return []
    until = end.isoformat()
    if left < 0:
        en, zh = f"ended on {until}", f"已于 {until} 失效"
    else:
        en, zh = f"is valid until {until} (in {left} days)", f"有效期至 {until}（还剩 {left} 天）"
    return [
        RiskFlag(
            code="price_window_ending",
            severity=Severity.WARN,
            en=f"The {_quote(q, 'en')} quote {en}: book or re-check the price.",
            zh=f"{_quote(q, 'zh')}报价{zh}：请尽快下单或重新确认报价。",
        )
    ]


def _price_change(q: ServicePrice) -> list[RiskFlag]:
    change = q.change_pct
    if change is None or abs(change) < PRICE_CHANGE_SHARE:
        return []
    moved_en, moved_zh = ("rose", "上涨") if change > 0 else ("fell", "下降")
    before_en, before_zh = fmt.yuan(q.last_month_yuan, "en"), fmt.yuan(q.last_month_yuan, "zh")
    return [
        RiskFlag(
            code="price_changed",
            severity=Severity.INFO,
            en=f"The {q.label('en')} quote {moved_en} {abs(change):.0%} from last month "
            f"({before_en} → {fmt.yuan(q.yuan, 'en')}).",
            zh=f"{q.label('zh')} 报价较上月{moved_zh} {abs(change):.0%}"
            f"（{before_zh} → {fmt.yuan(q.yuan, 'zh')}）。",
        )
    ]


def price_flags(prices: ServicePrices, today: date) -> list[RiskFlag]:
    flags = _price_age(prices, today)
    for q in prices.quotes:
        flags += _price_window(q, today) + _price_change(q)
    return flags


def missing_data(dive: DeepDive) -> list[RiskFlag]:
    missing = dive.missing
    if not missing:
        return []
    return [
        RiskFlag(
            code="missing_data",
            severity=Severity.INFO,
            en="Missing: " + "; ".join(p.describe("en") for p in missing) + ". The rest is shown without it.",
            zh="缺少数据：" + "；".join(p.describe("zh") for p in missing) + "。其余数据照常显示。",
        )
    ]


def _median_views(dive: DeepDive, creator: Creator | None) -> tuple[float, bool] | None:
    views = [i.views for i in (creator.recent_works() if creator else []) if i.views is not None]
    if len(views) >= MIN_ITEMS:
        return median(views), True
    overview = dive.overview.data
    if overview and overview.median_plays is not None:
        return overview.median_plays, False
    return None


def _followers(dive: DeepDive, creator: Creator | None) -> int | None:
    if dive.base.data and dive.base.data.followers is not None:
        return dive.base.data.followers
    return creator.followers if creator else None


def assess(dive: DeepDive, *, creator: Creator | None = None, today: date) -> list[RiskFlag]:
    """All flags for a deep-dive, most severe first. `creator` (from search) adds the last 10 videos."""
    flags: list[RiskFlag] = []
    if dive.daily_fans.data:
        flags += follower_anomalies(dive.daily_fans.data)
    followers, views = _followers(dive, creator), _median_views(dive, creator)
    if followers and views:
        flags += views_vs_followers(views[0], followers, from_items=views[1])
    if creator:
        flags += engagement_consistency(creator.recent_works())
    account = creator or _creator_from_base(dive)
    if account:
        flags += brand_account(account)
    if dive.prices.data:
        flags += price_flags(dive.prices.data, today)
    flags += missing_data(dive)
    return sorted(flags, key=lambda f: _SEVERITY_ORDER[f.severity])


def _creator_from_base(dive: DeepDive) -> Creator | None:
    base = dive.base.data
    if base is None:
        return None
    author_type = str(base.author_type) if base.author_type is not None else None
    return Creator(star_id=base.star_id, nickname=base.nickname, author_type=author_type)


def flagged_days(flags: Sequence[RiskFlag]) -> list[date]:
    """Dates to mark on the follower chart."""
    return sorted({d for f in flags for d in f.days})
