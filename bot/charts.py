"""PNG charts for deep-dives and comparisons (matplotlib, Agg), plus a one-line text sparkline.

Labels are Chinese or English, so every chart is drawn with a CJK font registered with
`font_manager.addfont`: Kurinto Sans SC (SIL Open Font License 1.1) from the `weblate-fonts`
wheel, a project dependency, so `pip install kolbot` draws Chinese without root or system fonts.
If that file is missing, an installed system CJK font (Noto Sans CJK, Source Han Sans, WenQuanYi)
is used, and with none the charts drop the characters no font has, after one ERROR log line.
DejaVu Sans stays as the fallback for Latin glyphs. Figures are built with the object API (no
pyplot state), so rendering is safe from several threads.

matplotlib is imported inside the drawing functions: it costs about 40 MB, and a server that
never draws a chart (or has not drawn one yet) should not pay for it.
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

from bot import formatting
from bot import vocabulary as vocab
from bot.deepdive.compare import Comparison, MetricKey
from bot.deepdive.models import DISTRIBUTION_LABELS, DailyFans, DistributionKind, Portrait
from bot.i18n import N_, ptr, tr
from bot.models import Lang

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.text import Annotation
    from matplotlib.transforms import Bbox

log = logging.getLogger(__name__)

DPI = 100
TREND_SIZE = (8.0, 4.0)  # inches: 800 × 400 px
AUDIENCE_SIZE = (9.0, 6.0)  # 900 × 600 px
COMPARE_SIZE = (8.0, 5.0)  # 800 × 500 px
SPARK_LEVELS = "▁▂▃▄▅▆▇█"
_FONT_FILE = ("weblate_fonts", "static/weblate_fonts/kurinto/ttf/KurintoSansSC-Rg.ttf")
_SYSTEM_CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei")
_LINE, _FLAG, _GRID = "#2563eb", "#dc2626", "#e5e7eb"
_AUDIENCE_PANELS = (  # the four panels, titled by DISTRIBUTION_LABELS
    DistributionKind.GENDER,
    DistributionKind.AGE,
    DistributionKind.CITY_TIER,
    DistributionKind.DEVICE,
)
_GENDER_NAMES = {"female": N_("Female"), "male": N_("Male")}


@lru_cache(maxsize=1)
def cjk_font_path() -> Path | None:
    """The CJK font file charts use: the bundled one, else a system one, else None (logged)."""
    package, name = _FONT_FILE
    try:
        bundled = Path(str(files(package).joinpath(name)))
    except ModuleNotFoundError:
        bundled = None
    if bundled is not None and bundled.is_file():
        return bundled
    system = _system_cjk_font()
    log.log(
        logging.WARNING if system else logging.ERROR,
        "chart font %s from the weblate-fonts package is missing (pip install kolbot reinstalls it); %s",
        name,
        f"using the system font {system}" if system else "no CJK font found: Chinese is left out of charts",
    )
    return system


def _system_cjk_font() -> Path | None:
    from matplotlib import font_manager

    for family in _SYSTEM_CJK_FAMILIES:
        try:
            found = font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
        except ValueError:
            continue
        return Path(found)
    return None


@lru_cache(maxsize=1)
def _font_families() -> tuple[str, ...]:
    """Register the CJK font once; the font families charts use, CJK first."""
    from matplotlib import font_manager

    path = cjk_font_path()
    if path is None:
        return ("DejaVu Sans",)
    font_manager.fontManager.addfont(str(path))
    return (font_manager.FontProperties(fname=str(path)).get_name(), "DejaVu Sans")


@lru_cache(maxsize=1)
def _glyphs() -> frozenset[int]:
    """Code points the CJK font or the Latin fallback can draw."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    paths = [font_manager.findfont(font_manager.FontProperties(family=family)) for family in _font_families()]
    return frozenset(code for path in paths for code in FT2Font(path).get_charmap())


def drawable(text: str) -> str:
    """`text` without the characters no bundled font has (emoji in nicknames), instead of boxes."""
    return "".join(ch for ch in text if ord(ch) in _glyphs() or ch.isspace()).strip()


def _cjk() -> AbstractContextManager:
    """Text created or drawn inside this context uses the CJK font (tick labels appear at draw time)."""
    from matplotlib import rc_context

    return rc_context({"font.family": list(_font_families()), "axes.unicode_minus": False})


def _figure(size: tuple[float, float]) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)  # Agg canvas, no pyplot
    return fig


def to_png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    with _cjk():
        fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


# Units axis numbers are written in, largest first: those of `formatting.count` (万 and 亿 in Chinese)
_UNITS: dict[str, tuple[tuple[float, str], ...]] = {
    "zh": ((1e8, vocab.YI), (1e4, vocab.WAN)),
    "en": ((1e9, "B"), (1e6, "M"), (1e3, "K")),
}
_ROUND_STEPS = (1, 2, 5, 10)  # ticks 1, 2 or 5 × 10ⁿ apart; matplotlib's 2.5 would need 12.25万


def _compact(value: float, lang: Lang) -> str:
    """An axis number in the units cards write counts in (`formatting.count`: 12.4万, 1.2亿 / 124K,
    1.2M), with as many decimals as it needs to be exact: 12.25万, never 12.2万 for 122,500."""
    size = abs(value)
    unit, suffix = next(((u, s) for u, s in _UNITS[lang] if size >= u), (1.0, ""))
    decimals = next((d for d in range(4) if _exact(size / unit, d)), 3)
    number = f"{size / unit:{',' if unit == 1 else ''}.{decimals}f}"  # 9,800 but 9800万, as cards
    return f"{'-' if value < 0 else ''}{number}{suffix}"


def _exact(number: float, decimals: int) -> bool:
    return abs(number - round(number, decimals)) < 1e-9 * max(1.0, number)


def count_axis(axis: Axis, lang: Lang) -> None:
    """Linear ticks at round steps, written as `_compact` writes them."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(nbins="auto", steps=_ROUND_STEPS))
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: _compact(v, lang)))


def log_count_axis(axis: Axis, lang: Lang, low: float, high: float) -> None:
    """Log ticks at 1, 2 and 5 × 10ⁿ over values from `low` to `high`; over less than a factor of 5,
    where those would be one or two ticks, linear round steps instead (matplotlib's own fallback
    steps by 2.5). Labels as `_compact` writes them, none on minor ticks (3×10³ beside 1万)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    if high >= 5 * low:
        axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(FuncFormatter(lambda v, _pos: _compact(v, lang)))
    else:
        count_axis(axis, lang)
    axis.set_minor_formatter(NullFormatter())


# -- follower trend ----------------------------------------------------------------------


def follower_trend_figure(
    series: DailyFans, flagged: Sequence[date], lang: Lang, *, title: str = ""
) -> Figure:
    with _cjk():
        return _trend(series, flagged, lang, title)


def _trend(series: DailyFans, flagged: Sequence[date], lang: Lang, title: str) -> Figure:
    import numpy as np
    from matplotlib.dates import date2num

    fig = _figure(TREND_SIZE)
    ax = fig.add_subplot()
    days = [p.day for p in series.points]
    values = [p.followers for p in series.points]
    ax.plot(np.array(days, dtype="datetime64[D]"), values, color=_LINE, linewidth=1.8)
    by_day = dict(zip(days, values, strict=True))
    marks = [d for d in flagged if d in by_day]
    if marks:
        ax.scatter(
            np.array(marks, dtype="datetime64[D]"),
            [by_day[d] for d in marks],
            color=_FLAG,
            s=_FLAG_DOT**2 * 4,
            zorder=3,
            label=tr(lang, "flagged day"),
        )
        fig.legend(loc="outside lower right", frameon=False)  # inside it covered the line's start
    ax.set_title(drawable(title) or tr(lang, "Followers, last %(days)s days", days=len(days)))
    count_axis(ax.yaxis, lang)
    ax.grid(True, color=_GRID)
    if len(days) == 1:  # matplotlib would spread one day over years
        ax.set_xlim(date2num(days[0]) - _LONE_DAY_SPAN, date2num(days[0]) + _LONE_DAY_SPAN)
    fig.autofmt_xdate()
    if marks:
        dates = [(d.strftime("%m-%d"), float(date2num(d)), float(by_day[d])) for d in marks]
        place_labels(fig, ax, dates, _ABOVE_OR_BELOW, fontsize=9, color=_FLAG, dot=_FLAG_DOT, leaders=False)
    return fig


# A flagged day's date just above its dot, else just below; where neither is free the axis says it.
_ABOVE_OR_BELOW: tuple[Spot, ...] = ((0, 11, "center"), (0, -11, "center"))
_FLAG_DOT = 3.9  # a flagged day's dot's radius, points
_LONE_DAY_SPAN = 3  # days either side of a series of one day


def follower_trend_png(series: DailyFans, flagged: Sequence[date], lang: Lang, *, title: str = "") -> bytes:
    """The daily follower line with flagged days marked in red (800 × 400 px), titled with the
    creator's name when given: a PNG saved or forwarded out of its thread still says whose it is."""
    return to_png(follower_trend_figure(series, flagged, lang, title=title))


# -- audience ----------------------------------------------------------------------------


def _bucket_label(kind: DistributionKind, key: str, lang: Lang) -> str:
    if kind is DistributionKind.GENDER and key in _GENDER_NAMES:
        return tr(lang, _GENDER_NAMES[key])
    return formatting.bucket(key, lang)


def _age_order(key: str) -> float:
    digits = "".join(ch if ch.isdigit() else " " for ch in key).split()
    return float(digits[0]) if digits else float("inf")


# Xingtu's city tiers, largest cities first, by the English names `formatting.bucket` gives them
_CITY_TIERS = ("tier 1", "new tier 1", "tier 2", "tier 3", "tier 4", "tier 5")


def _city_tier_order(key: str) -> int:
    name = formatting.bucket(key, "en")
    return _CITY_TIERS.index(name) if name in _CITY_TIERS else len(_CITY_TIERS)


def _ordered(kind: DistributionKind, shares: dict[str, float]) -> list[tuple[str, float]]:
    if kind is DistributionKind.AGE:
        return sorted(shares.items(), key=lambda kv: _age_order(kv[0]))
    if kind is DistributionKind.CITY_TIER:
        return sorted(shares.items(), key=lambda kv: _city_tier_order(kv[0]))
    return sorted(shares.items(), key=lambda kv: -kv[1])[:8]


def audience_figure(portrait: Portrait, lang: Lang, *, title: str = "") -> Figure:
    with _cjk():
        return _audience(portrait, lang, title)


def _audience(portrait: Portrait, lang: Lang, title: str) -> Figure:
    from matplotlib.ticker import FuncFormatter

    fig = _figure(AUDIENCE_SIZE)
    axes = fig.subplots(2, 2).flat
    for ax, kind in zip(axes, _AUDIENCE_PANELS, strict=True):
        ax.set_title(tr(lang, DISTRIBUTION_LABELS[kind]))
        distribution = portrait.get(kind)
        rows = _ordered(kind, distribution.shares()) if distribution else []
        if not rows:
            ax.text(0.5, 0.5, ptr(lang, "chart", "no data"), ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            continue
        labels = [_bucket_label(kind, key, lang) for key, _ in rows]
        shares = [share * 100 for _, share in rows]
        bars = ax.barh(labels, shares, color=_LINE)
        notes = ax.bar_label(bars, labels=[f"{s:.0f}%" for s in shares], padding=2, fontsize=8)
        for note, share in zip(notes, shares, strict=True):
            if share * _SHARE_ROOM > 100:  # no room after the bar on an axis that stops at 100 %
                _inside_bar(note)
        ax.invert_yaxis()
        ax.set_xlim(0, min(100.0, max(shares) * _SHARE_ROOM))  # room for the shares, never past 100 %
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}%"))  # 2.5 %, not "2%"
    fig.suptitle(drawable(title) or tr(lang, "Audience"))
    return fig


_SHARE_ROOM = 1.25  # the share axis runs this far past the largest share, for its label


def _inside_bar(note: Annotation) -> None:
    """A bar's share written inside its end, in white."""
    note.xyann = (-3, 0)
    note.set_horizontalalignment("right")
    note.set_color("white")


def audience_png(portrait: Portrait, lang: Lang, *, title: str = "") -> bytes:
    """Gender, age, city tier and device shares as four bar panels (900 × 600 px)."""
    return to_png(audience_figure(portrait, lang, title=title))


# -- comparison --------------------------------------------------------------------------


def compare_figure(comparison: Comparison, lang: Lang) -> Figure:
    with _cjk():
        return _compare(comparison, lang)


class _Bubble(NamedTuple):
    name: str
    cpm: float
    rate: float  # percent
    size: float  # marker area, points²
    followers: float | None


def _bubbles(comparison: Comparison) -> list[_Bubble]:
    """One bubble per creator with both a CPM and a rate, its area growing with followers."""
    cpms, rates, followers = (
        comparison.values(k) for k in (MetricKey.CPM, MetricKey.ER, MetricKey.FOLLOWERS)
    )
    largest = max((f for f in followers if f), default=1.0)
    return [
        _Bubble(drawable(name), cpm, rate * 100, 200 + 1800 * ((fans or 0) / largest) ** 0.5, fans)
        for name, cpm, rate, fans in zip(comparison.nicknames, cpms, rates, followers, strict=True)
        if cpm is not None and rate is not None
    ]


def _compare(comparison: Comparison, lang: Lang) -> Figure:
    fig = _figure(COMPARE_SIZE)
    ax = fig.add_subplot()
    bubbles = _bubbles(comparison)
    ax.scatter(
        [b.cpm for b in bubbles],
        [b.rate for b in bubbles],
        s=[b.size for b in bubbles],
        alpha=0.45,
        color=_LINE,
        edgecolors="white",
    )
    fig.suptitle(_compare_title(comparison, len(bubbles), lang))  # over the key too: room for a long one
    ax.set_xlabel(tr(lang, "CPM (¥ per 1,000 plays, lower is better)"))
    ax.set_ylabel(tr(lang, "Engagement rate (%)"))
    ax.grid(True, color=_GRID)
    _size_key(fig, bubbles, lang)
    _bubble_axes(fig, ax, bubbles, lang)
    place_labels(fig, ax, [(b.name, b.cpm, b.rate) for b in bubbles], _ON_BUBBLE, fontsize=10)
    return fig


def _compare_title(comparison: Comparison, shown: int, lang: Lang) -> str:
    missing = len(comparison.nicknames) - shown
    title = tr(
        lang,
        "CPM vs engagement rate (%(duration)s videos); bubble = followers",
        duration=formatting.duration_label(comparison.duration, lang),
    )
    return title + (
        tr(lang, " (%(missing)s without CPM or rate not shown)", missing=missing) if missing else ""
    )


def _size_key(fig: Figure, bubbles: Sequence[_Bubble], lang: Lang) -> None:
    """Beside the chart, what a bubble's size means: the most and the fewest followers drawn."""
    from matplotlib.lines import Line2D

    known = sorted({b.followers: b.size for b in bubbles if b.followers}.items(), reverse=True)
    keys = [known[0], known[-1]] if len(known) > 1 else known
    handles = [
        Line2D([], [], ls="", marker="o", ms=math.sqrt(size), color=_LINE, alpha=0.45, mec="white")
        for _fans, size in keys
    ]
    labels = [formatting.count(fans, lang) for fans, _size in keys]
    if handles:
        room = math.sqrt(keys[0][1]) / _KEY_PT  # the largest bubble's width, in font sizes
        fig.legend(
            handles,
            labels,
            title=tr(lang, "Followers"),
            loc="outside right center",  # clear of a long title
            frameon=False,
            fontsize=_KEY_PT,
            handlelength=room,
            handleheight=room * 1.4,
            labelspacing=0.6,
        )


_KEY_PT = 10


def _bubble_axes(fig: Figure, ax: Axes, bubbles: Sequence[_Bubble], lang: Lang) -> None:
    """CPMs five times apart or more on a log axis, as on the plan chart (one creator ten times
    dearer squeezed the rest against the y axis); both axes fitted around the bubbles, so each
    lies wholly inside with its name, near as they may be (CPMs of ¥50-52 no longer sit in a
    corner of an axis from 0). Rates never go below 0; a tick below 0 the padding shows is blank."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    cpms, rates = [b.cpm for b in bubbles], [b.rate for b in bubbles]
    log = bool(cpms) and min(cpms) > 0 and max(cpms) >= _LOG_SPREAD * min(cpms)
    if log:
        ax.set_xscale("log")
        log_count_axis(ax.xaxis, lang, min(cpms), max(cpms))
    else:
        count_axis(ax.xaxis, lang)
    ax.yaxis.set_major_locator(MaxNLocator(nbins="auto", steps=_ROUND_STEPS))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}" if v >= 0 else ""))
    if not bubbles:
        return
    fig.draw_without_rendering()  # the axes' size once laid out
    frame = ax.get_window_extent()
    pad = max(math.sqrt(b.size) for b in bubbles) / 2 * fig.dpi / 72 + _BUBBLE_MARGIN
    ax.set_xlim(_fitted(cpms, frame.width, pad, log=log))
    ax.set_ylim(_fitted(rates, frame.height, pad, log=False))


_LOG_SPREAD = 5  # the dearest CPM this many times the cheapest: a log axis
_BUBBLE_MARGIN = 8  # pixels between the largest bubble and the frame


def _fitted(values: Sequence[float], length: float, pad: float, *, log: bool) -> tuple[float, float]:
    """Axis limits that keep every value at least `pad` pixels inside an axis `length` pixels
    long, spanning at least a tenth of the values' middle (a factor of 2 on a log axis), so near
    values are set apart without making a tiny difference look large."""
    low, high = (math.log10(v) if log else v for v in (min(values), max(values)))
    middle = (low + high) / 2
    span = max(high - low, math.log10(2) if log else 0.1 * abs(middle) or 1.0)
    whole = span / (1 - 2 * min(pad, length / 3) / length)
    ends = (middle - whole / 2, middle + whole / 2)
    return (10 ** ends[0], 10 ** ends[1]) if log else ends


# A name on its bubble, else just above or below it, then further.
_ON_BUBBLE: tuple[Spot, ...] = tuple((0, dy, "center") for dy in (0, 13, -13, 26, -26))


# -- labels that do not overlap ---------------------------------------------------------------

Side = Literal["left", "center", "right"]
Spot = tuple[float, float, Side]  # offset from the point, in points, and the text's side there
_RING_ANGLES = (90, 270, 30, 150, 210, 330, 0, 180, 60, 120, 240, 300)  # above and below first
_RING_RADII = (2.0, 3.0, 4.5, 6.5, 9.0)  # in font sizes
_GAP = 3  # pixels at least between two labels, so two names never read as one


def place_labels(
    fig: Figure,
    ax: Axes,
    labels: Sequence[tuple[str, float, float]],
    spots: Sequence[Spot],
    *,
    fontsize: float,
    color: str = "black",
    dot: float = 0.0,
    keep_off: Sequence[tuple[float, float]] | None = None,
    leaders: bool = True,
) -> list[str]:
    """Each (text, x, y), in order, at the first of `spots` where it stays inside the axes, a gap
    away from the labels placed before it and off the dots (`dot`: their radius in points) at the
    `keep_off` points (the labelled ones by default); then, with `leaders`, at rings ever further
    out, joined to its point by a thin line. A label with no such place is left out, never drawn
    over another label or over the ticks. Returns the texts left out."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig.draw_without_rendering()  # final limits and layout, so points map to their place on the image
    ax.set_xlim(ax.get_xlim())  # frozen: leader lines must not rescale the axes
    ax.set_ylim(ax.get_ylim())
    canvas = fig.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    renderer = canvas.get_renderer()
    points = [(x, y) for _text, x, y in labels] if keep_off is None else keep_off
    room = _Room(
        ax.get_window_extent(renderer), [_dot_box(ax, p, dot * fig.dpi / 72) for p in points] if dot else []
    )
    tries = [*spots, *(_rings(fontsize) if leaders else ())]
    left_out = []
    for text, x, y in labels:
        note = ax.annotate(
            text, (x, y), (0, 0), textcoords="offset points", va="center", fontsize=fontsize, color=color
        )
        note.set_in_layout(False)
        found = _free_spot(note, renderer, tries, room)
        if found is None:
            note.remove()
            left_out.append(text)
            continue
        tried, box = found
        room.placed.append(box)
        if tried >= len(spots):
            _leader(ax, (x, y), box, color)
    return left_out


@dataclass
class _Room:
    """Where a label may go: inside `frame`, off `dots`, and `_GAP` away from the labels `placed`."""

    frame: Bbox
    dots: list[Bbox]
    placed: list[Bbox] = field(default_factory=list)

    def fits(self, box: Bbox) -> bool:
        frame, apart = self.frame, box.padded(_GAP)
        inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
        return (
            inside
            and not any(box.overlaps(dot) for dot in self.dots)
            and not any(apart.overlaps(other) for other in self.placed)
        )


def _rings(fontsize: float) -> list[Spot]:
    """Spots on circles around the point, the text on the far side of its offset."""
    spots = []
    for radius in _RING_RADII:
        for angle in _RING_ANGLES:
            dx, dy = (radius * fontsize * f(math.radians(angle)) for f in (math.cos, math.sin))
            side: Side = "left" if dx > fontsize / 2 else "right" if dx < -fontsize / 2 else "center"
            spots.append((round(dx, 1), round(dy, 1), side))
    return spots


def _free_spot(
    note: Annotation, renderer: RendererBase, tries: Sequence[Spot], room: _Room
) -> tuple[int, Bbox] | None:
    """`note` moved to the first of `tries` where it fits in `room`: which, and its box."""
    for tried, (dx, dy, side) in enumerate(tries):
        note.xyann = (dx, dy)
        note.set_horizontalalignment(side)
        box = note.get_window_extent(renderer)
        if room.fits(box):
            return tried, box
    return None


def _dot_box(ax: Axes, point: tuple[float, float], radius: float) -> Bbox:
    from matplotlib.transforms import Bbox

    cx, cy = ax.transData.transform(point)
    return Bbox.from_extents(cx - radius, cy - radius, cx + radius, cy + radius)


def _leader(ax: Axes, point: tuple[float, float], box: Bbox, color: str) -> None:
    """A thin line from a point to the nearest side of its label's box, for labels set apart."""
    from matplotlib.lines import Line2D

    px, py = ax.transData.transform(point)
    end = (min(max(px, box.x0), box.x1), min(max(py, box.y0), box.y1))
    (x0, y0), (x1, y1) = ax.transData.inverted().transform([(px, py), end])
    line = Line2D([x0, x1], [y0, y1], color=color, linewidth=0.6, alpha=0.7)
    line.set_in_layout(False)
    ax.add_artist(line)


def compare_png(comparison: Comparison, lang: Lang) -> bytes:
    """CPM against engagement rate, bubble = followers, one labelled point per creator (800 × 500 px)."""
    return to_png(compare_figure(comparison, lang))


# -- text --------------------------------------------------------------------------------


def sparkline(values: Sequence[float], width: int = 30) -> str:
    """A one-line trend like ▁▂▃▅▇ for cards: `values` averaged into at most `width` buckets."""
    if not values:
        return ""
    buckets = min(width, len(values))
    means = []
    for i in range(buckets):
        chunk = values[i * len(values) // buckets : (i + 1) * len(values) // buckets]
        means.append(sum(chunk) / len(chunk))
    low, high = min(means), max(means)
    if high == low:
        return SPARK_LEVELS[len(SPARK_LEVELS) // 2] * buckets
    top = len(SPARK_LEVELS) - 1
    return "".join(SPARK_LEVELS[round((m - low) / (high - low) * top)] for m in means)
