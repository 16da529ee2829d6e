"""Spend cards: `/kol usage` (the month's TikHub spend by user and by feature) and `/kol budget`."""

from __future__ import annotations

import re

from bot.cards.render import SlackMessage, render
from bot.cards.views import notice_message
from bot.formatting import usd
from bot.i18n import ntr, ptr, tr
from bot.models import Lang
from bot.spend.budget import BudgetStatus, Usage, month_name
from bot.spend.payer import Feature
from bot.store.spend import SpendLine

_SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,20}")


def user_mention(spend: SpendLine) -> str:
    """`<@U123>` for a Slack user id, "—" for anything else (spend made outside Slack)."""
    return f"<@{spend.key}>" if _SLACK_USER.fullmatch(spend.key) else "—"


def feature_label(feature: str, lang: Lang) -> str:
    """What spend under `feature` (as stored) is shown as; an unknown one counts as other."""
    try:
        known = Feature(feature)
    except ValueError:
        known = Feature.OTHER
    if known is Feature.SEARCH:
        return ptr(lang, "spend by feature", "Searches")
    if known is Feature.DEEP_DIVE:
        return ptr(lang, "spend by feature", "Deep-dives")
    if known is Feature.DIGESTS:
        return ptr(lang, "spend by feature", "Digests")
    if known is Feature.AUDIENCE:
        return ptr(lang, "spend by feature", "Audience screens")
    return ptr(lang, "spend by feature", "Other")


def _line(label: str, spend: SpendLine, lang: Lang) -> str:
    calls = ntr(lang, "%(n)s call", "%(n)s calls", spend.calls)
    return f"{label} · {calls} · *{usd(spend.cost_usd)}*"


def usage_message(usage: Usage, lang: Lang) -> SlackMessage:
    status = usage.status
    warning = status.warning()
    context = {
        "lang": lang,
        "month": tr(lang, month_name(status.month_start)),
        "total": tr(lang, status.line()),
        "warning": None if warning is None else tr(lang, warning),
        "users": [_line(user_mention(u), u, lang) for u in usage.by_user],
        "features": [_line(feature_label(f.key, lang), f, lang) for f in usage.by_feature],
    }
    total = tr(lang, status.line())
    fallback = tr(lang, "TikHub spend this month: %(total)s", total=total)
    return render("spend_usage.json.j2", context, fallback_text=fallback)


def budget_message(status: BudgetStatus, lang: Lang, *, changed: bool) -> SlackMessage:
    """The budget after `/kol budget <usd>` (or as it stands, for `/kol budget`)."""
    if status.budget_usd is None:
        what = tr(lang, "This workspace has no monthly TikHub budget.")
    else:
        what = tr(lang, "Monthly TikHub budget: %(usd)s.", usd=usd(status.budget_usd))
    lead = tr(lang, "✅ Saved. ") if changed else ""
    spent = tr(lang, "Spent this month: %(line)s.", line=status.line())
    hint = tr(
        lang,
        "Details: `%(command)s usage`. Admins change it with "
        "`%(command)s budget <usd>` or `%(command)s budget off`.",
    )
    return notice_message(f"{lead}{what}\n{spent}\n{hint}")  # a line each: no space between zh sentences
