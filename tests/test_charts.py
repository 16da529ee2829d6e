"""Charts are real PNGs of the promised size, drawn with a font that has the Chinese glyphs."""

from __future__ import annotations

import io
import logging
import math
import warnings
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from PIL import Image

from bot import charts
from bot.deepdive.compare import Cell, Comparison, MetricKey, Row, build_comparison
from bot.deepdive.models import DailyFans, Distribution, DistributionKind, FanPoint, Portrait
from bot.deepdive.service import DeepDiveService, DemoDeepDiveClient
from bot.demo import synth_detail
from bot.models import Duration

START = date(2026, 8, 1)
SERIES = DailyFans(
    points=[FanPoint(day=START + timedelta(days=i), followers=10_000 + 50 * i) for i in range(90)]
)
PORTRAIT = Portrait(
    distributions={
        DistributionKind.GENDER: Distribution(kind=DistributionKind.GENDER, counts={"female": 7, "male": 3}),
        DistributionKind.AGE: Distribution(
            kind=DistributionKind.AGE, counts={"24-30": 4, "18-23": 5, "50+": 1}
        ),
        DistributionKind.CITY_TIER: Distribution(
            kind=DistributionKind.CITY_TIER, counts={"二线": 3, "一线": 2, "新一线": 4}
        ),
    }
)


@pytest.fixture(autouse=True)
def missing_glyphs_fail() -> Iterator[None]:
    """matplotlib warns "Glyph … missing from font(s)" when it would draw a box."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        yield


def image(png: bytes) -> Image.Image:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    picture = Image.open(io.BytesIO(png))
    picture.verify()
    return Image.open(io.BytesIO(png))


def texts(fig: Figure) -> list[Text]:
    fig.canvas.draw()  # tick labels exist only once drawn
    return [t for t in fig.findobj(Text) if t.get_text()]


def chinese(text: str) -> str:
    return "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")


def test_the_font_is_kurinto_sans_sc_from_weblate_fonts() -> None:
    path = charts.cjk_font_path()
    assert path is not None and path.name == "KurintoSansSC-Rg.ttf" and "weblate_fonts" in path.parts
    assert FT2Font(str(path)).family_name == "Kurinto Sans SC"


def test_the_font_covers_every_chinese_character_the_charts_draw() -> None:
    service = DeepDiveService(DemoDeepDiveClient())
    dives = [service.deep_dive(s) for s in synth_detail.demo_star_ids()[10:14]]
    figures = [
        charts.follower_trend_figure(SERIES, [START], "zh"),
        charts.audience_figure(PORTRAIT, "zh", title="测试达人"),
        charts.compare_figure(build_comparison(dives, Duration.MEDIUM), "zh"),
    ]
    drawn = {ch for fig in figures for t in texts(fig) for ch in chinese(t.get_text())}
    charmap = FT2Font(str(charts.cjk_font_path())).get_charmap()
    assert len(drawn) > 20 and {ch for ch in drawn if ord(ch) not in charmap} == set()


@pytest.fixture
def missing_font_file(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The bundled font's path, while `cjk_font_path` looks for a file that is not there."""
    bundled = charts.cjk_font_path()
    assert bundled is not None
    monkeypatch.setattr(charts, "_FONT_FILE", ("weblate_fonts", "no/such/font.ttf"))
    charts.cjk_font_path.cache_clear()
    yield bundled
    charts.cjk_font_path.cache_clear()


def test_a_missing_font_file_falls_back_to_a_system_cjk_font(missing_font_file, monkeypatch, caplog) -> None:
    bundled = missing_font_file
    font_manager.fontManager.addfont(str(bundled))  # the real file, found below as a "system" font
    monkeypatch.setattr(charts, "_SYSTEM_CJK_FAMILIES", ("No Such CJK", "Kurinto Sans SC"))
    with caplog.at_level(logging.WARNING, logger="bot.charts"):
        assert charts.cjk_font_path() == bundled
    assert "no/such/font.ttf" in caplog.text and f"using the system font {bundled}" in caplog.text


def test_without_any_cjk_font_charts_say_so_once(missing_font_file, monkeypatch, caplog) -> None:
    monkeypatch.setattr(charts, "_SYSTEM_CJK_FAMILIES", ("No Such CJK",))
    with caplog.at_level(logging.WARNING, logger="bot.charts"):
        assert charts.cjk_font_path() is None
        assert charts.cjk_font_path() is None
    [record] = caplog.records
    assert record.levelno == logging.ERROR and "no CJK font found" in record.getMessage()


def test_follower_trend_png_size_and_flag_marks() -> None:
    flagged = [START + timedelta(days=30), date(2020, 1, 1)]  # a day outside the series is ignored
    assert image(charts.follower_trend_png(SERIES, flagged, "zh")).size == (800, 400)
    fig = charts.follower_trend_figure(SERIES, flagged, "zh")
    labels = [t.get_text() for t in texts(fig)]
    assert "粉丝趋势（近 90 天）" in labels and "异常日" in labels and "08-31" in labels
    assert any(label.endswith("万") for label in labels)  # y ticks in 万


def test_the_follower_trend_png_says_whose_it_is() -> None:
    """A chart saved or forwarded out of its thread still names the creator."""
    fig = charts.follower_trend_figure(SERIES, [], "zh", title="测试达人🍀：近 90 天粉丝趋势")
    assert fig.axes[0].get_title() == "测试达人：近 90 天粉丝趋势"


def test_chinese_text_is_drawn_with_the_cjk_font() -> None:
    fig = charts.audience_figure(PORTRAIT, "zh", title="测试达人")
    chinese = [t for t in texts(fig) if any("\u4e00" <= ch <= "\u9fff" for ch in t.get_text())]
    assert {t.get_text() for t in chinese} >= {"性别", "年龄", "城市等级", "女", "新一线", "测试达人"}
    cjk = str(charts.cjk_font_path())
    for text in chinese:
        assert font_manager.findfont(text.get_fontproperties()) == cjk


def test_audience_png_size_and_missing_panel() -> None:
    assert image(charts.audience_png(PORTRAIT, "en")).size == (900, 600)
    labels = [t.get_text() for t in texts(charts.audience_figure(PORTRAIT, "en"))]
    assert "no data" in labels  # device distribution is absent
    assert labels.index("18-23") < labels.index("24-30") < labels.index("50+")


def test_compare_png_has_one_labelled_point_per_creator() -> None:
    service = DeepDiveService(DemoDeepDiveClient())
    dives = [service.deep_dive(s) for s in synth_detail.demo_star_ids()[10:14]]
    comparison = build_comparison(dives, Duration.MEDIUM)
    assert image(charts.compare_png(comparison, "zh")).size == (800, 500)
    fig = charts.compare_figure(comparison, "zh")
    labels = {t.get_text() for t in texts(fig)}
    cpms, rates = comparison.values(MetricKey.CPM), comparison.values(MetricKey.ER)
    plotted = [
        charts.drawable(name)
        for name, cpm, er in zip(comparison.nicknames, cpms, rates, strict=True)
        if cpm is not None and er is not None
    ]
    assert plotted and set(plotted) <= labels
    assert "互动率（%）" in labels


def test_emoji_are_dropped_instead_of_drawn_as_boxes() -> None:
    assert charts.drawable("小鹿🍀爱护肤") == "小鹿爱护肤"


def test_sparkline() -> None:
    assert charts.sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█"
    assert charts.sparkline([5, 5, 5]) == "▅▅▅"
    assert len(charts.sparkline(list(range(90)), width=30)) == 30
    assert charts.sparkline([]) == ""


def test_english_audience_buckets_are_named_in_english() -> None:
    from bot.formatting import bucket

    assert [bucket(k, "en") for k in ("一线", "新一线", "其他", "华为", "广东")] == [
        "tier 1",
        "new tier 1",
        "other",
        "Huawei",
        "Guangdong",  # provinces in English; a place kolbot does not know stays as Xingtu sends it
    ]
    assert [bucket(p, "en") for p in ("浙江省", "内蒙古自治区", "香港特别行政区", "未知地区")] == [
        "Zhejiang",
        "Inner Mongolia",
        "Hong Kong",
        "未知地区",
    ]
    assert bucket("一线", "zh") == "一线" and bucket("female", "zh") == "女"


def test_compare_names_of_creators_that_sit_together_do_not_overlap() -> None:
    """Two creators with almost the same CPM and engagement rate: one name moves off the other."""
    service = DeepDiveService(DemoDeepDiveClient())
    dives = [service.deep_dive(s) for s in synth_detail.demo_star_ids()[10:12]]
    twin = dives[0].model_copy(deep=True, update={"star_id": "9" * 19})
    comparison = build_comparison([dives[0], twin, dives[1]], Duration.MEDIUM)
    comparison.nicknames[1] = "另一位名字差不多的达人"
    fig = charts.compare_figure(comparison, "zh")
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg's
    fig.draw(renderer)
    names = set(comparison.nicknames)
    boxes = [t.get_window_extent(renderer) for t in fig.axes[0].texts if t.get_text() in names]
    assert len(boxes) >= 2
    assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b)]


# -- axis numbers ---------------------------------------------------------------------------------

UNITS = {"万": 1e4, "亿": 1e8, "K": 1e3, "M": 1e6, "B": 1e9}


def read_number(label: str) -> float:
    """An axis label back to its number: "12.25万" -> 122500, "1,000" -> 1000."""
    unit = UNITS.get(label[-1:], 1.0)
    return float(label.removesuffix(label[-1]) if unit != 1.0 else label.replace(",", "")) * unit


def tick_labels(fig: Figure) -> list[tuple[float, str]]:
    """The (value, text) of every y tick label drawn inside the axis' limits."""
    fig.canvas.draw()
    ax = fig.axes[0]
    low, high = ax.get_ylim()
    at = [(t.get_position()[1], t.get_text()) for t in ax.get_yticklabels()]
    return [(value, text) for value, text in at if low <= value <= high and text]


def steady(count: int, first: float, step: float) -> DailyFans:
    return DailyFans(
        points=[
            FanPoint(day=START + timedelta(days=i), followers=round(first + step * i)) for i in range(count)
        ]
    )


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        (122_500, "12.25万", "122.5K"),
        (130_000, "13万", "130K"),
        (120_000_000, "1.2亿", "120M"),
        (125_000_000, "1.25亿", "125M"),
        (98_000_000, "9800万", "98M"),
        (9_800, "9,800", "9.8K"),
        (1_000, "1,000", "1K"),
        (2.5, "2.5", "2.5"),
        (0, "0", "0"),
    ],
)
def test_axis_numbers_are_exact_in_the_units_cards_use(value: float, zh: str, en: str) -> None:
    assert (charts._compact(value, "zh"), charts._compact(value, "en")) == (zh, en)


def test_axis_numbers_read_as_the_card_formatter_writes_them_where_one_decimal_is_exact() -> None:
    from bot import formatting

    for value in (7, 866, 9_800, 10_000, 12_000, 124_000, 4_400_000, 12_300_000, 120_000_000, 3.4e9):
        for lang in ("zh", "en"):
            assert charts._compact(value, lang) == formatting.count(value, lang)


@pytest.mark.parametrize(
    ("series", "unit"),
    [
        (steady(90, 121_000, 190), "万"),  # 12万-13.8万 was stepped by 2,500: 12.2万, 12.5万, 12.8万
        (steady(90, 10_000, 20), "万"),  # 1万-1.2万 was written 1万, 1万, 1.1万, 1.1万
        (steady(90, 120_000_000, 400_000), "亿"),  # 1.2亿, not 12000万
    ],
    ids=["2.5 steps", "one decimal too few", "yi"],
)
def test_follower_ticks_are_even_round_numbers_each_label_exact(series: DailyFans, unit: str) -> None:
    for lang in ("zh", "en"):
        ticks = tick_labels(charts.follower_trend_figure(series, [], lang))
        values = [value for value, _text in ticks]
        step = values[1] - values[0]
        assert len(ticks) >= 3 and all(abs(b - a - step) < 1e-6 * step for a, b in pairwise(values))
        assert round(step / 10 ** math.floor(math.log10(step)), 6) in (1, 2, 5)  # no 2.5 steps
        assert all(read_number(text) == pytest.approx(value) for value, text in ticks)
    assert all(
        text.endswith(unit) for _value, text in tick_labels(charts.follower_trend_figure(series, [], "zh"))
    )


# -- labels --------------------------------------------------------------------------------------


def label_boxes(fig: Figure, names: set[str] | None = None) -> list[Bbox]:
    """The drawn boxes of the first axes' texts (those in `names`), checked to lie inside the axes
    (so off the tick labels) and clear of one another."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg's
    fig.draw(renderer)
    ax = fig.axes[0]
    frame = ax.get_window_extent(renderer)
    boxes = [t.get_window_extent(renderer) for t in ax.texts if names is None or t.get_text() in names]
    outside = [
        b
        for b in boxes
        if not (frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1)
    ]
    assert not outside, f"labels outside the axes {frame}: {outside}"
    assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b)]
    return boxes


def test_a_label_with_no_free_place_is_left_out_not_drawn_over_another() -> None:
    """Forty names on one point: as many as fit go around it, joined by lines; the rest are left
    out (the last spot used to take them, over the others)."""
    fig = charts._figure((4.0, 3.0))
    ax = fig.add_subplot()
    ax.set(xlim=(0, 1), ylim=(0, 1))
    labels = [(f"creator number {i}", 0.5, 0.5) for i in range(40)]
    left_out = charts.place_labels(fig, ax, labels, [(0, 0, "center")], fontsize=10)
    assert left_out and len(label_boxes(fig)) + len(left_out) == 40
    assert ax.lines  # names set apart from their point are joined to it


def test_a_label_at_the_edge_turns_inward_and_keeps_off_the_dots() -> None:
    fig = charts._figure((4.0, 3.0))
    ax = fig.add_subplot()
    ax.set(xlim=(0, 1), ylim=(0, 1))
    labels = [("top right corner", 0.99, 0.99), ("next to it", 0.9, 0.95)]
    assert charts.place_labels(fig, ax, labels, [(5, 8, "left"), (-5, -8, "right")], fontsize=9, dot=4) == []
    dots = [charts._dot_box(ax, (x, y), 4 * fig.dpi / 72) for _t, x, y in labels]
    assert not [(b, d) for b in label_boxes(fig) for d in dots if b.overlaps(d)]


# -- comparison bubbles --------------------------------------------------------------------------


def comparison_of(*creators: tuple[str, float | None, float | None, float | None]) -> Comparison:
    """A comparison of (name, CPM, engagement rate, followers)."""

    def row(key: MetricKey, at: int) -> Row:
        return Row(key=key, cells=[Cell(value=c[at]) for c in creators])

    return Comparison(
        duration=Duration.MEDIUM,
        star_ids=[str(i) for i in range(len(creators))],
        nicknames=[c[0] for c in creators],
        rows=[row(MetricKey.CPM, 1), row(MetricKey.ER, 2), row(MetricKey.FOLLOWERS, 3)],
        verdicts=[],
        cost_usd=0,
        upstream_calls=0,
        cache_hits=0,
    )


SPREAD_IDS = ("6641076880623093594", "7378689833671154914", "6926817134996674686", "7356390360773354272")
OUTLIER = comparison_of(
    ("是橙子酱", 57.0, 0.0378, 6_574_000),
    ("是半夏成分研究所", 70.0, 0.031, 752_000),
    ("桃桃（美妆版）", 116.0, 0.027, 274_000),
    ("阿狸糖糖", 79.0, 0.035, 160_000),
    ("大力木木", 1482.0, 0.0318, 1_630_000),
)
SIMILAR = comparison_of(
    ("是橙子酱", 50.0, 0.030, 6_574_000),
    ("是半夏成分研究所", 51.0, 0.031, 752_000),
    ("桃桃（美妆版）", 52.0, 0.0305, 274_000),
    ("阿狸糖糖", 50.5, 0.0302, 9_160_000),
)
ONE_PLOTTED = comparison_of(("是橙子酱", 57.0, 0.0378, 6_574_000), ("是初一姐姐", None, 0.025, 185_000))


def spread_comparison() -> Comparison:
    """The demo's ¥12 … ¥1,482 CPMs: a bubble sat on the y axis over its tick labels."""
    service = DeepDiveService(DemoDeepDiveClient())
    return build_comparison([service.deep_dive(s) for s in SPREAD_IDS], Duration.MEDIUM)


def bubbles_outside(fig: Figure) -> list[tuple[float, float]]:
    """Centres of bubbles that reach past the axes' frame."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg's
    fig.draw(renderer)
    ax = fig.axes[0]
    frame = ax.get_window_extent(renderer)
    found = []
    for collection in ax.collections:
        for (x, y), size in zip(
            ax.transData.transform(collection.get_offsets()), collection.get_sizes(), strict=True
        ):
            r = math.sqrt(size) / 2 * fig.dpi / 72
            if not (frame.x0 <= x - r and x + r <= frame.x1 and frame.y0 <= y - r and y + r <= frame.y1):
                found.append((x, y))
    return found


@pytest.mark.parametrize("case", ["spread", "outlier", "similar", "one plotted"])
def test_compare_bubbles_and_names_stay_inside_and_apart(case: str) -> None:
    comparison = {"outlier": OUTLIER, "similar": SIMILAR, "one plotted": ONE_PLOTTED}.get(
        case
    ) or spread_comparison()
    for lang in ("zh", "en"):
        fig = charts.compare_figure(comparison, lang)
        assert not bubbles_outside(fig)
        cpms = comparison.values(MetricKey.CPM)
        rates = comparison.values(MetricKey.ER)
        names = {
            charts.drawable(n) for n, c, r in zip(comparison.nicknames, cpms, rates, strict=True) if c and r
        }
        boxes = label_boxes(fig, names)  # inside the axes, off the ticks, apart
        assert len(boxes) == len(names)  # every plotted creator is named
        assert not [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_text().startswith("-")]


def test_compare_cpms_five_times_apart_or_more_go_on_a_log_axis() -> None:
    assert charts.compare_figure(spread_comparison(), "zh").axes[0].get_xscale() == "log"
    assert charts.compare_figure(OUTLIER, "zh").axes[0].get_xscale() == "log"
    similar = charts.compare_figure(SIMILAR, "zh").axes[0]
    assert similar.get_xscale() == "linear" and similar.get_xlim()[0] > 30  # zoomed on 50-52, not from 0


def test_compare_has_a_key_to_bubble_size() -> None:
    fig = charts.compare_figure(OUTLIER, "zh")
    [key] = fig.legends
    assert key.get_title().get_text() == "粉丝"
    assert [t.get_text() for t in key.get_texts()] == ["657.4万", "16万"]  # most and fewest followers shown


# -- follower trend ------------------------------------------------------------------------------


def test_one_day_of_followers_is_drawn_over_a_few_days_not_years() -> None:
    fig = charts.follower_trend_figure(steady(1, 125_000, 0), [START], "zh")
    low, high = fig.axes[0].get_xlim()  # days since the epoch
    assert 2 <= high - low <= 14
    assert not bubbles_outside(fig)  # the one flagged dot is inside


def test_many_flagged_days_keep_their_dates_apart_and_off_the_legend() -> None:
    """A flag every third day: dates went over each other and over the legend."""
    series = steady(90, 122_000, 170)
    flagged = [START + timedelta(days=i) for i in range(0, 90, 3)]
    for lang in ("zh", "en"):
        fig = charts.follower_trend_figure(series, flagged, lang)
        dates = label_boxes(fig)  # inside the axes, apart
        assert len(dates) >= 8  # as many as fit, the rest left to the axis
        [legend] = [*fig.legends, *filter(None, [fig.axes[0].get_legend()])]
        assert not [d for d in dates if d.overlaps(legend.get_window_extent())]


def test_the_legend_is_off_the_line() -> None:
    """A falling line starts in the upper left corner, where the legend was."""
    fig = charts.follower_trend_figure(steady(90, 9_000_000, -40_000), [START + timedelta(days=40)], "zh")
    fig.canvas.draw()
    ax = fig.axes[0]
    [legend] = [*fig.legends, *filter(None, [ax.get_legend()])]
    box = legend.get_window_extent()
    points = ax.transData.transform(ax.lines[0].get_xydata())
    assert not [p for p in points if box.contains(*p)]


# -- audience ------------------------------------------------------------------------------------


def test_audience_shares_stop_at_100_percent_with_every_share_written_inside_its_panel() -> None:
    """96 % women: the axis ran to 120 %, past any share there can be."""
    lopsided = Portrait(
        distributions={
            **PORTRAIT.distributions,
            DistributionKind.GENDER: Distribution(
                kind=DistributionKind.GENDER, counts={"female": 96, "male": 4}
            ),
            DistributionKind.DEVICE: Distribution(
                kind=DistributionKind.DEVICE, counts={"苹果": 85, "华为": 15}
            ),
            DistributionKind.AGE: Distribution(kind=DistributionKind.AGE, counts={"18-23": 80, "24-30": 20}),
        }
    )  # 80 % is the largest share still written after its bar
    for lang in ("zh", "en"):
        fig = charts.audience_figure(lopsided, lang)
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg's
        fig.draw(renderer)
        for ax in fig.axes:
            assert ax.get_xlim()[1] <= 100
            ticks = [float(t.get_text().rstrip("%")) for t in ax.get_xticklabels() if t.get_text()]
            assert ticks and max(ticks) <= 100
            frame = ax.get_window_extent(renderer)
            shares = [t.get_window_extent(renderer) for t in ax.texts if t.get_text().endswith("%")]
            assert shares and all(frame.x0 <= b.x0 and b.x1 <= frame.x1 for b in shares)
