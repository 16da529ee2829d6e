"""Plan buttons: *Plan budget* (shortlist parent, results card) opens the plan form; on a plan
card, *Re-solve* at another budget and *Add plan to shortlist*.

Values carry ids only: `kol_plan_open` `sl:{short_id}` or `search:{search_ref}`;
`kol_plan_resolve_N` `{plan_id}:{budget_yuan}`; `kol_plan_add` `{plan_id}`. Every lookup uses the
acting user's workspace.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.cards.plan_views import plan_add_modal, plan_modal
from bot.errors import KolbotError
from bot.services import Services
from handlers.background import run_after_ack
from handlers.commands.plan import post_plan
from handlers.payloads import channel_of, label_lang, required_search, team_of, user_of
from handlers.replies import answer_failures
from handlers.views.plan import PlanForm


def _bad_value() -> KolbotError:
    return KolbotError(
        "This button is out of date.",
        "此按钮已失效。",
        hint_en="Run the command again for a fresh card.",
        hint_zh="请重新运行命令以获取新卡片。",
    )


def open_plan_modal(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """*Plan budget*: the form, over the shortlist or the search the button belongs to."""
    ack()
    services: Services = context["services"]
    lang = label_lang(services, action)
    with answer_failures(respond, lang, logger):
        kind, _, ref = (action.get("value") or "").partition(":")
        team = team_of(body)
        if kind == "sl":
            shortlist = services.shortlists.get(team, ref)
            duration, budget, source = shortlist.duration, shortlist.budget_yuan, shortlist.name
        elif kind == "search":
            saved = required_search(services, body, ref)
            duration, budget, source = services.parse_query(saved.raw_query).duration, None, saved.raw_query
        else:
            raise _bad_value()
        form = PlanForm(
            kind=kind,
            ref=ref,
            channel_id=channel_of(body),
            lang=lang,
            response_url=body.get("response_url", ""),
        )
        view = plan_modal(lang, form.dump(), duration=duration, budget=budget, title_source=source)
        client.views_open(trigger_id=body["trigger_id"], view=view)


def resolve_plan(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """*Re-solve* at the button's budget: a new numbered plan, posted like the first."""
    ack()
    services: Services = context["services"]
    lang = label_lang(services, action)

    def work() -> None:
        plan_id, _, budget = (action.get("value") or "").partition(":")
        if not (plan_id.isdigit() and budget.isdigit() and int(budget) > 0):
            raise _bad_value()
        saved = services.plans.get(team_of(body), int(plan_id))
        new = services.plans.resolve_at(team_of(body), user_of(body), saved, float(budget))
        post_plan(services, context, respond, new, saved.lang)

    run_after_ack(context, respond, lang, logger, work)


def open_plan_add_modal(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    """*Add plan to shortlist*: choose an open shortlist of the channel, or name a new one."""
    ack()
    services: Services = context["services"]
    lang = label_lang(services, action)
    with answer_failures(respond, lang, logger):
        value = action.get("value") or ""
        if not value.isdigit():
            raise _bad_value()
        saved = services.plans.get(team_of(body), int(value))
        open_lists = services.shortlists.list(team_of(body), channel_of(body), include_closed=False)
        form = PlanForm(
            kind="plan",
            ref=value,
            channel_id=channel_of(body),
            lang=lang,
            response_url=body.get("response_url", ""),
        )
        view = plan_add_modal(open_lists, lang, form.dump(), picks=len(saved.plan.picks))
        client.views_open(trigger_id=body["trigger_id"], view=view)
