"""Audience screen cards: the cost prompt (Screen / Skip) and the screened list (`bot.screen`)."""

from __future__ import annotations

import math
from typing import Any

from bot.cards.actions import ScreenValue
from bot.cards.render import SlackMessage, render
from bot.deepdive.audience import FitStatus
from bot.deepdive.models import reason_text
from bot.formatting import usd
from bot.i18n import N_, tr
from bot.models import AudienceTarget, AudienceTargets, Lang
from bot.screen import ScreenPlan, ScreenResult, ScreenRow, ScreenStatus

MAX_SCREEN_ROWS = 20  # one section each: with header, summary and footer well under 50 blocks
_MARKS = {FitStatus.PASS: "✅", FitStatus.FAIL: "❌", FitStatus.UNKNOWN: "❔"}
_STATUS = {
    ScreenStatus.MATCH: N_("✅ meets every target"),
    ScreenStatus.UNKNOWN: N_("❔ unknown"),
    ScreenStatus.MISS: N_("❌ misses a target"),
}


def _targets_line(targets: AudienceTargets, lang: Lang) -> str:
    return tr(lang, ", ").join(tr(lang, t.wording()) for t in targets.targets)


def _shares(row: ScreenRow, lang: Lang) -> str:
    """女 74 % ✅ · 18–23 41 % ✅ · 二线 22 % ❌ ; a missing portrait says why."""
    if row.fit is None:
        return tr(lang, "no audience portrait (%(why)s)", why=tr(lang, reason_text(row.reason)))
    parts = []
    for fit in row.fit.fits:
        # Rounded down, so a share just under the target never reads as meeting it (49.6 % → 49 %).
        share = f"{math.floor(fit.share * 100)}%" if fit.share is not None else tr(lang, "no data")
        parts.append(f"{tr(lang, fit.target.short_wording())} {share} {_MARKS[fit.status]}")
    return " · ".join(parts)


def _nobody_matched(result: ScreenResult, lang: Lang) -> str:
    """When no screened creator meets every target, what stops them: each target nobody reaches,
    with the highest share seen against what it asks, so the user sees which to relax and how far.
    Empty when someone matched or no portrait arrived."""
    if result.count(ScreenStatus.MATCH):
        return ""
    highest: dict[int, float] = {}
    reached: set[int] = set()
    for row in result.rows:
        for i, fit in enumerate(row.fit.fits if row.fit else ()):
            if fit.share is not None:
                highest[i] = max(highest.get(i, 0.0), fit.share)
            if fit.status is FitStatus.PASS:
                reached.add(i)
    if not highest:
        return ""
    blockers = [(i, share) for i, share in sorted(highest.items()) if i not in reached]
    if not blockers:
        return tr(
            lang,
            "Nobody screened meets every target at once, though someone meets each: drop the one that "
            "matters least.",
        )
    seen = [_highest(result.targets.targets[i], share, lang) for i, share in blockers]
    return tr(
        lang,
        "Nobody screened reaches %(seen)s. Asking for less widens the screen: end each of those "
        "targets with the smaller share shown.",
        seen=tr(lang, "; ").join(seen),
    )


def _highest(target: AudienceTarget, share: float, lang: Lang) -> str:
    """One target nobody reaches, with the share that the best of them reach: the one to ask for."""
    return tr(
        lang,
        "%(target)s (asked ≥%(asked)s, highest %(share)s: try `>=%(suggest)s`)",
        target=tr(lang, target.short_wording()),
        asked=f"{target.min_share:.0%}",
        share=f"{math.floor(share * 100)}%",
        suggest=f"{max(5, math.floor(share * 20) * 5)}%",
    )


def _row(row: ScreenRow, rank: int, lang: Lang) -> dict[str, Any]:
    creator = row.scored.creator
    return {
        "rank": rank,
        "creator": creator,
        "url": creator.douyin_url or creator.xingtu_url,
        "status": tr(lang, _STATUS[row.status]),
        "shares": _shares(row, lang),
    }


def _fallback(result: ScreenResult, lang: Lang) -> str:
    matched, screened = result.count(ScreenStatus.MATCH), result.screened
    return tr(
        lang,
        "Audience screen: %(matched)s of %(screened)s creators meet every target",
        matched=matched,
        screened=screened,
    )


def screen_message(result: ScreenResult, lang: Lang, *, keyword: str, search_ref: str) -> SlackMessage:
    """Screened creators, matches first, each with its share per target and a Details button."""
    rows = result.rows[:MAX_SCREEN_ROWS]
    context = {
        "lang": lang,
        "keyword": keyword,
        "search_ref": search_ref,
        "targets": _targets_line(result.targets, lang),
        "screened": result.screened,
        "matched": result.count(ScreenStatus.MATCH),
        "unknown": result.count(ScreenStatus.UNKNOWN),
        "hidden": result.screened - len(rows),
        "calls": result.upstream_calls,
        "cache_hits": result.cache_hits,
        "cost": usd(result.cost_usd),
        "live": result.live,
        "rows": [_row(row, rank, lang) for rank, row in enumerate(rows, start=1)],
        "nobody_matched": _nobody_matched(result, lang),
    }
    return render("audience_screen.json.j2", context, fallback_text=_fallback(result, lang))


def screen_prompt_message(
    plan: ScreenPlan, targets: AudienceTargets, lang: Lang, *, keyword: str, search_ref: str
) -> SlackMessage:
    """Screening costs more than `KOLBOT_SCREEN_CONFIRM_USD`: say what it costs and offer Screen / Skip."""
    count, cost = len(plan.star_ids), usd(plan.cost_usd)
    context = {
        "lang": lang,
        "keyword": keyword,
        "targets": _targets_line(targets, lang),
        "count": count,
        "unpaid": plan.unpaid,
        "cached": count - plan.unpaid,
        "cost": cost,
        "value": ScreenValue(search_ref=search_ref, count=count),
    }
    fallback = tr(
        lang, "Screen the top %(count)s creators by audience portrait for %(cost)s?", count=count, cost=cost
    )
    return render("audience_screen_prompt.json.j2", context, fallback_text=fallback)


def screen_skipped_message(lang: Lang) -> SlackMessage:
    text = tr(
        lang,
        "Audience screen skipped: nothing was paid. Details on any creator still shows its audience fit.",
    )
    return render("notice.json.j2", {"lang": lang, "text": text}, fallback_text=text)
