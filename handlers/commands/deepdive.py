"""`/kol show <id>` and `/kol compare <id> <id> …`: a deep-dive or comparison card, charts in its thread.

Both take the search grammar's `duration=` and `audience_*=` options (and `lang=`), so the words
and units are the same as in a search; any other search option is refused by name.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.deepdive.arguments import show_usage
from bot.deepdive.compare import MAX_CREATORS, check_compare_ids
from bot.deepdive.routes import ENDPOINT_COST_USD, ROUTES
from bot.errors import KolbotError, QueryError
from bot.grammar import parse_creator_args
from bot.i18n import Text, ptr, tr
from bot.models import CreatorArgs, Lang
from bot.services import Services
from handlers.background import run_after_ack
from handlers.deepdive_posts import post_comparison, post_deep_dive
from handlers.jobs import SlackTask
from handlers.replies import refusal


def show_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
    args: str,
    lang: Lang,
) -> None:
    services: Services = context["services"]
    try:
        arguments = _arguments(args, show_usage())
        identifier = services.deepdive.one_creator(arguments.identifiers)
        services.deepdive.identify(identifier)  # a malformed id is refused before any call
    except KolbotError as err:  # bad input, or a nickname several creators share
        ack(**refusal(err, lang))
        return
    lang = arguments.lang or lang
    ack(text=_fetching_note([identifier], services.deepdive.live, lang))

    def work() -> None:
        post_deep_dive(
            services,
            context,
            command["channel_id"],
            respond,
            identifier,
            lang,
            duration=arguments.duration,
            targets=arguments.audience or None,
        )

    run_after_ack(context, respond, lang, logger, work, task=SlackTask.DEEP_DIVE)


def compare_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    logger: logging.Logger,
    args: str,
    lang: Lang,
) -> None:
    services: Services = context["services"]
    try:
        arguments = _arguments(args, _compare_usage())
        identifiers = check_compare_ids(arguments.identifiers)
        for identifier in identifiers:
            services.deepdive.identify(identifier)
    except KolbotError as err:  # bad input, or a nickname several creators share
        ack(**refusal(err, lang))
        return
    lang = arguments.lang or lang
    ack(text=_fetching_note(identifiers, services.deepdive.live, lang))

    def work() -> None:
        channel = command["channel_id"]
        post_comparison(
            services,
            context,
            channel,
            respond,
            identifiers,
            lang,
            duration=arguments.duration,
            targets=arguments.audience or None,
        )

    run_after_ack(context, respond, lang, logger, work, task=SlackTask.COMPARE)


# -- arguments -------------------------------------------------------------------------------


def _arguments(args: str, usage: Text) -> CreatorArgs:
    """Ids and `duration=`/`audience_…=`/`lang=`; a refusal carries the command's usage."""
    try:
        return parse_creator_args(args)
    except QueryError as err:
        raise QueryError(err.token, err.what, usage=usage) from None


def _compare_usage() -> Text:
    return Text(
        "Example: `%(command)s compare 6912345678901234567 @another_handle duration=1-20` "
        "(2-%(most)s creators; price, CPM and CPE all for one video length, default 21-60 s).",
        most=MAX_CREATORS,
    )


def _fetching_note(identifiers: list[str], live: bool, lang: Lang) -> str:
    shown = ptr(lang, "clause separator", ", ").join(identifiers)
    if not live:
        return tr(lang, "Loading the demo deep-dive for %(shown)s…", shown=shown)
    calls = len(identifiers) * len(ROUTES)
    most = f"${calls * ENDPOINT_COST_USD:.2f}"
    return tr(
        lang,
        "Fetching %(shown)s from Xingtu: %(calls)s data calls, at most %(most)s (cached answers are free)…",
        shown=shown,
        calls=calls,
        most=most,
    )
