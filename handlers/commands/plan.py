"""`/kol plan …`: plan a budget over a shortlist or a search; `plan list`, `plan show <n>`.

The plan card goes where the discussion is: a shortlist plan into the shortlist's thread, a
search plan into the channel; the chart and the XLSX/CSV exports follow in the card's thread.
Slash commands carry no thread, so a shortlist plan uses `shortlist=<name|id>` or the channel's
only open shortlist (the *Plan budget* button on a shortlist names its own).
"""

from __future__ import annotations

import logging
import re
from functools import partial
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.cards.env import mrkdwn
from bot.cards.plan_views import plan_list_message, plan_message
from bot.cards.views import error_message, notice_message
from bot.deepdive.delivery import Chart, deliver
from bot.errors import QueryError
from bot.i18n import pick
from bot.models import Lang
from bot.planner.chart import plan_png
from bot.planner.export import plan_csv, plan_xlsx
from bot.planner.request import PlanCommand, parse_plan, usage
from bot.planner.store import SavedPlan
from bot.services import Services
from bot.shortlists.errors import ShortlistError
from handlers.background import run_after_ack
from handlers.replies import respond_ephemeral

PLAN_WORDS = {"plan", "规划"}
HELP_WORDS = {"", "help", "-h", "--help", "?", "帮助"}
LIST_WORDS = {"list", "ls", "列表", "历史"}
SHOW_WORDS = {"show", "查看"}
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\s]+')


def plan_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
    text: str,
    lang: Lang,
) -> None:
    """Dispatch `/kol plan …`; `text` is what follows `plan`."""
    services: Services = context["services"]
    name = command["command"]
    team, channel, user = command["team_id"], command["channel_id"], command["user_id"]
    verb, _, rest = text.strip().partition(" ")
    if verb.lower() in HELP_WORDS:
        ack(**notice_message(usage(lang, name)))
        return
    if verb.lower() in LIST_WORDS:
        ack()
        run_after_ack(
            context,
            respond,
            lang,
            logger,
            lambda: respond_ephemeral(
                respond, plan_list_message(services.plans.recent(team, channel), lang, command=name)
            ),
        )
        return
    if verb.lower() in SHOW_WORDS:
        ack()

        def show() -> None:
            saved = services.plans.show(team, channel, rest)
            respond_ephemeral(respond, plan_card(services, saved, lang))

        run_after_ack(context, respond, lang, logger, show)
        return
    try:
        parsed = parse_plan(text, services.parse_query)
    except QueryError as err:
        ack(**error_message(err, lang))
        return
    lang = parsed.query.lang or lang
    ack(text=_planning_note(parsed, lang))
    run_after_ack(
        context,
        respond,
        lang,
        logger,
        lambda: run_plan(services, context, respond, team, channel, user, parsed, lang),
    )


def run_plan(
    services: Services,
    context: BoltContext,
    respond: Respond,
    team: str,
    channel: str,
    user: str,
    parsed: PlanCommand,
    lang: Lang,
) -> None:
    """Solve the plan (over a search, or the named/only shortlist), save it and post it."""
    if parsed.is_search:
        saved = services.plans.plan_search(team, channel, user, parsed, lang)
    else:
        shortlist = services.plans.shortlist_for(team, channel, parsed.shortlist)
        saved = services.plans.plan_shortlist(team, user, shortlist, parsed, lang)
    post_plan(services, context, respond, saved, lang)


def _planning_note(parsed: PlanCommand, lang: Lang) -> str:
    if parsed.is_search:
        shown = mrkdwn(parsed.search_text)  # `<!here>` typed into the search stays plain text
        return pick(lang, f"Planning over the search “{shown}”…", f"正在按搜索“{shown}”规划……")
    return pick(lang, "Planning over the shortlist…", "正在按候选名单规划……")


def plan_source(services: Services, saved: SavedPlan) -> str:
    """What the plan was made over, for the card: the search, or the shortlist's name."""
    if saved.shortlist_id is None:
        return saved.search_text or ""
    try:
        return services.shortlists.get(saved.team_id, saved.shortlist_id).name
    except ShortlistError:  # a shortlist gone from the workspace still leaves a readable plan
        return saved.shortlist_id


def plan_card(services: Services, saved: SavedPlan, lang: Lang, notice: str | None = None) -> Any:
    return plan_message(
        saved,
        lang,
        command=services.settings.kolbot_command,
        source=plan_source(services, saved),
        notice=notice,
    )


def plan_files(saved: SavedPlan, lang: Lang, source: str) -> list[Chart]:
    """The chart, then the plan as XLSX and CSV, uploaded together into the card's thread."""
    stem = f"plan-{saved.number}-" + (_UNSAFE_FILENAME.sub("_", source).strip("_")[:40] or "kol")
    title = pick(lang, f"Plan #{saved.number}", f"规划 #{saved.number}")
    plan = saved.plan
    return [
        Chart(
            f"{stem}.png",
            pick(lang, f"{title}: cost vs expected plays", f"{title}：费用与预期播放量"),
            partial(plan_png, plan, lang),
        ),
        Chart(f"{stem}.xlsx", f"{title} (XLSX)", partial(plan_xlsx, plan, lang, title=title)),
        Chart(f"{stem}.csv", f"{title} (CSV)", partial(plan_csv, plan, lang)),
    ]


def post_plan(
    services: Services, context: BoltContext, respond: Respond, saved: SavedPlan, lang: Lang
) -> None:
    """The card in the shortlist's thread (or the channel), then the chart and exports under it."""
    channel, thread_ts = saved.channel_id, None
    if saved.shortlist_id is not None:
        shortlist = services.shortlists.get(saved.team_id, saved.shortlist_id)
        channel = shortlist.parent_channel_id or shortlist.channel_id
        thread_ts = shortlist.parent_ts
    source = plan_source(services, saved)
    deliver(
        context.client,
        channel,
        lambda notice: plan_card(services, saved, lang, notice),
        plan_files(saved, lang, source),
        reply_privately=lambda message: respond_ephemeral(respond, message),
        lang=lang,
        public=services.settings.kolbot_results_in_channel,
        thread_ts=thread_ts,
    )
