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
from bot.deepdive.wording import Joined
from bot.formatting import Shown
from bot.i18n import Text
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


def _growth(value: float, lang: Lang) -> str:
    return fmt.growth(value, None, lang)


def _days_list(rows: Sequence[tuple[date, int, float]], lang: Lang) -> str:
    return ", ".join(f"{_growth(v, lang)} ({d.isoformat()})" for d, v, _ in rows)


def _days_text(rows: list[tuple[date, int, float]]) -> Text:
    shown = Shown(_days_list, rows[:SHOWN_DAYS])
    more = len(rows) - SHOWN_DAYS
    if more <= 0:
        return shown
    return Text("%(days)s and %(more)s more day(s)", days=shown, more=more)


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
    values = {"days": _days_text(rows), "typical": Shown(_growth, centre)}
    if code == "follower_spike":
        text = Text(
            "Follower spike: %(days)s; a typical day is %(typical)s. "
            "Bought followers often arrive like this.",
            **values,
        )
    else:
        text = Text(
            "Follower drop: %(days)s; a typical day is %(typical)s. "
            "Mass unfollows or a purge of fake followers look like this.",
            **values,
        )
    return RiskFlag(code=code, severity=severity, text=text, days=sorted(d for d, _, _ in rows))


def views_vs_followers(median_views: float, followers: int, *, from_items: bool) -> list[RiskFlag]:
    """Median views implausibly low or high for the follower count."""
    if followers <= 0 or median_views < 0:
        return []
    ratio = median_views / followers
    values = {
        "basis": Text("last 10 videos") if from_items else Text("30-day median"),
        "views": Shown(fmt.count, median_views),
        "followers": Shown(fmt.count, followers),
    }
    if ratio < LOW_VIEWS_RATIO and followers >= MIN_FOLLOWERS_FOR_LOW_VIEWS:
        return [
            RiskFlag(
                code="views_low_for_followers",
                severity=Severity.WARN,
                text=Text(
                    "Median views (%(basis)s) are %(views)s, only %(share)s of %(followers)s followers: "
                    "much of the following may be inactive or bought.",
                    share=fmt.pct(ratio),
                    **values,
                ),
            )
        ]
    if ratio > HIGH_VIEWS_RATIO:
        return [
            RiskFlag(
                code="views_high_for_followers",
                severity=Severity.INFO,
                text=Text(
                    "Median views (%(basis)s) are %(views)s, %(ratio)s× the %(followers)s followers: reach "
                    "comes from recommendation (or bought views), not followers.",
                    ratio=format(ratio, ".1f"),
                    **values,
                ),
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
                    text=Text(
                        "One video has %(factor)s× the views of the others: %(views)s (%(day)s) "
                        "vs a median of %(median)s. Averages are inflated by it; judge on the median.",
                        factor=format(factor, ".0f"),
                        views=Shown(fmt.count, views),
                        day=_item_day(item),
                        median=Shown(fmt.count, others),
                    ),
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
            text=Text(
                "Likes per view vary %(spread)s across the last videos: %(low)s (%(low_day)s) to "
                "%(high)s (%(high_day)s), median %(median)s. "
                "Uneven engagement can mean boosted likes or views.",
                spread=spread_text,
                low=fmt.pct(low[1]),
                low_day=_item_day(low[0]),
                high=fmt.pct(high[1]),
                high_day=_item_day(high[0]),
                median=fmt.pct(centre),
            ),
        )
    ]


def brand_account(creator: Creator) -> list[RiskFlag]:
    if not is_brand_account(creator):
        return []
    return [
        RiskFlag(
            code="brand_account",
            severity=Severity.WARN,
            text=Text(
                "“%(nickname)s” looks like a brand or store account, not a creator: it may not take "
                "commissions.",
                nickname=creator.nickname,
            ),
        )
    ]


def _quote(q: ServicePrice) -> Text:
    return Text("%(label)s (%(price)s)", label=q.wording(), price=Shown(fmt.yuan, q.yuan))


def _price_age(prices: ServicePrices, today: date) -> list[RiskFlag]:
    """One flag when even the newest standard-duration quote is old, and none changed since last
    month (a quote's window can start years ago while its price moved last month)."""
    standard = [q for q in prices.quotes if q.video_type in _STANDARD_TYPES]
    dated = [(q, q.start_time) for q in standard if q.start_time]
    if not dated or any(q.change_pct for q in standard):
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
            text=Text(
                "The newest quote, %(quote)s, dates from %(since)s (%(age)s days ago) and none has "
                "changed since: confirm with the MCN before budgeting.",
                since=since.isoformat(),
                age=f"{age:,}",
                quote=_quote(newest),
            ),
        )
    ]


def _price_window(q: ServicePrice, today: date) -> list[RiskFlag]:
    end = china_date(q.end_time) if q.end_time else None
    if end is None or (left := (end - today).days) > PRICE_ENDING_DAYS:
        return []
    until = end.isoformat()
    if left < 0:
        text = Text(
            "The %(quote)s quote ended on %(until)s: ask the creator or MCN for a current price "
            "before budgeting.",
            quote=_quote(q),
            until=until,
        )
    else:
        text = Text(
            "The %(quote)s quote is valid until %(until)s (in %(left)s days): book before then or "
            "re-check the price.",
            quote=_quote(q),
            until=until,
            left=left,
        )
    return [RiskFlag(code="price_window_ending", severity=Severity.WARN, text=text)]


def _price_change(q: ServicePrice) -> list[RiskFlag]:
    change = q.change_pct
    if change is None or abs(change) < PRICE_CHANGE_SHARE:
        return []
    values = {
        "label": q.wording(),
        "change": format(abs(change), ".0%"),
        "before": Shown(fmt.yuan, q.last_month_yuan),
        "now": Shown(fmt.yuan, q.yuan),
    }
    if change > 0:
        text = Text("The %(label)s quote rose %(change)s from last month (%(before)s → %(now)s).", **values)
    else:
        text = Text("The %(label)s quote fell %(change)s from last month (%(before)s → %(now)s).", **values)
    return [RiskFlag(code="price_changed", severity=Severity.INFO, text=text)]


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
            text=Text(
                "Missing: %(parts)s. The rest is shown without it.",
                parts=Joined(Text("; "), [p.wording() for p in missing]),
            ),
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
