"""Numbers the way a Chinese or English-speaking marketer reads them, always with their unit.

Money is yuan. Unknown values (`None`, NaN) print as `DASH`, never as 0. English uses thousands
separators and K/M/B; Chinese uses 万 (10⁴) and 亿 (10⁸) from 1万 up.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, cast

from bot import vocabulary as vocab
from bot.i18n import N_, Text, ptr, tr
from bot.models import Duration, Lang

DASH = "—"

_WAN, _YI = 10_000, 100_000_000
_DURATION_LABELS: dict[Duration, str] = {
    Duration.SHORT: N_("1–20 s"),
    Duration.MEDIUM: N_("21–60 s"),
    Duration.LONG: N_("60 s+"),
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
        return f"{_trim(size / _WAN, decimals)}{vocab.WAN}"
    return f"{_trim(size / _YI, decimals)}{vocab.YI}"


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


def unit_yuan(value: float | None, lang: Lang) -> str:
    """A per-unit price (CPM, CPE) in a table whose column names the unit: ¥34.05, ¥76.00."""
    return _or_dash(value, lambda v: _unit_yuan(v, lang))


def _unit_yuan(value: float, lang: Lang) -> str:
    """A per-unit price (CPM, CPE): ¥34.05, <¥0.01 for dust, whole yuan from ¥1,000 up."""
    if abs(value) >= 1000:
        return _yuan(value, lang)
    if 0 < value < 0.005:
        return "<¥0.01"
    return f"{_sign(value)}¥{abs(value):.2f}"


def cpm(value: float | None, lang: Lang) -> str:
    """Yuan per 1,000 expected plays: ¥34.05 / 1k plays, ¥34.05/千次播放."""
    return _or_dash(value, lambda v: tr(lang, "%(price)s / 1k plays", price=_unit_yuan(v, lang)))


def cpe(value: float | None, lang: Lang) -> str:
    """Yuan per expected engagement: ¥1.91 / engagement, ¥1.91/次互动."""
    return _or_dash(value, lambda v: tr(lang, "%(price)s / engagement", price=_unit_yuan(v, lang)))


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
    if lang == "zh":  # 万/亿 notation, as in `count`
        return ("-" if value < 0 else "+") + _zh_units(abs(value), 1)
    return ("-" if value < 0 else "+") + f"{round(abs(value)):,}"


def growth(delta: float | None, rate: float | None, lang: Lang) -> str:
    """Follower change with sign: +32,778 (+2.8%); in zh compact from 1万 (+3.3万 (+2.8%))."""
    number = _or_dash(delta, lambda v: _signed_count(v, lang))
    share = _or_dash(rate, lambda v: f"{v * 100:+.1f}%")
    if number == DASH or share == DASH:
        return share if number == DASH else number
    return number + tr(lang, " (%(share)s)", share=share)


_WAN_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)[wW]")


def wan_range(text: str, lang: Lang) -> str:
    """Upstream bucket labels written in w (万): "1k-3w" -> "1K-30K" (en), "1k-3万" (zh)."""
    if lang == "zh":
        return _WAN_AMOUNT.sub(lambda m: m.group(1) + vocab.WAN, text)
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


def duration_text(duration: Duration) -> Text:
    """The video length as a message the domain can hand on (`duration_label` words it)."""
    return Text(_DURATION_LABELS[duration])


def duration_label(duration: Duration, lang: Lang) -> str:
    """1–20 s / 21–60 s / 60 s+ (en), 1-20秒 / 21-60秒 / 60秒以上 (zh)."""
    return tr(lang, _DURATION_LABELS[duration])


def as_utc(moment: datetime) -> datetime:
    """Naive datetimes in this project are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def ago(then: datetime | None, now: datetime, lang: Lang) -> str:
    """How old data is: "just now", "12 min ago", "2 h ago", "3 d ago" (zh: 刚刚, 12分钟前…)."""
    if then is None:
        return DASH
    seconds = max(0.0, (as_utc(now) - as_utc(then)).total_seconds())
    if seconds < 60:
        return tr(lang, "just now")
    if seconds < 3600:
        return tr(lang, "%(n)s min ago", n=f"{seconds // 60:.0f}")
    if seconds < 48 * 3600:
        return tr(lang, "%(n)s h ago", n=f"{seconds // 3600:.0f}")
    return tr(lang, "%(n)s d ago", n=f"{seconds // 86400:.0f}")


def utc_minute(moment: datetime) -> str:
    """An absolute time, unambiguous for readers in any timezone: 2025-11-20 06:05 UTC."""
    return as_utc(moment).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def utc_date(moment: datetime) -> str:
    return as_utc(moment).astimezone(UTC).strftime("%Y-%m-%d")


def place(names: Iterable[str | None], lang: Lang) -> str:
    """Province and city, each once, in the reader's language (English for provinces and major cities)."""
    return " ".join(dict.fromkeys(_place_name(name, lang) for name in names if name))


def _place_name(name: str, lang: str) -> str:
    """A place as Xingtu writes it, in English for English readers when kolbot knows its name."""
    return vocab.PLACE_NAMES_EN.get(name, name) if lang == "en" else name


def bucket(key: str, lang: Lang) -> str:
    """An audience bucket (gender, city tier, device…) in the reader's language."""
    return (vocab.BUCKET_NAMES_EN if lang == "en" else vocab.BUCKET_NAMES_ZH).get(key, key)


# -- words a filter is described with (`bot.grammar` returns these as `Text`) --------------------


def filter_label(name: str, lang: Lang) -> str:
    """A filter's short name: followers / 粉丝, CPM, location / 地区…; an unknown name as given."""
    labels = {
        "followers": ptr(lang, "filter", "followers"),
        "price": ptr(lang, "filter", "price"),
        "cpm": ptr(lang, "filter", "CPM"),
        "cpe": ptr(lang, "filter", "CPE"),
        "er": ptr(lang, "filter", "engagement rate"),
        "completion": ptr(lang, "filter", "completion rate"),
        "star": ptr(lang, "filter", "Xingtu index"),
        "growth": ptr(lang, "filter", "15-day follower growth"),
        "ecom": ptr(lang, "filter", "e-commerce level"),
        "gender": ptr(lang, "filter", "gender"),
        "region": ptr(lang, "filter", "location"),
        "tag": ptr(lang, "filter", "tags"),
    }
    return labels.get(name, name)


def _plain(v: float) -> str:
    return f"{round(v, 2):,}".removesuffix(".0")


def filter_value(name: str, v: float, lang: Lang) -> str:
    """A filter's bound as the reader counts: 100,000 / 10万, ¥2万, 3%, L3."""
    if name in ("followers", "price", "cpm", "cpe"):
        prefix = "" if name == "followers" else "¥"
        if lang == "zh" and v >= _YI:
            return f"{prefix}{_plain(v / _YI)}{vocab.YI}"
        if lang == "zh" and v >= _WAN:
            return f"{prefix}{_plain(v / _WAN)}{vocab.WAN}"
        return prefix + _plain(v)
    if name in ("er", "completion", "growth"):
        return f"{_plain(v * 100)}%"
    if name == "ecom":
        return f"L{v:.0f}"
    return _plain(v)


class FilterLabel(Text):
    """`filter_label(name)`, in the language it is rendered in."""

    __slots__ = ()

    def render(self, lang: str) -> str:
        return filter_label(self.msgid, cast(Lang, lang))


class FilterValue(Text):
    """`filter_value(name, value)`, in the language it is rendered in."""

    __slots__ = ()

    def __init__(self, name: str, value: float, /) -> None:
        super().__init__(name, value=value)

    def render(self, lang: str) -> str:
        value = self.params["value"]
        assert isinstance(value, float | int)
        return filter_value(self.msgid, float(value), cast(Lang, lang))


class Choices(Text):
    """An option's values for a "must be one of" hint, each as the reader would type it: the
    canonical word in English, its first Chinese alias in Chinese (`女 | 男`, `female | male`)."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: tuple[tuple[str, str], ...], /) -> None:
        super().__init__(" | ", pairs=pairs)
        self.pairs = pairs

    def render(self, lang: str) -> str:
        return " | ".join(chinese if lang == "zh" else value for value, chinese in self.pairs)


class Shown(Text):
    """`value` formatted for the language the message is rendered in: `Shown(fmt.count, 12_000)`."""

    __slots__ = ("show", "value")

    def __init__(self, show: Callable[[Any, Lang], str], value: object, /) -> None:
        super().__init__("")
        self.show, self.value = show, value

    def render(self, lang: str) -> str:
        return self.show(self.value, lang)  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Shown) and (self.show, self.value) == (other.show, other.value)

    def __hash__(self) -> int:
        return hash((self.show, repr(self.value)))

    def __repr__(self) -> str:
        return f"Shown({getattr(self.show, '__name__', self.show)!s}, {self.value!r})"


class Joined(Text):
    """Several `Text`s as one list: "a, b" (en), "a、b" (zh)."""

    __slots__ = ("items",)

    def __init__(self, items: tuple[Text, ...], /) -> None:
        super().__init__(", ", items=items)
        self.items = items

    def render(self, lang: str) -> str:
        return tr(lang, ", ").join(item.render(lang) for item in self.items)


class Places(Text):
    """Regions a search names, as the reader's language names them: "Guangdong / Shenzhen" (en),
    "广东 / 深圳" (zh); a place kolbot has no English name for stays as typed."""

    __slots__ = ()

    def __init__(self, names: tuple[str, ...], /) -> None:
        super().__init__(" / ", names=names)

    def render(self, lang: str) -> str:
        names = self.params["names"]
        assert isinstance(names, tuple)
        return " / ".join(_place_name(str(name), lang) for name in names)


class TierSpan(Text):
    """City tiers low–high: "1-2" in English, Xingtu's names in Chinese (一线–二线)."""

    __slots__ = ()

    def __init__(self, low: float, high: float, /, dash: str = "-") -> None:
        super().__init__("%(low)s-%(high)s", low=low, high=high, dash=dash)

    def render(self, lang: str) -> str:
        low, high, dash = self.params["low"], self.params["high"], self.params["dash"]
        assert isinstance(low, float | int) and isinstance(high, float | int)
        if lang != "zh":
            return f"{low:g}{dash}{high:g}" if high != low else f"{low:g}"
        names = {tier: name for name, tier in vocab.CITY_TIERS.items()}
        return "–".join(names.get(v, f"{v:g}{vocab.TIER_SUFFIX}") for v in dict.fromkeys((low, high)))


class CohortShare(Text):
    """Where a percentile `p` stands in a search, said the way each language says it: English counts
    from the top ("in the best 12%": 100 - p), Chinese counts those it beats ("优于 88%": p)."""

    __slots__ = ()

    def __init__(self, p: float, /) -> None:
        super().__init__("%(p)s", p=p)

    def render(self, lang: str) -> str:
        p = self.params["p"]
        assert isinstance(p, float | int)
        if lang == "zh":
            return f"{p:.0f}"
        return str(max(1, round(100 - p)))
