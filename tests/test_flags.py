"""Risk-flag detectors on synthetic series and items with known anomalies."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from bot.deepdive import flags
from bot.deepdive.models import (
    BaseInfo,
    DailyFans,
    DataOverview,
    DeepDive,
    FanPoint,
    Part,
    PartStatus,
    ServicePrice,
    ServicePrices,
    Severity,
)
from bot.deepdive.routes import PartKey
from bot.i18n import tr
from bot.models import Creator, RecentItem

START = date(2026, 8, 1)
TODAY = date(2026, 11, 22)


def series(changes: list[int], start_followers: int = 100_000) -> DailyFans:
    points, total = [FanPoint(day=START, followers=start_followers)], start_followers
    for offset, change in enumerate(changes, start=1):
        total += change
        points.append(FanPoint(day=START + timedelta(days=offset), followers=total))
    return DailyFans(points=points)


def noisy_changes(days: int = 89, seed: int = 1) -> list[int]:
    rng = random.Random(seed)
    return [round(rng.gauss(150, 40)) for _ in range(days)]


def test_spike_and_drop_are_flagged_with_their_dates() -> None:
    changes = noisy_changes()
    changes[29] += 9_000  # day 30 → 2026-08-31
    changes[59] -= 4_000  # day 60 → 2026-09-30
    found = {f.code: f for f in flags.follower_anomalies(series(changes))}
    assert set(found) == {"follower_spike", "follower_drop"}
    assert found["follower_spike"].days == [date(2026, 8, 31)]
    assert found["follower_drop"].days == [date(2026, 9, 30)]
    spike = found["follower_spike"].text
    assert "2026-08-31" in tr("en", spike) and "2026-08-31" in tr("zh", spike)
    assert "+9," in tr("en", found["follower_spike"].text)  # the value is shown
    assert found["follower_spike"].severity is Severity.HIGH


def test_normal_noise_raises_nothing() -> None:
    assert flags.follower_anomalies(series(noisy_changes(seed=7))) == []


def test_constant_growth_with_one_jump_still_detected_when_mad_is_zero() -> None:
    changes = [100] * 60
    changes[40] = 5_000
    (flag,) = flags.follower_anomalies(series(changes))
    assert flag.code == "follower_spike" and flag.days == [START + timedelta(days=41)]


def test_tiny_absolute_jumps_are_ignored() -> None:
    changes = [0] * 60
    changes[10] = 20  # huge z-score but 0.02 % of followers
    assert flags.follower_anomalies(series(changes)) == []


def test_views_vs_followers_both_directions() -> None:
    (low,) = flags.views_vs_followers(1_000, 1_000_000, from_items=True)
    assert low.code == "views_low_for_followers"
    assert "0.10%" in tr("en", low.text) and "近 10 条作品" in tr("zh", low.text)
    (high,) = flags.views_vs_followers(400_000, 50_000, from_items=False)
    assert high.code == "views_high_for_followers" and "8.0×" in tr("en", high.text)
    assert flags.views_vs_followers(30_000, 1_000_000, from_items=True) == []
    assert flags.views_vs_followers(10, 5_000, from_items=True) == []  # too small to judge


def items(views: list[int], likes: list[int] | None = None) -> list[RecentItem]:
    likes = likes or [v // 50 for v in views]
    return [
        RecentItem(
            item_id=str(i),
            views=v,
            likes=lk,
            published_at=datetime(2026, 10, 1 + i, tzinfo=UTC),
        )
        for i, (v, lk) in enumerate(zip(views, likes, strict=True))
    ]


def test_one_video_with_fifty_times_the_views_is_flagged() -> None:
    found = flags.engagement_consistency(items([10_000, 12_000, 9_000, 11_000, 600_000, 10_500]))
    assert [f.code for f in found] == ["views_outlier"]
    en = tr("en", found[0].text)
    assert "2026-10-05" in en and "57×" in en and "1.1万" in tr("zh", found[0].text)


def test_erratic_likes_per_view_are_flagged() -> None:
    views = [10_000] * 6
    likes = [200, 220, 180, 210, 5_000, 190]
    (flag,) = flags.engagement_consistency(items(views, likes))
    assert flag.code == "engagement_erratic"
    en = tr("en", flag.text)
    assert "50.00%" in en and "2026-10-05" in en and "1.80%" in en


def test_consistent_items_and_too_few_items_raise_nothing() -> None:
    assert flags.engagement_consistency(items([10_000, 12_000, 9_000, 11_000, 10_500])) == []
    assert flags.engagement_consistency(items([10_000, 900_000])) == []


def test_brand_account() -> None:
    (flag,) = flags.brand_account(Creator(star_id="1", nickname="某某官方旗舰店", author_type="3"))
    assert flag.code == "brand_account" and "某某官方旗舰店" in tr("zh", flag.text)
    assert flags.brand_account(Creator(star_id="1", nickname="小鹿爱护肤")) == []


def at(day: date | None) -> datetime | None:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None


def quote(
    video_type: int, yuan: float, start: date | None = None, end: date | None = None, **kw
) -> ServicePrice:
    return ServicePrice(video_type=video_type, yuan=yuan, start_time=at(start), end_time=at(end), **kw)


def test_price_flags_stale_ending_and_changed() -> None:
    prices = ServicePrices(
        quotes=[
            quote(1, 30_000, start=date(2025, 1, 1), end=date(2026, 11, 27)),
            quote(2, 70_000, start=date(2025, 3, 1), last_month_yuan=50_000),
            quote(71, 90_000, start=date(2026, 10, 1), end=date(2026, 11, 1)),
        ]
    )
    found = {f.code: f for f in flags.price_flags(prices, TODAY)}
    assert "price_stale" not in found  # the newest standard quote is recent
    ending = [f for f in flags.price_flags(prices, TODAY) if f.code == "price_window_ending"]
    assert len(ending) == 2
    assert "in 5 days" in tr("en", ending[0].text) and "2026-11-27" in tr("zh", ending[0].text)
    assert "ended on 2026-11-01" in tr("en", ending[1].text)
    changed = found["price_changed"].text
    assert "rose 40%" in tr("en", changed) and "上涨 40%" in tr("zh", changed)
    old = ServicePrices(quotes=[quote(2, 70_000, start=date(2025, 3, 1))])
    (stale,) = flags.price_flags(old, TODAY)
    assert stale.code == "price_stale"
    assert "2025-03-01" in tr("en", stale.text) and "631 days" in tr("en", stale.text)
    moved = ServicePrices(quotes=[quote(1, 35_000, start=date(2021, 2, 24), last_month_yuan=38_500)])
    assert "price_stale" not in {f.code for f in flags.price_flags(moved, TODAY)}  # it moved last month


def missing_part(key: PartKey, reason: str) -> Part:
    status = PartStatus.FAILED if reason == "gateway" else PartStatus.UNAVAILABLE
    return Part(key=key, status=status, reason=reason)


def dive(**parts: Part) -> DeepDive:
    defaults = {key.value: missing_part(key, "refused") for key in PartKey}
    return DeepDive(star_id="7000000000000000001", fetched_at=datetime.now(UTC), **(defaults | parts))


def test_missing_data_names_each_part_and_reason() -> None:
    (flag,) = flags.missing_data(dive(cp=missing_part(PartKey.CP, "gateway")))
    assert "audience data unavailable: Xingtu declined to share it" in tr("en", flag.text)
    assert "cost performance failed: TikHub unavailable" in tr("en", flag.text)
    assert "观众画像暂不可用：星图未提供" in tr("zh", flag.text)


def test_assess_uses_overview_views_and_orders_by_severity() -> None:
    base = Part[BaseInfo](
        key=PartKey.BASE,
        status=PartStatus.OK,
        data=BaseInfo(star_id="7000000000000000001", nickname="小鹿", followers=2_000_000),
    )
    overview = Part[DataOverview](
        key=PartKey.OVERVIEW, status=PartStatus.OK, data=DataOverview(median_plays=3_000)
    )
    spiky = noisy_changes()
    spiky[50] += 50_000
    daily = Part[DailyFans](key=PartKey.DAILY_FANS, status=PartStatus.OK, data=series(spiky))
    found = flags.assess(dive(base=base, overview=overview, daily_fans=daily), today=TODAY)
    codes = [f.code for f in found]
    assert codes == ["follower_spike", "views_low_for_followers", "missing_data"]
    assert "30-day median" in tr("en", found[1].text)
    assert flags.flagged_days(found) == [START + timedelta(days=51)]
