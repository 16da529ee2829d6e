"""The plan's chart: round, exact ticks in card units, a legend off the points, names that stay
inside the chart, clear of each other, and say when they were shortened."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from bot.planner.chart import plan_figure
from bot.planner.models import Plan, PlanRequest, TierBounds
from bot.planner.optimise import make_plan
from tests.planner_support import candidate


def plan_of(*points: tuple[str, float, float], budget: float = 100_000) -> Plan:
    """A plan over creators (name, cost, plays); the cheapest that fit the budget are chosen."""
    pool = [candidate(f"s{i}", cost, plays, nickname=name) for i, (name, cost, plays) in enumerate(points)]
    return make_plan(PlanRequest(budget_yuan=budget), pool, TierBounds())


def ticks(fig: Figure, axis: str) -> list[tuple[float, str]]:
    """(value, text) of the labelled major ticks inside the axis' limits."""
    fig.canvas.draw()
    ax = fig.axes[0]
    low, high = sorted(ax.get_xlim() if axis == "x" else ax.get_ylim())
    found = ax.xaxis.get_majorticklabels() if axis == "x" else ax.yaxis.get_majorticklabels()
    at = 0 if axis == "x" else 1
    return [(t.get_position()[at], t.get_text()) for t in found if low <= t.get_position()[at] <= high]


def test_ticks_over_less_than_a_decade_are_round_even_steps_in_wan() -> None:
    """Two creators ¥4.85万 and ¥6.8万: matplotlib's fallback wrote 5.2万, 5.5万, 5.8万 for 52,500…"""
    fig = plan_figure(plan_of(("星星桃桃", 48_500, 3_900_000), ("是橙子酱", 68_000, 1_150_000)), "zh")
    for axis in ("x", "y"):
        shown = ticks(fig, axis)
        values = [v for v, _t in shown]
        steps = {round(b - a, 6) for a, b in pairwise(values)}
        assert len(shown) >= 3 and len(steps) == 1
        [step] = steps
        assert round(step / 10 ** math.floor(math.log10(step)), 6) in (1, 2, 5)
        assert all(text.endswith("万") and float(text[:-1]) * 1e4 == round(v) for v, text in shown)


def drawn(fig: Figure) -> tuple[Bbox, list[Bbox], list[Bbox]]:
    """The axes' frame, the names' boxes and the dots' boxes, as drawn."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg's
    fig.draw(renderer)
    ax = fig.axes[0]
    dots = []
    for collection in ax.collections:
        centres = ax.transData.transform(collection.get_offsets())
        for (x, y), size in zip(centres, np.broadcast_to(collection.get_sizes(), len(centres)), strict=True):
            r = math.sqrt(size) / 2 * fig.dpi / 72
            dots.append(Bbox.from_extents(x - r, y - r, x + r, y + r))
    return ax.get_window_extent(renderer), [t.get_window_extent(renderer) for t in ax.texts], dots


# The demo's 护肤 creators with 500万+ followers and a ¥10万 budget: the one chosen is the cheap,
# far-reaching one, in the corner the legend covered, its name cut off at the top edge.
CORNER = plan_of(("星星桃桃", 48_500, 3_900_000), ("是橙子酱", 68_000, 1_150_000), budget=50_000)


def test_the_legend_covers_no_point_and_no_name() -> None:
    for lang in ("zh", "en"):
        fig = plan_figure(CORNER, lang)
        _frame, names, dots = drawn(fig)
        legends = [
            legend.get_window_extent() for legend in [*fig.legends, fig.axes[0].get_legend()] if legend
        ]
        assert legends and not [(k, b) for k in legends for b in (*names, *dots) if k.overlaps(b)]


def test_names_stay_inside_the_axes_off_the_dots_and_apart() -> None:
    crowd = [(f"达人{n}", 5_000 + 20 * n, 80_000 + 500 * n) for n in range(8)]
    for plan in (CORNER, plan_of(*crowd, ("far", 500, 2_000), ("top", 60_000, 3_000_000))):
        frame, names, dots = drawn(plan_figure(plan, "zh"))
        assert names and all(frame.x0 <= b.x0 and b.x1 <= frame.x1 for b in names)
        assert all(frame.y0 <= b.y0 and b.y1 <= frame.y1 for b in names)
        assert not [(a, b) for i, a in enumerate(names) for b in names[i + 1 :] if a.overlaps(b)]
        assert not [(a, d) for a in names for d in dots if a.overlaps(d)]


def test_a_long_name_is_shortened_with_an_ellipsis() -> None:
    plan = plan_of(("一个名字很长很长很长的达人账号", 5_000, 100_000), ("短名", 6_000, 90_000))
    names = {t.get_text() for t in plan_figure(plan, "zh").axes[0].texts}
    assert names == {"一个名字很长很长很长的…", "短名"}  # 12 characters with the …
