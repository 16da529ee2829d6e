"""The plan's chart: round, exact ticks in card units, a legend off the points, names that stay
inside the chart, clear of each other, and say when they were shortened."""

from __future__ import annotations

import math
from itertools import pairwise

from matplotlib.figure import Figure

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
