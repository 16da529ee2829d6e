"""The plan's chart: cost against expected plays for every priced candidate, chosen ones
highlighted and named, estimated plays drawn hollow. Drawn with `bot.charts`' CJK font handling."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.charts import Spot, _cjk, _figure, count_axis, drawable, log_count_axis, place_labels, to_png
from bot.formatting import duration_label
from bot.i18n import tr
from bot.identifiers import shorten
from bot.models import Lang
from bot.planner.models import Plan

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


PLAN_SIZE = (9.0, 5.5)  # 900 × 550 px
_CHOSEN, _OTHER = "#dc2626", "#94a3b8"
_MAX_LABELS = 25


def plan_figure(plan: Plan, lang: Lang) -> Figure:
    with _cjk():
        return _plan(plan, lang)


def _plan(plan: Plan, lang: Lang) -> Figure:
    fig = _figure(PLAN_SIZE)
    ax = fig.add_subplot()
    chosen = {c.star_id for c in plan.chosen}
    shown = [
        (c, c.cost_yuan, c.expected_plays)
        for c in plan.candidates
        if c.cost_yuan is not None and c.expected_plays
    ]
    for picked, colour, label in (
        (False, _OTHER, tr(lang, "not chosen")),
        (True, _CHOSEN, tr(lang, "in the plan")),
    ):
        group = [p for p in shown if (p[0].star_id in chosen) is picked]
        for estimated in (False, True):
            points = [p for p in group if p[0].plays_estimated is estimated]
            if not points:
                continue
            ax.scatter(
                [cost for _c, cost, _plays in points],
                [plays for _c, _cost, plays in points],
                s=70 if picked else 30,
                facecolors="none" if estimated else colour,
                edgecolors=colour,
                zorder=3 if picked else 2,
                label=label + (tr(lang, " (plays estimated)") if estimated else ""),
            )
    missing = len(plan.candidates) - len(shown)
    ax.set_title(
        tr(
            lang,
            "Cost vs expected plays: %(chosen)s chosen of %(shown)s",
            chosen=len(plan.picks),
            shown=len(shown),
        )
        + (tr(lang, " (%(missing)s without price or plays not shown)", missing=missing) if missing else "")
    )
    length = duration_label(plan.request.duration, lang)
    ax.set_xlabel(tr(lang, "Cost of a %(duration)s video (¥, log scale)", duration=length))
    ax.set_ylabel(tr(lang, "Expected plays (log scale)"))
    dots = [(cost, plays) for _c, cost, plays in shown]
    _axes(ax, dots, lang)
    ax.grid(True, color="#e5e7eb")
    if shown:  # below the chart: inside, any corner may hold the cheap, far-reaching picks
        handles, names = ax.get_legend_handles_labels()
        fig.legend(handles, names, loc="outside lower center", ncols=len(handles), fontsize=8, frameon=False)
    named = sorted((p for p in shown if p[0].star_id in chosen), key=lambda p: p[1])[:_MAX_LABELS]
    labels = [(shorten(drawable(c.nickname), _NAME_CHARS), cost, plays) for c, cost, plays in named]
    place_labels(fig, ax, labels, _SPOTS, fontsize=_LABEL_PT, color=_CHOSEN, dot=_DOT_PT, keep_off=dots)
    return fig


# Where a name may go from its point: right above, right below, left above, left below, then
# further up or down (`bot.charts.place_labels`).
_SPOTS: tuple[Spot, ...] = (
    (5, 10, "left"),
    (5, -9, "left"),
    (-5, 10, "right"),
    (-5, -9, "right"),
    (5, 20, "left"),
    (5, -19, "left"),
)
_LABEL_PT = 8
_DOT_PT = 4.5  # a chosen creator's dot's radius (area 70 pt²): names keep off every dot
_NAME_CHARS = 12


def _axes(ax: Axes, points: list[tuple[float, float]], lang: Lang) -> None:
    """Log axes, as prices and plays span orders of magnitude (the cheap ones stay apart), with
    ticks at 1, 2 and 5 × 10ⁿ in the units cards use."""
    if not points:
        count_axis(ax.xaxis, lang)
        count_axis(ax.yaxis, lang)
        return
    ax.set_xscale("log")
    ax.set_yscale("log")
    for axis, values in ((ax.xaxis, [x for x, _y in points]), (ax.yaxis, [y for _x, y in points])):
        log_count_axis(axis, lang, min(values), max(values))


def plan_png(plan: Plan, lang: Lang) -> bytes:
    """Every priced candidate with plays, the chosen ones in red and named (900 × 550 px)."""
    return to_png(plan_figure(plan, lang))
