"""Campaign plan cards and forms: the plan, the channel's plan list, the *Plan budget* form and
the *Add plan to shortlist* form (templates `plan*.json.j2`).

Labels live in the templates; this module supplies what needs Python: the constraint summary,
the picks grouped by tier in sections of `ROWS_PER_SECTION`, and the re-solve budgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.cards.actions import ResolveValue
from bot.cards.render import SlackMessage, render
from bot.cards.shortlist_views import MAX_OPTIONS, _view, mention
from bot.formatting import DASH, count, duration_label, pct, yuan
from bot.i18n import pick
from bot.models import Duration, Goal, Lang
from bot.planner.candidates import OBJECTIVE_LABELS
from bot.planner.models import (
    TIER_LABELS,
    BindingKind,
    Candidate,
    Plan,
    PlanRequest,
    PlanStatus,
    TierBounds,
)
from bot.planner.store import SavedPlan
from bot.shortlists.models import ShortlistListing

ROWS_PER_SECTION = 8
MAX_UNPRICED = 15
RESOLVE_STEPS = (-20, 20)  # percent of the budget
GOAL_LABELS: dict[Goal, tuple[str, str]] = {
    Goal.AWARENESS: ("awareness", "品牌曝光"),
    Goal.SEEDING: ("seeding", "种草"),
    Goal.CONVERSION: ("conversion", "转化"),
}
RELAXED_LABELS: dict[BindingKind, tuple[str, str]] = {
    BindingKind.ONE_PER_MCN: ("without one_per_mcn", "不限每个 MCN 一位"),
    BindingKind.MAX_SHARE: ("without max_share", "不限单人上限"),
    BindingKind.MIX: ("without the mix minimums", "不限组合最低人数"),
    BindingKind.MUST: ("without the must list", "不含必选达人"),
}


def tiers_text(tiers: TierBounds, lang: Lang) -> str:
    head, mid = count(tiers.head_min, lang), count(tiers.mid_min, lang)
    return pick(
        lang,
        f"head ≥ {head} followers, mid {mid}–{head}, tail < {mid}",
        f"头部 ≥ {head} 粉丝，腰部 {mid}–{head}，尾部 < {mid}",
    )


def constraints_text(request: PlanRequest, lang: Lang) -> str:
    parts = []
    if request.mix:
        mix = ", ".join(
            f"{pick(lang, *TIER_LABELS[t]).lower()} {r.low}"
            + ("+" if r.high is None else f"–{r.high}" if r.high != r.low else "")
            for t, r in request.mix.items()
        )
        parts.append(pick(lang, f"mix {mix}", f"组合 {mix}"))
    if request.max_share is not None:
        share = pct(request.max_share, 0)
        cap = yuan(request.max_share * request.budget_yuan, lang)
        parts.append(pick(lang, f"max share {share} ({cap})", f"单人上限 {share}（{cap}）"))
    if request.must:
        parts.append(pick(lang, f"must {len(request.must)}", f"必选 {len(request.must)} 位"))
    if request.exclude:
        parts.append(pick(lang, f"exclude {len(request.exclude)}", f"排除 {len(request.exclude)} 位"))
    if request.one_per_mcn:
        parts.append(pick(lang, "one per MCN", "每个 MCN 一位"))
    return " · ".join(parts) or pick(lang, "no mix or other constraints", "无组合或其他限制")


def _pick_row(c: Candidate, runner: Candidate | None, lang: Lang) -> dict[str, Any]:
    basis = (
        pick(lang, "quote", "报价") if c.basis and c.basis.value == "quote" else pick(lang, "list", "刊例价")
    )
    plays = count(c.expected_plays, lang) + (pick(lang, " (est.)", "（估）") if c.plays_estimated else "")
    return {
        "name": c.nickname,
        "url": c.xingtu_url,
        "cost": yuan(c.cost_yuan, lang),
        "basis": basis,
        "plays": plays,
        "cpm": yuan(c.cpm_yuan, lang) if c.cpm_yuan is not None else DASH,
        "cpe": yuan(c.cpe_yuan, lang) if c.cpe_yuan is not None else DASH,
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
                    "label": pick(lang, *TIER_LABELS[tier]),
                    "count": len(rows),
                    "first": start == 0,
                    "rows": rows[start : start + ROWS_PER_SECTION],
                }
            )
    return out


def resolve_buttons(saved: SavedPlan, lang: Lang) -> list[dict[str, Any]]:
    """(label, value) of the re-solve buttons: −20 %, +20 %, and the cheapest creator's price when the
    budget buys nobody."""
    budget = saved.plan.request.budget_yuan
    buttons = [
        {
            "label": f"{'−' if step < 0 else '+'}{abs(step)}% ({yuan(budget * (100 + step) / 100, lang)})",
            "value": ResolveValue(plan_id=saved.id, budget_yuan=round(budget * (100 + step) / 100)),
        }
        for step in RESOLVE_STEPS
    ]
    if saved.plan.binding is not None and saved.plan.binding.kind is BindingKind.BUDGET:
        cheapest = min(c.cost_yuan or 0 for c in saved.plan.candidates if c.cost_yuan is not None)
        label = pick(lang, f"Plan at {yuan(cheapest, lang)}", f"按 {yuan(cheapest, lang)} 规划")
        buttons.append(
            {"label": label, "value": ResolveValue(plan_id=saved.id, budget_yuan=round(cheapest + 0.5))}
        )
    return buttons


def plan_message(
    saved: SavedPlan, lang: Lang, *, command: str = "/kol", source: str = "", notice: str | None = None
) -> SlackMessage:
    """The plan card; `source` names what was planned over (shortlist name or search text)."""
    plan = saved.plan
    request = plan.request
    unpriced = plan.unpriced
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
        "goal": pick(lang, *GOAL_LABELS[request.goal]),
        "objective": pick(lang, *OBJECTIVE_LABELS[request.goal]),
        "duration": duration_label(request.duration, lang),
        "tiers_text": tiers_text(plan.tiers, lang),
        "constraints": constraints_text(request, lang),
        "binding": None if plan.binding is None else pick(lang, plan.binding.en, plan.binding.zh),
        "budget_only": plan.binding is not None and plan.binding.kind is BindingKind.BUDGET,
        "relaxed": ", ".join(
            pick(lang, *RELAXED_LABELS[k]) for k in (plan.binding.relaxed if plan.binding else ())
        ),
        "relaxed_plan": plan.status is PlanStatus.RELAXED,
        "sections": _tiers(plan, lang),
        "unpriced": [c.nickname for c in unpriced[:MAX_UNPRICED]],
        "unpriced_more": max(0, len(unpriced) - MAX_UNPRICED),
        "notes": [pick(lang, en, zh) for en, zh in plan.notes],
        "buttons": resolve_buttons(saved, lang),
        "author": mention(saved.created_by),
        "command": command,
        "priced": sum(1 for c in plan.candidates if c.cost_yuan is not None),
    }
    fallback = pick(
        lang,
        f"Plan #{saved.number}: {len(plan.picks)} creators, {yuan(plan.spent_yuan, lang)} of "
        f"{yuan(request.budget_yuan, lang)}, {count(plan.expected_plays, lang)} expected plays",
        f"规划 #{saved.number}：{len(plan.picks)} 位达人，花费 {yuan(plan.spent_yuan, lang)} / "
        f"{yuan(request.budget_yuan, lang)}，预期播放 {count(plan.expected_plays, lang)}",
    )
    return render("plan.json.j2", context, fallback_text=fallback)


def plan_list_message(plans: Sequence[SavedPlan], lang: Lang, *, command: str = "/kol") -> SlackMessage:
    rows = [
        {
            "number": s.number,
            "budget": yuan(s.plan.request.budget_yuan, lang),
            "spent": yuan(s.plan.spent_yuan, lang),
            "picks": len(s.plan.picks),
            "plays": count(s.plan.expected_plays, lang),
            "goal": pick(lang, *GOAL_LABELS[s.plan.request.goal]),
            "source": s.search_text or "",
            "shortlist": s.shortlist_id or "",
            "status": s.plan.status.value,
            "author": mention(s.created_by),
            "created_at": s.created_at,
        }
        for s in plans
    ]
    fallback = pick(lang, f"{len(rows)} plans in this channel", f"本频道共 {len(rows)} 个规划")
    return render(
        "plan_list.json.j2", {"lang": lang, "rows": rows, "command": command}, fallback_text=fallback
    )


def plan_modal(
    lang: Lang, metadata: str, *, duration: Duration, budget: float | None = None, title_source: str = ""
) -> dict[str, Any]:
    """The *Plan budget* form: the same fields as `/kol plan`."""
    context = {
        "lang": lang,
        "metadata": metadata,
        "duration": duration,
        "durations": list(Duration),
        "goals": [(g.value, pick(lang, *GOAL_LABELS[g])) for g in Goal],
        "budget": "" if budget is None else f"{budget:.0f}",
        "source": title_source,
    }
    return _view("plan_modal.json.j2", context)


def plan_add_modal(
    open_lists: Sequence[ShortlistListing], lang: Lang, metadata: str, *, picks: int
) -> dict[str, Any]:
    """*Add plan to shortlist*: one of the channel's open shortlists, or a new one."""
    options = [
        {
            "label": pick(
                lang,
                f"{li.shortlist.name} · {li.creator_count} creators",
                f"{li.shortlist.name} · {li.creator_count} 位达人",
            ),
            "value": li.shortlist.short_id,
        }
        for li in open_lists[:MAX_OPTIONS]
    ]
    return _view(
        "plan_add_modal.json.j2", {"lang": lang, "options": options, "metadata": metadata, "picks": picks}
    )
