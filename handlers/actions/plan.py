"""Plan buttons: *Plan budget* (shortlist parent, results card) opens the plan form; on a plan
card, *Re-solve* at another budget and *Add plan to shortlist*.

Values carry ids only (`PlanSourceValue`, `ResolveValue`, `PlanValue` in `bot.cards.actions`).
Every lookup uses the acting user's workspace.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.cards.actions import PlanSourceValue, PlanValue, ResolveValue
from bot.cards.plan_views import plan_add_modal, plan_modal
from bot.models import Lang
from bot.services import Services
from handlers.background import run_after_ack
from handlers.commands.plan import post_plan
from handlers.jobs import SlackTask
from handlers.modals import open_modal
from handlers.payloads import channel_of, label_lang, required_search, team_of, user_of
from handlers.views.plan import PlanForm


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

    def view(services: Services, lang: Lang) -> dict[str, Any]:
        value = PlanSourceValue.decode(action.get("value"))
        if value.kind == "sl":
            shortlist = services.shortlists.get(team_of(body), value.ref)
            duration, goal, budget, source = shortlist.duration, None, shortlist.budget_yuan, shortlist.name
        else:
            saved = required_search(services, body, value.ref)
            query = services.parse_query(saved.raw_query)
            duration, goal, budget, source = query.duration, query.goal, None, saved.raw_query
        form = PlanForm(
            kind=value.kind,
            ref=value.ref,
            channel_id=channel_of(body),
            lang=lang,
            response_url=body.get("response_url", ""),
        )
        return plan_modal(lang, form.dump(), duration=duration, goal=goal, budget=budget, title_source=source)

    open_modal(body, action, client, respond, context, logger, view)


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
        value = ResolveValue.decode(action.get("value"))
        saved = services.plans.get(team_of(body), value.plan_id)
        new = services.plans.resolve_at(team_of(body), user_of(body), saved, float(value.budget_yuan))
        post_plan(services, context, respond, new, saved.lang)

    run_after_ack(context, respond, lang, logger, work, task=SlackTask.PLAN)


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

    def view(services: Services, lang: Lang) -> dict[str, Any]:
        plan_id = PlanValue.decode(action.get("value")).plan_id
        saved = services.plans.get(team_of(body), plan_id)
        open_lists = services.shortlists.list(team_of(body), channel_of(body), include_closed=False)
        form = PlanForm(
            kind="plan",
            ref=str(plan_id),
            channel_id=channel_of(body),
            lang=lang,
            response_url=body.get("response_url", ""),
        )
        return plan_add_modal(open_lists, lang, form.dump(), picks=len(saved.plan.picks))

    open_modal(body, action, client, respond, context, logger, view)
