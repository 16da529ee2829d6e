"""Campaign plan cards and forms: the plan, the channel's plan list, the *Plan budget* form and
the *Add plan to shortlist* form (templates `plan*.json.j2`).

Labels live in the templates; this module supplies what needs Python: the constraint summary,
the picks grouped by tier in sections of `ROWS_PER_SECTION`, and the re-solve budgets.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from bot.cards.actions import ResolveValue
from bot.cards.render import SlackMessage, render
from bot.cards.shortlist_views import mention, modal_view, shortlist_options
from bot.formatting import count, duration_label, pct, unit_yuan, yuan
from bot.i18n import N_, ptr, tr
from bot.models import Duration, Goal, Lang
from bot.planner import diagnose, outliers
from bot.planner.candidates import OBJECTIVE_LABELS
from bot.planner.models import (
    TIER_LABELS,
    TIER_WORDS,
    BindingKind,
    Candidate,
    Plan,
    PlanRequest,
    PlanStatus,
    TierBounds,
)
from bot.planner.optimise import RESOLVE_STEPS, step_budget
from bot.planner.request import MAX_BUDGET_YUAN, MIN_BUDGET_YUAN
from bot.planner.store import SavedPlan
from bot.shortlists.export import COUNT, TIME, YUAN, YUAN_CENTS, SummaryRow
from bot.shortlists.models import ShortlistListing

ROWS_PER_SECTION = 8
MAX_UNPRICED = 15
RELAXED_LABELS: dict[BindingKind, str] = {
    BindingKind.ONE_PER_MCN: N_("without one_per_mcn"),
    BindingKind.MAX_SHARE: N_("without max_share"),
    BindingKind.MIX: N_("without the mix minimums"),
    BindingKind.MUST: N_("without the must list"),
}


def goal_label(goal: Goal, lang: Lang) -> str:
    """A plan's goal as the plan card names it (the search form words goals its own way)."""
    if goal is Goal.SEEDING:
        return ptr(lang, "plan goal", "seeding")
    if goal is Goal.CONVERSION:
        return ptr(lang, "plan goal", "conversion")
    return ptr(lang, "plan goal", "awareness")


def tiers_text(tiers: TierBounds, lang: Lang) -> str:
    head, mid = count(tiers.head_min, lang), count(tiers.mid_min, lang)
    return tr(lang, "head ≥ %(head)s followers, mid %(mid)s–%(head)s, tail < %(mid)s", head=head, mid=mid)


def constraints_text(request: PlanRequest, lang: Lang) -> str:
    parts = []
    if request.mix:
        mix = ", ".join(
            f"{tr(lang, TIER_WORDS[t])} {r.low}"
            + ("+" if r.high is None else f"–{r.high}" if r.high != r.low else "")
            for t, r in request.mix.items()
        )
        parts.append(tr(lang, "mix %(mix)s", mix=mix))
    if request.max_share is not None:
        share = pct(request.max_share, 0)
        cap = yuan(request.max_share * request.budget_yuan, lang)
        parts.append(tr(lang, "max share %(share)s (%(cap)s)", share=share, cap=cap))
    if request.must:
        parts.append(tr(lang, "must %(len)s", len=len(request.must)))
    if request.exclude:
        parts.append(tr(lang, "exclude %(len)s", len=len(request.exclude)))
    if request.one_per_mcn:
        parts.append(tr(lang, "one per MCN"))
    return " · ".join(parts) or tr(lang, "no mix or other constraints")


def _pick_row(c: Candidate, runner: Candidate | None, lang: Lang) -> dict[str, Any]:
    basis = tr(lang, "quote") if c.basis and c.basis.value == "quote" else tr(lang, "list")
    plays = count(c.expected_plays, lang) + (tr(lang, " (est.)") if c.plays_estimated else "")
    cpe = unit_yuan(c.cpe_yuan, lang)
    if c.cpe_yuan is not None and c.engagements_estimated:
        cpe += tr(lang, " (est.)")
    return {
        "name": c.nickname,
        "url": c.xingtu_url,
        "cost": yuan(c.cost_yuan, lang),
        "basis": basis,
        "plays": plays,
        "cpm": unit_yuan(c.cpm_yuan, lang),
        "cpe": cpe,
        "runner": None
        if runner is None
        else {
            "name": runner.nickname,
            "cost": yuan(runner.cost_yuan, lang),
            "plays": count(runner.expected_plays, lang),
        },
    }


def _tiers(plan: Plan, lang: Lang) -> list[dict[str, Any]]:
    out = []
    for tier, picks in plan.by_tier():
        rows = [_pick_row(p.candidate, p.runner_up, lang) for p in picks]
        for start in range(0, len(rows), ROWS_PER_SECTION):
            out.append(
                {
                    "label": tr(lang, TIER_LABELS[tier]),
                    "count": len(rows),
                    "first": start == 0,
                    "rows": rows[start : start + ROWS_PER_SECTION],
                }
            )
    return out


def _estimated_rate(plan: Plan) -> float | None:
    """The median engagement rate an estimated engagement figure of this plan rests on."""
    for c in plan.chosen:
        if c.engagements_estimated and c.engagements and c.expected_plays:
            return c.engagements / c.expected_plays
    return None


def _overpriced(plan: Plan, lang: Lang) -> dict[str, Any] | None:
    """The candidates left out for a CPM far above the others', each with its price and reach."""
    left_out = plan.overpriced_candidates
    median = outliers.median_cpm(plan.not_excluded)
    if not left_out or median is None:
        return None
    rows = [
        tr(
            lang,
            "%(name)s: %(cost)s for %(plays)s expected plays (CPM %(cpm)s)",
            name=c.nickname,
            cost=yuan(c.cost_yuan, lang),
            plays=count(c.expected_plays, lang),
            cpm=unit_yuan(c.cpm_yuan, lang),
        )
        for c in left_out[:MAX_UNPRICED]
    ]
    return {
        "rows": rows,
        "more": max(0, len(left_out) - MAX_UNPRICED),
        "factor": f"{plan.request.outlier_factor:g}",
        "median": yuan(median, lang),
    }


def resolve_buttons(saved: SavedPlan, lang: Lang) -> list[dict[str, Any]]:
    """(label, value) of the re-solve buttons. A budget that buys nobody gets one button, at the
    least budget that buys the cheapest creator (its cap included); otherwise −20 % and +20 %, each
    only when the planner found it gives another plan (`Plan.resolve_steps`)."""
    plan = saved.plan
    request = plan.request
    open_ = [
        c.cost_yuan
        for c in plan.candidates
        if c.cost_yuan is not None and c.star_id not in {*request.exclude, *plan.overpriced}
    ]
    share = request.max_share or 1.0
    cheapest = min((cost / share for cost in open_), default=None)  # the cap lets them in from here
    if plan.binding is not None and plan.binding.kind is BindingKind.BUDGET and cheapest is not None:
        at = math.ceil(cheapest)
        if at > MAX_BUDGET_YUAN:  # no plan takes that budget
            return []
        label = tr(lang, "Re-solve at %(yuan)s", yuan=yuan(at, lang))
        return [{"label": label, "value": ResolveValue(plan_id=saved.id, budget_yuan=at)}]
    budget, steps = request.budget_yuan, plan.resolve_steps
    if steps is None:  # saved before the planner checked: every step that buys someone
        steps = [s for s in RESOLVE_STEPS if cheapest is None or step_budget(budget, s) >= cheapest]
    return [
        {
            "label": tr(
                lang,
                "Re-solve %(step)s (%(yuan)s)",
                step=f"{'−' if step < 0 else '+'}{abs(step)}%",
                yuan=yuan(step_budget(budget, step), lang),
            ),
            "value": ResolveValue(plan_id=saved.id, budget_yuan=step_budget(budget, step)),
        }
        for step in steps
        if MIN_BUDGET_YUAN <= step_budget(budget, step) <= MAX_BUDGET_YUAN  # budgets a plan takes
    ]


def plan_message(
    saved: SavedPlan, lang: Lang, *, source: str = "", notice: str | None = None
) -> SlackMessage:
    """The plan card; `source` names what was planned over (shortlist name or search text)."""
    plan = saved.plan
    request = plan.request
    unpriced, unvalued = plan.unpriced, plan.unvalued
    context = {
        "lang": lang,
        "saved": saved,
        "plan": plan,
        "source": source,
        "notice": notice,
        "from_search": saved.search_text is not None,
        "demo": any(
            not c.live for c in plan.candidates
        ),  # synthetic candidates: say so, as every demo card does
        "goal": goal_label(request.goal, lang),
        "objective": tr(lang, OBJECTIVE_LABELS[request.goal]),
        "duration": duration_label(request.duration, lang),
        "tiers_text": tiers_text(plan.tiers, lang),
        "constraints": constraints_text(request, lang),
        "binding": None if plan.binding is None else tr(lang, plan.binding.what),
        "budget_only": plan.binding is not None and plan.binding.kind is BindingKind.BUDGET,
        "relaxed": ", ".join(
            tr(lang, RELAXED_LABELS[k]) for k in (plan.binding.relaxed if plan.binding else ())
        ),
        "relaxed_plan": plan.status is PlanStatus.RELAXED,
        "sections": _tiers(plan, lang),
        "unpriced": [c.nickname for c in unpriced[:MAX_UNPRICED]],
        "unpriced_more": max(0, len(unpriced) - MAX_UNPRICED),
        "unvalued": [c.nickname for c in unvalued[:MAX_UNPRICED]],
        "unvalued_more": max(0, len(unvalued) - MAX_UNPRICED),
        "notes": [tr(lang, note) for note in plan.notes],
        "unspent": None if (why := diagnose.unspent(plan)) is None else tr(lang, why),
        "overpriced": _overpriced(plan, lang),
        "engagement_rate": None if (rate := _estimated_rate(plan)) is None else pct(rate),
        "buttons": resolve_buttons(saved, lang),
        "author": mention(saved.created_by),
        "priced": sum(1 for c in plan.candidates if c.cost_yuan is not None),
    }
    fallback = tr(
        lang,
        "Plan #%(number)s: %(len)s creators, %(yuan)s of %(yuan2)s, %(count)s expected plays",
        number=saved.number,
        len=len(plan.picks),
        yuan=yuan(plan.spent_yuan, lang),
        yuan2=yuan(request.budget_yuan, lang),
        count=count(plan.expected_plays, lang),
    )
    return render("plan.json.j2", context, fallback_text=fallback)


def plan_list_message(plans: Sequence[SavedPlan], lang: Lang) -> SlackMessage:
    rows = [
        {
            "number": s.number,
            "budget": yuan(s.plan.request.budget_yuan, lang),
            "spent": yuan(s.plan.spent_yuan, lang),
            "picks": len(s.plan.picks),
            "plays": count(s.plan.expected_plays, lang),
            "goal": goal_label(s.plan.request.goal, lang),
            "source": s.search_text or "",
            "shortlist": s.shortlist_id or "",
            "status": s.plan.status.value,
            "author": mention(s.created_by),
            "created_at": s.created_at,
        }
        for s in plans
    ]
    fallback = tr(lang, "%(len)s plans in this channel", len=len(rows))
    return render(
        "plan_list.json.j2",
        {
            "lang": lang,
            "rows": rows,
        },
        fallback_text=fallback,
    )


def plan_modal(
    lang: Lang,
    metadata: str,
    *,
    duration: Duration,
    goal: Goal | None = None,
    budget: float | None = None,
    title_source: str = "",
) -> dict[str, Any]:
    """The *Plan budget* form: the same fields as `/kol plan`, the goal and video length preset to
    the search's or the shortlist's (a shortlist has no goal: seeding, the plan's default)."""
    preset = goal or Goal.SEEDING
    context = {
        "lang": lang,
        "metadata": metadata,
        "duration": duration,
        "durations": list(Duration),
        "goal": (preset.value, goal_label(preset, lang)),
        "goals": [(g.value, goal_label(g, lang)) for g in Goal],
        "budget": "" if budget is None else f"{budget:.0f}",
        "source": title_source,
    }
    return modal_view("plan_modal.json.j2", context)


def plan_add_modal(
    open_lists: Sequence[ShortlistListing], lang: Lang, metadata: str, *, picks: int
) -> dict[str, Any]:
    """*Add plan to shortlist*: one of the channel's open shortlists, or a new one."""
    options = shortlist_options(open_lists, lang)
    return modal_view(
        "plan_add_modal.json.j2", {"lang": lang, "options": options, "metadata": metadata, "picks": picks}
    )


def plan_summary(saved: SavedPlan, lang: Lang, *, source: str) -> tuple[str, list[SummaryRow]]:
    """The plan's own sheet in its XLSX export: what was asked, what came out, in the card's words.
    `source`: what was planned over, as the card names it (the shortlist's name, or the search)."""
    plan, request = saved.plan, saved.plan.request
    if plan.binding is not None:
        status = tr(lang, plan.binding.what)
    elif plan.status is PlanStatus.EMPTY:
        status = tr(lang, plan.notes[0]) if plan.notes else tr(lang, "No creator fits this budget.")
    else:
        status = tr(lang, "optimal")
    created = saved.created_at.astimezone(UTC).replace(tzinfo=None)
    rows: list[SummaryRow] = [
        (ptr(lang, "spreadsheet row", "Plan"), tr(lang, "Plan #%(number)s", number=saved.number), None),
        (ptr(lang, "spreadsheet row", "Planned over"), source, None),
        (ptr(lang, "spreadsheet row", "Budget"), request.budget_yuan, YUAN),
        (ptr(lang, "spreadsheet row", "Goal"), goal_label(request.goal, lang), None),
        (ptr(lang, "spreadsheet row", "Video length"), duration_label(request.duration, lang), None),
        (ptr(lang, "spreadsheet row", "Constraints"), constraints_text(request, lang), None),
        (ptr(lang, "spreadsheet row", "Outcome"), status, None),
        (ptr(lang, "spreadsheet row", "Creators"), len(plan.picks), COUNT),
        (ptr(lang, "spreadsheet row", "Spent"), plan.spent_yuan, YUAN),
        (ptr(lang, "spreadsheet row", "Left"), plan.left_yuan, YUAN),
        (ptr(lang, "spreadsheet row", "Expected plays"), plan.expected_plays, COUNT),
        (ptr(lang, "spreadsheet row", "Expected engagements"), round(plan.engagements), COUNT),
        (ptr(lang, "spreadsheet row", "Blended CPM"), _cents(plan.blended_cpm_yuan), YUAN_CENTS),
        (ptr(lang, "spreadsheet row", "Blended CPE"), _cents(plan.blended_cpe_yuan), YUAN_CENTS),
        (ptr(lang, "spreadsheet row", "Candidates"), len(plan.candidates), COUNT),
        (ptr(lang, "spreadsheet row", "Created (UTC)"), created, TIME),
    ]
    return ptr(lang, "spreadsheet sheet", "Summary"), rows


def _cents(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
