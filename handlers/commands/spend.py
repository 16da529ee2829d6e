"""`/kol usage` (this month's TikHub spend by user and feature) and `/kol budget [<usd>|off]`.

Changing the budget is for admins: users listed in `KOLBOT_ADMINS`, and the workspace's Slack
admins and owners (`users.info`, scope `users:read`). Everyone else gets a clear refusal.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.cards.spend_views import budget_message, usage_message
from bot.errors import QueryError
from bot.models import Lang
from bot.services import Services
from bot.spend.budget import check_usage_args
from handlers.background import run_after_ack
from handlers.jobs import SlackTask
from handlers.replies import refusal, respond_ephemeral


def is_slack_admin(client: WebClient, user_id: str, logger: logging.Logger) -> bool:
    """Whether Slack says the user is a workspace admin or owner (False when Slack can't say)."""
    try:
        user = client.users_info(user=user_id).get("user") or {}
    except SlackApiError as err:
        logger.warning("users.info failed for the budget check: %s", err.response.get("error"))
        return False
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


def usage_command(
    ack: Ack,
    command: dict[str, Any],
    _respond: Respond,
    context: BoltContext,
    _logger: logging.Logger,
    rest: str,
    lang: Lang,
) -> None:
    """Answered in the ack."""
    services: Services = context["services"]
    try:
        check_usage_args(rest)
    except QueryError as err:
        ack(**refusal(err, lang))
        return
    usage = services.budget.usage(command["team_id"])
    ack(**usage_message(usage, lang))


def budget_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
    rest: str,
    lang: Lang,
) -> None:
    services: Services = context["services"]
    team_id, user_id = command["team_id"], command["user_id"]
    if not rest.strip():
        ack(**budget_message(services.budget.status(team_id), lang, changed=False))
        return
    ack()

    def work() -> None:
        slack_admin = partial(is_slack_admin, context.client, user_id, logger)
        status = services.budget.set_budget(team_id, user_id, rest, slack_admin=slack_admin)
        respond_ephemeral(respond, budget_message(status, lang, changed=True))

    run_after_ack(context, respond, lang, logger, work, task=SlackTask.BUDGET)
