"""Numbers the way a Chinese or English-speaking marketer reads them, always with their unit.

Money is yuan. Unknown values (`None`, NaN) print as `DASH`, never as 0. English uses thousands
separators and K/M/B; Chinese uses 万 (10⁴) and 亿 (10⁸) from 1万 up.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime

from bot.models import Duration, Lang

DASH = "—"

_WAN, _YI = 10_000, 100_000_000
_DURATION_LABELS: dict[Duration, tuple[str, str]] = {
    Duration.SHORT: ("1–20 s", "1-20秒"),
    Duration.MEDIUM: ("21–60 s", "21-60秒"),
    Duration.LONG: ("60 s+", "60秒以上"),
}


def _or_dash(value: float | None, show: Callable[[float], str]) -> str:
    return show(value) if value is not None and math.isfinite(value) else DASH


def _trim(number: float, decimals: int) -> str:
    """`number` with at most `decimals` decimals and no trailing zeros: 31.50 -> "31.5"."""
    return f"{number:.{decimals}f}".rstrip("0").rstrip(".")


def _sign(value: float) -> str:
    return "-" if value < 0 else ""


def _zh_units(size: float, decimals: int) -> str:
    """A non-negative number, exact below 1万, else in 万/亿 (9999.999万 rounds up to 1亿)."""
    if round(size) < _WAN:
        return f"{round(size):,}"
    if round(size / _WAN, decimals) < _WAN:
        return f"{_trim(size / _WAN, decimals)}万"
    return f"{_trim(size / _YI, decimals)}亿"


def _en_units(size: float) -> str:
    """A non-negative count: 866 / 439.1K / 1.2M / 3.4B (999.96K rounds up to 1M)."""
    if round(size) < 1000:
        return f"{round(size):,}"
    for step, suffix in ((1e3, "K"), (1e6, "M")):
        if round(size / step, 1) < 1000:
            return f"{_trim(size / step, 1)}{suffix}"
    return f"{_trim(size / 1e9, 1)}B"


def _yuan(value: float, lang: Lang) -> str:
    size = abs(value)
    if lang == "zh" and round(size) >= _WAN:
        return f"{_sign(value)}¥{_zh_units(size, 2)}"
    digits = 0 if size >= 1000 or size == int(size) else 2
    return f"{_sign(value)}¥{size:,.{digits}f}"


def yuan(value: float | None, lang: Lang) -> str:
    """Money: ¥27,500 (en), ¥2.75万 / ¥1.2亿 (zh, from 1万 up); cents only when there are any."""
    return _or_dash(value, lambda v: _yuan(v, lang))


def _unit_yuan(value: float, lang: Lang) -> str:
    """A per-unit price (CPM, CPE): ¥34.05, <¥0.01 for dust, whole yuan from ¥1,000 up."""
    if abs(value) >= 1000:
        return _yuan(value, lang)
    if 0 < value < 0.005:
        return "<¥0.01"
    return f"{_sign(value)}¥{abs(value):.2f}"


def cpm(value: float | None, lang: Lang) -> str:
    """Yuan per 1,000 expected plays: ¥34.05 / 1k plays, ¥34.05/千次播放."""
    unit = "/千次播放" if lang == "zh" else " / 1k plays"
    return _or_dash(value, lambda v: _unit_yuan(v, lang) + unit)


def cpe(value: float | None, lang: Lang) -> str:
    """Yuan per expected engagement: ¥1.91 / engagement, ¥1.91/次互动."""
    unit = "/次互动" if lang == "zh" else " / engagement"
    return _or_dash(value, lambda v: _unit_yuan(v, lang) + unit)


def _count(value: float, lang: Lang) -> str:
    return _sign(value) + (_zh_units(abs(value), 1) if lang == "zh" else _en_units(abs(value)))


def count(value: float | None, lang: Lang) -> str:
    """Followers, plays, likes: 439.1K / 1.2M (en), 43.9万 / 1.2亿 (zh); exact below 1,000 / 1万."""
    return _or_dash(value, lambda v: _count(v, lang))


def _pct(value: float, digits: int) -> str:
    smallest = 10.0**-digits
    if 0 < value * 100 < smallest / 2:
        return f"<{smallest:.{digits}f}%"
    return f"{value * 100:.{digits}f}%"


def pct(value: float | None, digits: int = 2) -> str:
    """A fraction as a percentage: 0.0196 -> 1.96%."""
    return _or_dash(value, lambda v: _pct(v, digits))


def _signed_count(value: float, lang: Lang) -> str:
    number = _zh_units(abs(value), 1) if lang == "zh" else f"{round(abs(value)):,}"
    return ("-" if value < 0 else "+") + number


def growth(delta: float | None, rate: float | None, lang: Lang) -> str:
    """Follower change with sign: +32,778 (+2.8%); in zh compact from 1万 (+3.3万 (+2.8%))."""
    number = _or_dash(delta, lambda v: _signed_count(v, lang))
    share = _or_dash(rate, lambda v: f"{v * 100:+.1f}%")
    if number == DASH or share == DASH:
        return share if number == DASH else number
    return f"{number} ({share})"


_WAN_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)[wW]")


def wan_range(text: str, lang: Lang) -> str:
    """Upstream bucket labels written in w (万): "1k-3w" -> "1K-30K" (en), "1k-3万" (zh)."""
    if lang == "zh":
        return _WAN_AMOUNT.sub(r"\1万", text)
    return _WAN_AMOUNT.sub(lambda m: _en_units(float(m.group(1)) * _WAN), re.sub(r"(\d)k", r"\1K", text))


def score(value: float | None) -> str:
    """A kolbot score as every card shows it: 69/100."""
    return _or_dash(value, lambda v: f"{round(v)}/100")


def index(value: float | None) -> str:
    """A 0-100 Xingtu index with one decimal: 66.7."""
    return _or_dash(value, lambda v: f"{v:.1f}")


def usd(value: float | None) -> str:
    """API spend: $0.06."""
    return _or_dash(value, lambda v: f"${v:,.2f}")


def duration_label(duration: Duration, lang: Lang) -> str:
    """1–20 s / 21–60 s / 60 s+ (en), 1-20秒 / 21-60秒 / 60秒以上 (zh)."""
    en, zh = _DURATION_LABELS[duration]
    return zh if lang == "zh" else en


def as_utc(moment: datetime) -> datetime:
    """Naive datetimes in this project are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def ago(then: datetime | None, now: datetime, lang: Lang) -> str:
    """How old data is: "just now", "12 min ago", "2 h ago", "3 d ago" (zh: 刚刚, 12分钟前…)."""
    if then is None:
        return DASH
    seconds = max(0.0, (as_utc(now) - as_utc(then)).total_seconds())
    zh = lang == "zh"
    if seconds < 60:
        return "刚刚" if zh else "just now"
    if seconds < 3600:
        return f"{seconds // 60:.0f}分钟前" if zh else f"{seconds // 60:.0f} min ago"
    if seconds < 48 * 3600:
        return f"{seconds // 3600:.0f}小时前" if zh else f"{seconds // 3600:.0f} h ago"
    return f"{seconds // 86400:.0f}天前" if zh else f"{seconds // 86400:.0f} d ago"


def utc_minute(moment: datetime) -> str:
    """An absolute time, unambiguous for readers in any timezone: 2025-11-20 06:05 UTC."""
    return as_utc(moment).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def utc_date(moment: datetime) -> str:
    return as_utc(moment).astimezone(UTC).strftime("%Y-%m-%d")


# Xingtu's audience buckets come in Chinese; English readers get these names (others stay as sent).
_BUCKET_NAMES_EN = {
    "female": "female",
    "male": "male",
    "女": "female",
    "男": "male",
    "一线": "tier 1",
    "新一线": "new tier 1",
    "二线": "tier 2",
    "三线": "tier 3",
    "四线": "tier 4",
    "五线": "tier 5",
    "其他": "other",
    "华为": "Huawei",
    "小米": "Xiaomi",
    "荣耀": "Honor",
    "红米": "Redmi",
}
_BUCKET_NAMES_ZH = {"female": "女", "male": "男"}


def bucket(key: str, lang: Lang) -> str:
    """An audience bucket (gender, city tier, device…) in the reader's language."""
    return (_BUCKET_NAMES_EN if lang == "en" else _BUCKET_NAMES_ZH).get(key, key)
