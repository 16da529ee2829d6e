"""A click on a button kolbot no longer has: a card posted by an older version, whose action was
renamed or removed. Bolt would answer HTTP 404 and Slack would show the user an error icon with
no word of why; the click is acknowledged and the user told to run the command again."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.cards.actions import out_of_date
from bot.services import Services
from handlers.payloads import label_lang
from handlers.replies import send_failure


def retired_button(
    ack: Ack,
    action: dict[str, Any],
    respond: Respond | None,
    context: BoltContext,
    logger: logging.Logger,
) -> None:
    ack()
    services: Services = context["services"]
    logger.info("click on a retired action: %s", action.get("action_id"))
    send_failure(respond, out_of_date(), label_lang(services, action), logger)  # no response_url on App Home
