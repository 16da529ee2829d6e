"""`/kol`: help, `show <star_id>`, or a search (`<keyword> [filters]`)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.cards.views import error_message, help_message
from bot.errors import QueryError
from bot.models import Lang
from bot.services import Services
from handlers.delivery import send_details, send_results
from handlers.replies import answer_failures, searching_note

HELP_WORDS = {"help", "-h", "--help", "?", "帮助"}
SHOW_WORDS = {"show", "查看"}


def kol_command(
    ack: Ack, command: dict[str, Any], respond: Respond, context: BoltContext, logger: logging.Logger
) -> None:
    services: Services = context["services"]
    text = (command.get("text") or "").strip()
    lang = services.lang_for(text)
    verb, _, rest = text.partition(" ")
    if not text or verb.lower() in HELP_WORDS:
        ack(**help_message(lang, command["command"]))
    elif verb.lower() in SHOW_WORDS:
        _show(ack, respond, services, rest.strip(), lang, logger, command["command"])
    else:
        _search(ack, command, respond, services, text, lang, logger)


def _show(
    ack: Ack,
    respond: Respond,
    services: Services,
    star_id: str,
    lang: Lang,
    logger: logging.Logger,
    name: str,
) -> None:
    if not star_id or " " in star_id:
        ack(**error_message(_show_usage(star_id, name), lang))
        return
    ack()
    with answer_failures(respond, lang, logger):
        send_details(services, respond, star_id, lang)


def _search(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    services: Services,
    text: str,
    lang: Lang,
    logger: logging.Logger,
) -> None:
    try:
        query = services.parse_query(text)
    except QueryError as err:
        ack(**error_message(err, lang))
        return
    lang = query.lang or lang
    ack(text=searching_note(query.keyword, lang))
    with answer_failures(respond, lang, logger):
        ref = services.searches.save(
            command["team_id"], command["channel_id"], command["user_id"], text, lang
        )
        send_results(services, respond, query, ref, lang)


def _show_usage(token: str, name: str) -> QueryError:
    return QueryError(
        token or "show",
        "`show` needs exactly one creator id (star_id).",
        "`show` 后需要一个达人 ID（star_id）。",
        usage_en=f"Example: {name} show 6912345678901234567",
        usage_zh=f"示例：{name} show 6912345678901234567",
    )
