"""`/kol plan …`: plan a budget over a shortlist or a search; `plan list`, `plan show <n>`.

The plan card goes where the discussion is: a shortlist plan into the shortlist's thread, a
search plan into the channel; the chart and the XLSX/CSV exports follow in the card's thread.
Slash commands carry no thread, so a shortlist plan uses `shortlist=<name|id>` or the channel's
only open shortlist (the *Plan budget* button on a shortlist names its own).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.cards.env import mrkdwn
from bot.cards.plan_views import plan_list_message, plan_message, plan_summary
from bot.cards.views import error_message, notice_message
from bot.errors import QueryError
from bot.i18n import tr
from bot.models import Lang
from bot.planner.chart import plan_png
from bot.planner.export import plan_csv, plan_xlsx
from bot.planner.request import PlanCommand, parse_plan, usage
from bot.planner.store import SavedPlan
from bot.planner.vocabulary import LIST_ALIASES, SHOW_ALIASES
from bot.services import Services
from bot.shortlists.errors import ShortlistError
from bot.slack_io.deepdive import Chart, deliver
from handlers.background import run_after_ack
from handlers.commands.registry import Subcommand, Subcommands
from handlers.jobs import SlackTask
from handlers.replies import respond_ephemeral

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
    """Dispatch `/kol plan …`; `text` is what follows `plan`: help, list, show, or a plan to make."""
    match = SUBCOMMANDS.match(text)
    call = PlanCall(context["services"], context, respond, logger, command, lang)
    if match.help:
        ack(**notice_message(tr(lang, usage())))
    elif match.subcommand is None:
        _plan(ack, call, text)
    else:
        ack()
        work, task = partial(match.subcommand.handler, call, match.rest), match.subcommand.task
        assert task is not None  # every plan subcommand names its task
        run_after_ack(context, respond, lang, logger, work, task=task)


@dataclass(frozen=True)
class PlanCall:
    """One `/kol plan` call."""

    services: Services
    context: BoltContext
    respond: Respond
    logger: logging.Logger
    command: dict[str, Any]
    lang: Lang

    @property
    def name(self) -> str:
        return str(self.command["command"])

    @property
    def where(self) -> tuple[str, str, str]:
        """(team, channel, user)"""
        return self.command["team_id"], self.command["channel_id"], self.command["user_id"]


def _list(call: PlanCall, _rest: str) -> None:
    team, channel, _user = call.where
    plans = call.services.plans.recent(team, channel)
    respond_ephemeral(call.respond, plan_list_message(plans, call.lang))


def _show(call: PlanCall, rest: str) -> None:
    team, channel, _user = call.where
    saved = call.services.plans.show(team, channel, rest)
    respond_ephemeral(call.respond, plan_card(call.services, saved, call.lang))


def _plan(ack: Ack, call: PlanCall, text: str) -> None:
    """A plan over a search or a shortlist: parsed and acked now, solved after the ack."""
    services = call.services
    team, channel, user = call.where
    try:
        parsed = services.plans.named_by_search(team, channel, parse_plan(text, services.parse_query))
    except QueryError as err:
        ack(**error_message(err, call.lang))
        return
    lang = parsed.query.lang or call.lang
    ack(text=_planning_note(parsed, lang))
    run_after_ack(
        call.context,
        call.respond,
        lang,
        call.logger,
        lambda: run_plan(services, call.context, call.respond, team, channel, user, parsed, lang),
        task=SlackTask.PLAN,
    )


# A plan subcommand's work after the ack: the call, and the text after the subcommand.
SUBCOMMANDS: Subcommands[Callable[[PlanCall, str], None]] = Subcommands(
    Subcommand("list", _list, aliases=LIST_ALIASES, task=SlackTask.PLAN_LIST),
    Subcommand("show", _show, aliases=SHOW_ALIASES, task=SlackTask.PLAN_SHOW),
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
        return tr(lang, "Planning over the search “%(shown)s”…", shown=shown)
    return tr(lang, "Planning over the shortlist…")


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
        source=plan_source(services, saved),
        notice=notice,
    )


def plan_files(saved: SavedPlan, lang: Lang, source: str) -> list[Chart]:
    """The chart, then the plan as XLSX and CSV, uploaded together into the card's thread."""
    stem = f"plan-{saved.number}-" + (_UNSAFE_FILENAME.sub("_", source).strip("_")[:40] or "kol")
    title = tr(lang, "Plan #%(number)s", number=saved.number)
    plan = saved.plan
    return [
        Chart(
            f"{stem}.png",
            tr(lang, "%(title)s: cost vs expected plays", title=title),
            partial(plan_png, plan, lang),
        ),
        Chart(
            f"{stem}.xlsx",
            f"{title} (XLSX)",
            partial(plan_xlsx, plan, lang, title=title, summary=plan_summary(saved, lang, source=source)),
        ),
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
