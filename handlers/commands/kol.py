"""`/kol`: help, `show <id>`, `compare <id> <id> …`, `shortlist …`, `digest …`, `budget`, `usage`,
a search (`<keyword> [filters]`), or with no text the search form."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.cards.views import help_message
from bot.db.engine import bounded_waits
from bot.errors import QueryError
from bot.models import Lang
from bot.services import Services
from handlers.background import run_after_ack
from handlers.commands.deepdive import COMPARE_WORDS, compare_command, show_command
from handlers.commands.digest import DIGEST_WORDS, digest_command
from handlers.commands.plan import PLAN_WORDS, plan_command
from handlers.commands.shortlist import SHORTLIST_WORDS, shortlist_command
from handlers.commands.spend import BUDGET_WORDS, USAGE_WORDS, budget_command, usage_command
from handlers.delivery import send_results
from handlers.middleware import ACK_WAIT_S, first_delivery
from handlers.replies import refusal, searching_note
from handlers.shortcuts.search_form import open_from_command

HELP_WORDS = {"help", "-h", "--help", "?", "帮助"}
SHOW_WORDS = {"show", "查看"}


def kol_command(
    ack: Ack, command: dict[str, Any], respond: Respond, context: BoltContext, logger: logging.Logger
) -> None:
    services: Services = context["services"]
    text = (command.get("text") or "").strip()
    lang = services.lang_for(text)
    verb, _, rest = text.partition(" ")
    if not text:
        open_from_command(ack, command, respond, context, logger)
    elif verb.lower() in HELP_WORDS:
        ack(**help_message(lang, command["command"]))
    elif verb.lower() in SHOW_WORDS:
        show_command(ack, command, respond, context, logger, rest, lang)
    elif verb.lower() in COMPARE_WORDS:
        compare_command(ack, command, respond, context, logger, rest, lang)
    elif verb.lower() in SHORTLIST_WORDS:
        shortlist_command(ack, command, respond, context, logger, rest)
    elif verb.lower() in PLAN_WORDS:
        plan_command(ack, command, respond, context, logger, rest, lang)
    elif verb.lower() in DIGEST_WORDS:
        # Digest commands store changes before they ack, so a busy database must not hold them.
        with bounded_waits(ACK_WAIT_S):
            if first_delivery(context, logger):
                digest_command(ack, command, respond, context, logger, rest)
            else:
                ack()
    elif verb.lower() in BUDGET_WORDS:
        budget_command(ack, command, respond, context, logger, rest, lang)
    elif verb.lower() in USAGE_WORDS:
        usage_command(ack, command, context, lang)
    else:
        _search(ack, command, respond, context, text, lang, logger)


def _search(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    text: str,
    lang: Lang,
    logger: logging.Logger,
) -> None:
    services: Services = context["services"]
    try:
        query = services.parse_query(text)
    except QueryError as err:
        ack(**refusal(err, lang))
        return
    lang = query.lang or lang
    ack(text=searching_note(query.keyword, lang))

    where = command["team_id"], command["channel_id"], command["user_id"]
    save = partial(services.searches.save, *where, text, lang)  # once the search succeeded
    run_after_ack(
        context, respond, lang, logger, lambda: send_results(services, respond, query, lang, ref_for=save)
    )
