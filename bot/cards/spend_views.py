"""Spend cards: `/kol usage` (the month's TikHub spend by user and by feature) and `/kol budget`."""

from __future__ import annotations

import re

from bot.cards.render import SlackMessage, render
from bot.cards.views import notice_message
from bot.formatting import usd
from bot.i18n import pick
from bot.models import Lang
from bot.spend.budget import BudgetStatus, Usage, month_name
from bot.spend.payer import feature_label
from bot.store.spend import SpendLine

_SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,20}")


def user_mention(spend: SpendLine) -> str:
    """`<@U123>` for a Slack user id, "—" for anything else (spend made outside Slack)."""
    return f"<@{spend.key}>" if _SLACK_USER.fullmatch(spend.key) else "—"


def _line(label: str, spend: SpendLine, lang: Lang) -> str:
    calls = pick(lang, f"{spend.calls} call{'s' if spend.calls != 1 else ''}", f"{spend.calls} 次")
    return f"{label} · {calls} · *{usd(spend.cost_usd)}*"


def usage_message(usage: Usage, lang: Lang, command: str) -> SlackMessage:
    status = usage.status
    context = {
        "lang": lang,
        "command": command,
        "month": month_name(status.month_start, lang),
        "total": status.line(lang),
        "warning": status.warning(lang, command),
        "users": [_line(user_mention(u), u, lang) for u in usage.by_user],
        "features": [_line(feature_label(f.key, lang), f, lang) for f in usage.by_feature],
    }
    total = status.line(lang)
    fallback = pick(lang, f"TikHub spend this month: {total}", f"本月 TikHub 花费：{total}")
    return render("spend_usage.json.j2", context, fallback_text=fallback)


def budget_message(status: BudgetStatus, lang: Lang, command: str, *, changed: bool) -> SlackMessage:
    """The budget after `/kol budget <usd>` (or as it stands, for `/kol budget`)."""
    if status.budget_usd is None:
        what = pick(lang, "This workspace has no monthly TikHub budget.", "本工作区未设置每月 TikHub 预算。")
    else:
        what = pick(
            lang,
            f"Monthly TikHub budget: {usd(status.budget_usd)}.",
            f"每月 TikHub 预算：{usd(status.budget_usd)}。",
        )
    lead = pick(lang, "✅ Saved. ", "✅ 已保存。") if changed else ""
    spent = pick(lang, f"Spent this month: {status.line(lang)}.", f"本月已花费：{status.line(lang)}。")
    hint = pick(
        lang,
        f"Details: `{command} usage`. Admins change it with `{command} budget <usd>` "
        f"or `{command} budget off`.",
        f"明细：`{command} usage`。管理员可用 `{command} budget <美元>` 或 `{command} budget off` 修改。",
    )
    return notice_message(f"{lead}{what}{pick(lang, ' ', '')}{spent}\n{hint}")
